package io.flagplane.testkit;

import io.flagplane.broker.BrokerSecurity;
import io.flagplane.broker.DevCertificates;
import io.flagplane.broker.LocalKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;

/**
 * A real KRaft node in this JVM that is secured the way a production cluster is: TLS on every
 * listener with certificates made for the test ({@link DevCertificates}), SASL (SCRAM-SHA-512,
 * PLAIN, and OAUTHBEARER with the client library's unsecured tokens) on the client listener, a
 * mutual-TLS listener beside it, and KRaft's {@code StandardAuthorizer} with nothing allowed that
 * no ACL allows. The super user {@code admin} (PLAIN) provisions; each test creates SCRAM users
 * and their ACLs. Built on {@link LocalKafkaBroker} (not Kafka's test kit, whose listeners are
 * its own), started once per test JVM by {@link SharedSecureKafka}.
 */
public final class SecureKafkaCluster implements AutoCloseable {

    public static final String SUPER_USER = "admin";
    /** A PLAIN user the node knows from its own configuration (PLAIN has no users in the metadata). */
    public static final String PLAIN_USER = "flagplane-plain";
    /** The client certificate made for the mutual-TLS listener; its principal is {@code User:<this>}. */
    public static final String MTLS_CLIENT = "flagplane-mtls-client";

    private final LocalKafkaBroker broker;
    private final DevCertificates certificates;
    private final String superUserPassword;
    private final String plainPassword;

    private SecureKafkaCluster(LocalKafkaBroker broker, DevCertificates certificates, String superUserPassword,
                               String plainPassword) {
        this.broker = broker;
        this.certificates = certificates;
        this.superUserPassword = superUserPassword;
        this.plainPassword = plainPassword;
    }

    /** Makes the certificates (kept in {@code dir/tls} across runs), then formats and starts the node. */
    public static SecureKafkaCluster start(Path dir) {
        long began = System.nanoTime();
        DevCertificates certificates = DevCertificates.create(dir.resolve("tls"), "test-store-password", "broker",
                List.of("127.0.0.1", "localhost"), List.of(MTLS_CLIENT));
        long certified = System.nanoTime();
        String superUserPassword = "admin-" + UUID.randomUUID();
        String plainPassword = "plain-" + UUID.randomUUID();
        BrokerSecurity security = new BrokerSecurity(certificates.keystore("broker"), certificates.password(),
                certificates.truststore(), certificates.password(), SUPER_USER, superUserPassword,
                Map.of(PLAIN_USER, plainPassword), freePort(), true);
        Path data;
        try {
            data = Files.createTempDirectory(Files.createDirectories(dir), "kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LocalKafkaBroker broker = new LocalKafkaBroker(new LocalKafkaBroker.Settings(data, "127.0.0.1", freePort(), freePort())
                .secured(security));
        broker.start(Duration.ofSeconds(60));
        System.out.printf("secured test broker: certificates %d ms, broker %d ms%n", (certified - began) / 1_000_000,
                (System.nanoTime() - certified) / 1_000_000);
        return new SecureKafkaCluster(broker, certificates, superUserPassword, plainPassword);
    }

    /** The {@code SASL_SSL} listener. */
    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** The mutual-TLS ({@code SSL}, client certificate required) listener. */
    public String mtlsBootstrapServers() {
        return broker.mtlsBootstrapServers();
    }

    public DevCertificates certificates() {
        return certificates;
    }

    /** A new admin client of the super user; the caller closes it. */
    public Admin admin() {
        return Admin.create(broker.adminClientProperties());
    }

    /** Creates (or changes) a SCRAM-SHA-512 user, and returns once the broker knows it. */
    public void createScramUser(String name, String password) {
        try (Admin admin = admin()) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(name,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password))).all().get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!admin.describeUserScramCredentials(List.of(name)).all().get(30, TimeUnit.SECONDS).containsKey(name)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the broker does not know SCRAM user " + name + " after 30 s");
                }
                Thread.sleep(20);   // metadata has no change notification for clients: look again shortly
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create SCRAM user " + name + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The trust every client here needs: the test CA. */
    public Map<String, String> trust() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("ssl.truststore.location", certificates.truststore().toString());
        p.put("ssl.truststore.password", certificates.password());
        p.put("ssl.truststore.type", "PKCS12");
        return p;
    }

    /** Client properties of a SCRAM-SHA-512 user over SASL_SSL. */
    public Map<String, String> scram(String user, String password) {
        return sasl("SCRAM-SHA-512", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";");
    }

    /** Client properties of the PLAIN users: the super user or {@link #PLAIN_USER}. */
    public Map<String, String> plain(String user) {
        String password = user.equals(SUPER_USER) ? superUserPassword : user.equals(PLAIN_USER) ? plainPassword : null;
        if (password == null) {
            throw new IllegalArgumentException("no PLAIN user " + user);
        }
        return sasl("PLAIN", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";");
    }

    /** Client properties of an OAUTHBEARER client whose (unsecured) token names {@code subject}. */
    public Map<String, String> unsecuredOAuth(String subject) {
        return sasl("OAUTHBEARER", "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required "
                + "unsecuredLoginStringClaim_sub=\"" + subject + "\";");
    }

    /** Client properties for the mutual-TLS listener, with {@link #MTLS_CLIENT}'s certificate. */
    public Map<String, String> mutualTls() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("security.protocol", "SSL");
        p.putAll(trust());
        p.put("ssl.keystore.location", certificates.keystore(MTLS_CLIENT).toString());
        p.put("ssl.keystore.password", certificates.password());
        p.put("ssl.keystore.type", "PKCS12");
        return p;
    }

    private Map<String, String> sasl(String mechanism, String jaas) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", mechanism);
        p.put("sasl.jaas.config", jaas);
        p.putAll(trust());
        return p;
    }

    /** {@code properties} as {@code kafka.client.*} settings (what a service's settings hold). */
    public static Map<String, String> asSettings(Map<String, String> properties) {
        Map<String, String> settings = new HashMap<>();
        properties.forEach((k, v) -> settings.put("kafka.client." + k, v));
        return settings;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        broker.close();
    }
}
