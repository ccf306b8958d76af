package io.flagplane.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry client against an HTTPS registry that wants credentials: a throwaway certificate
 * made with the JDK's keytool, served by the JDK's HTTPS server.
 */
class RegistryCredentialsAndTlsTest {

    private static final String STORE_PASSWORD = "changeit";

    @TempDir
    static Path dir;
    private static HttpsServer server;
    private static String url;
    private static final List<String> AUTHORIZATIONS = new CopyOnWriteArrayList<>();
    private static final String ACCEPTED_BASIC = "Basic " + Base64.getEncoder()
            .encodeToString("flagplane:hunter2".getBytes(StandardCharsets.UTF_8));

    @BeforeAll
    static void startHttpsRegistry() throws Exception {
        keytool("-genkeypair", "-alias", "registry", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-keystore", dir.resolve("server.p12").toString(),
                "-storetype", "PKCS12", "-storepass", STORE_PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "registry", "-keystore", dir.resolve("server.p12").toString(),
                "-storepass", STORE_PASSWORD, "-file", dir.resolve("registry.pem").toString());
        keytool("-importcert", "-noprompt", "-alias", "registry", "-file", dir.resolve("registry.pem").toString(),
                "-keystore", dir.resolve("trust.p12").toString(), "-storetype", "PKCS12", "-storepass", STORE_PASSWORD);

        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(dir.resolve("server.p12").toFile())) {
            keys.load(in, STORE_PASSWORD.toCharArray());
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, STORE_PASSWORD.toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keyManagers.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/config", exchange -> {
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            AUTHORIZATIONS.add(String.valueOf(authorization));
            boolean ok = ACCEPTED_BASIC.equals(authorization) || "Bearer t0ken".equals(authorization);
            byte[] body = (ok ? "{\"compatibilityLevel\":\"BACKWARD\"}" : "{\"error_code\":401,\"message\":\"Unauthorized\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(ok ? 200 : 401, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        url = "https://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    private static RegistryAccess access() {
        return new RegistryAccess(url, Duration.ofSeconds(5), null, null, null);
    }

    @Test
    void basic_auth_goes_over_https_to_a_registry_whose_certificate_is_in_a_pem_trust_store() {
        RegistryAccess access = access().withBasicAuth("flagplane:hunter2")
                .withTrustStore(new RegistryAccess.TrustStore(dir.resolve("registry.pem"), null, null));

        assertThat(new RestSchemaRegistryClient(access).globalCompatibility()).isEqualTo(CompatibilityLevel.BACKWARD);
        assertThat(AUTHORIZATIONS).last().isEqualTo(ACCEPTED_BASIC);
        assertThat(access.toString()).contains("basic auth as flagplane").doesNotContain("hunter2");
    }

    @Test
    void a_bearer_token_goes_over_https_with_a_pkcs12_trust_store() {
        RegistryAccess access = access().withBearerToken("t0ken")
                .withTrustStore(new RegistryAccess.TrustStore(dir.resolve("trust.p12"), STORE_PASSWORD, "PKCS12"));

        assertThat(new RestSchemaRegistryClient(access).globalCompatibility()).isEqualTo(CompatibilityLevel.BACKWARD);
        assertThat(AUTHORIZATIONS).last().isEqualTo("Bearer t0ken");
        assertThat(access.toString()).doesNotContain("t0ken");
    }

    @Test
    void an_untrusted_certificate_fails_naming_the_trust_store_setting() {
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(access().withBasicAuth("flagplane:hunter2"));

        assertThatThrownBy(client::globalCompatibility).isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("TLS handshake").hasMessageContaining("schema.registry.ssl.truststore.location");
    }

    @Test
    void refused_or_missing_credentials_name_the_credential_settings() {
        RegistryAccess.TrustStore trust = new RegistryAccess.TrustStore(dir.resolve("registry.pem"), null, "PEM");

        assertThatThrownBy(() -> new RestSchemaRegistryClient(access().withBasicAuth("flagplane:wrong").withTrustStore(trust))
                .globalCompatibility())
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.kind())
                        .isEqualTo(SchemaRegistryException.Kind.UNAUTHORIZED))
                .hasMessageContaining("refused the credentials").hasMessageContaining("schema.registry.basic.auth.user.info")
                .hasMessageNotContaining("wrong");
        assertThatThrownBy(() -> new RestSchemaRegistryClient(access().withTrustStore(trust)).globalCompatibility())
                .hasMessageContaining("it wants credentials");
    }

    @Test
    void basic_auth_and_a_token_together_are_refused() {
        assertThatThrownBy(() -> new RegistryAccess(url, Duration.ofSeconds(1), "a:b", "t", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not both");
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.add("-J-XX:TieredStopAtLevel=1");
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + output);
        }
        assertThat(Files.exists(dir)).isTrue();
    }
}
