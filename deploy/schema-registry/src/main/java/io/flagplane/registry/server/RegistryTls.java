package io.flagplane.registry.server;

import io.javalin.config.JavalinConfig;
import java.nio.file.Path;
import java.util.Objects;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * HTTPS for the embedded registry: its certificate and key in a key store
 * ({@code registry.ssl.keystore.location} / {@code .password} / {@code .type}, PKCS12 unless
 * said). With it the registry listens on HTTPS only; clients trust its CA with
 * {@code schema.registry.ssl.truststore.location}.
 */
public record RegistryTls(Path keystore, String password, String type) {

    public RegistryTls {
        Objects.requireNonNull(keystore, "keystore");
        Objects.requireNonNull(password, "password");
        type = type == null || type.isBlank() ? "PKCS12" : type;
    }

    /** Replaces Javalin's plain HTTP connector with one HTTPS connector on {@code host:port}. */
    void configure(JavalinConfig config, String host, int port) {
        config.jetty.addConnector((server, http) -> {
            SslContextFactory.Server tls = new SslContextFactory.Server();
            tls.setKeyStorePath(keystore.toAbsolutePath().toString());
            tls.setKeyStorePassword(password);
            tls.setKeyStoreType(type);
            HttpConfiguration https = new HttpConfiguration(http);
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            secure.setSniHostCheck(false);   // clients may name the registry by an IP address the certificate holds
            https.addCustomizer(secure);
            ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(tls, "http/1.1"),
                    new HttpConnectionFactory(https));
            connector.setHost(host);
            connector.setPort(port);
            return connector;
        });
    }

    @Override
    public String toString() {
        return "RegistryTls[" + keystore + ", " + type + "]";
    }
}
