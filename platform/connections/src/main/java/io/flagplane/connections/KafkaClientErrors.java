package io.flagplane.connections;

import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/**
 * Turns what a Kafka client throws about its connection (a refused credential, a certificate it
 * does not trust, a key store it cannot load, an ACL it lacks) into a sentence naming the
 * Flagplane setting to look at. Knows no secret: messages name settings, never values.
 */
public final class KafkaClientErrors {

    private KafkaClientErrors() {
    }

    /**
     * A sentence naming the setting behind {@code failure}, or null when the failure is not about
     * how the client connects (a broker that is away, say).
     */
    public static String explain(Throwable failure, KafkaClientSettings kafka, ClientRole role) {
        Map<String, Object> effective = kafka.forRole(role);
        String where = "Kafka at " + kafka.bootstrapServers();
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SaslAuthenticationException) {
                return where + " refused the SASL credentials (" + mechanism(effective) + ") in "
                        + kafka.settingFor(role, "sasl.jaas.config") + ": " + t.getMessage();
            }
            if (t instanceof SslAuthenticationException && refusedClientCertificate(t)) {
                return where + " refused this client's certificate, or it sent none: " + root(t) + ". Check "
                        + kafka.settingFor(role, "ssl.keystore.location") + " (a certificate signed by a CA the brokers trust, "
                        + "for a listener with ssl.client.auth=required)";
            }
            if (t instanceof SslAuthenticationException) {
                boolean keystore = effective.containsKey("ssl.keystore.location") || effective.containsKey("ssl.keystore.key");
                return "the TLS handshake with " + where + " failed: " + root(t) + ". Check "
                        + kafka.settingFor(role, "ssl.truststore.location") + " (it must hold the CA that signed the brokers' "
                        + "certificates)" + (keystore ? " and " + kafka.settingFor(role, "ssl.keystore.location")
                        + " (the client certificate the brokers must trust)" : "")
                        + ", and that the brokers' certificates name the host in kafka.bootstrap.servers";
            }
            if (t instanceof AuthenticationException) {
                return where + " did not authenticate this client (" + kafka.settingFor(role, "security.protocol") + " is "
                        + kafka.securityProtocol(role) + "): " + t.getMessage();
            }
            if (t instanceof AuthorizationException) {
                return where + " refused: " + t.getMessage() + ". The principal in " + kafka.settingFor(role, "sasl.jaas.config")
                        + " (or the client certificate) lacks an ACL; grant what this service needs with "
                        + "'flagplane acls' (docs/SECURITY.md)";
            }
            if (t instanceof ConfigException && t.getMessage() != null) {
                String property = configNamed(t.getMessage(), effective);
                return (property == null ? "a Kafka client setting" : kafka.settingFor(role, property)) + ": " + t.getMessage();
            }
            String message = t.getMessage() == null ? "" : t.getMessage();
            if (message.contains("JAAS configuration") || message.contains("KafkaClient")) {
                return kafka.settingFor(role, "sasl.jaas.config") + ": " + message;
            }
            String lower = message.toLowerCase(Locale.ROOT);
            if (lower.contains("truststore") || lower.contains("trust store")) {
                return kafka.settingFor(role, "ssl.truststore.location") + " (or its password or type): " + message;
            }
            if (lower.contains("keystore") || lower.contains("key store")) {
                return kafka.settingFor(role, "ssl.keystore.location") + " (or its password or type): " + message;
            }
        }
        return null;
    }

    /** The broker's alert when it wants a client certificate it did not get, or does not trust the one it got. */
    private static boolean refusedClientCertificate(Throwable t) {
        String message = root(t).toLowerCase(Locale.ROOT);
        return message.contains("bad_certificate") || message.contains("certificate_required")
                || message.contains("unknown_ca") && !message.contains("pkix");
    }

    private static String mechanism(Map<String, Object> effective) {
        Object mechanism = effective.get("sasl.mechanism");
        return mechanism == null ? "GSSAPI" : mechanism.toString();
    }

    private static String configNamed(String message, Map<String, Object> effective) {
        for (String property : effective.keySet()) {
            if (message.contains(property)) {
                return property;
            }
        }
        return null;
    }

    private static String root(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
