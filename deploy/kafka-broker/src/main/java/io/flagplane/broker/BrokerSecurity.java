package io.flagplane.broker;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A node that only speaks TLS with authenticated clients, and authorizes every request: its client
 * listener is {@code SASL_SSL} (SCRAM-SHA-512 and PLAIN), the controller listener too, with
 * KRaft's {@code StandardAuthorizer} on and nothing allowed that no ACL allows. One super user
 * (PLAIN, defined in the node's own JAAS configuration, so it exists before any metadata does) is
 * what the nodes use among themselves and what an operator provisions with; every service gets a
 * SCRAM user of its own and the ACLs of {@code flagplane acls}. Optionally a second client
 * listener ({@code SSL}, mutual TLS: a client certificate is required, and its CN is the
 * principal's name).
 *
 * @param keystore          the node's certificate and key (PKCS12), signed by a CA in {@code truststore}
 * @param truststore        the CA the node trusts: its peers' certificates and (mutual TLS) clients'
 * @param superUser         the super user's name ({@code User:<name>} in {@code super.users})
 * @param plainUsers        further PLAIN users (name to password) the node accepts; the super user is added
 * @param mtlsPort          the port of the mutual-TLS listener, 0 for none
 * @param unsecuredOAuth    accept OAUTHBEARER tokens with the client library's unsecured validator: for tests
 *                          only (anyone can claim any subject); never set by {@code bin/flagplane broker}
 */
public record BrokerSecurity(Path keystore, String keystorePassword, Path truststore, String truststorePassword,
                             String superUser, String superUserPassword, Map<String, String> plainUsers, int mtlsPort,
                             boolean unsecuredOAuth) {

    public static final String AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";
    private static final String PLAIN_MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule";
    private static final String SCRAM_MODULE = "org.apache.kafka.common.security.scram.ScramLoginModule";
    private static final String OAUTH_MODULE = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule";

    public BrokerSecurity {
        Objects.requireNonNull(keystore, "keystore");
        Objects.requireNonNull(truststore, "truststore");
        Objects.requireNonNull(superUser, "superUser");
        Objects.requireNonNull(superUserPassword, "superUserPassword");
        plainUsers = Map.copyOf(plainUsers);
    }

    /** The listeners' names: the client listener is named after its protocol, as Kafka's own examples do. */
    static final String CLIENT_LISTENER = "SASL_SSL";
    static final String MTLS_LISTENER = "MTLS";

    /** The broker properties for a node listening on {@code host:port} (clients) and {@code host:controllerPort}. */
    Map<String, String> brokerProperties(String host, int port, int controllerPort) {
        Map<String, String> p = new LinkedHashMap<>();
        String listeners = CLIENT_LISTENER + "://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controllerPort;
        String advertised = CLIENT_LISTENER + "://" + host + ":" + port;
        String map = CLIENT_LISTENER + ":SASL_SSL,CONTROLLER:SASL_SSL";
        if (mtlsPort > 0) {
            listeners += "," + MTLS_LISTENER + "://" + host + ":" + mtlsPort;
            advertised += "," + MTLS_LISTENER + "://" + host + ":" + mtlsPort;
            map += "," + MTLS_LISTENER + ":SSL";
            p.put("listener.name.mtls.ssl.client.auth", "required");
        }
        p.put("listeners", listeners);
        p.put("advertised.listeners", advertised);
        p.put("listener.security.protocol.map", map);
        p.put("inter.broker.listener.name", CLIENT_LISTENER);
        p.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        p.put("sasl.mechanism.controller.protocol", "PLAIN");

        // TLS on every listener, with the same certificate; the node checks its peers' names (https)
        p.put("ssl.keystore.location", keystore.toAbsolutePath().toString());
        p.put("ssl.keystore.password", keystorePassword);
        p.put("ssl.keystore.type", "PKCS12");
        p.put("ssl.truststore.location", truststore.toAbsolutePath().toString());
        p.put("ssl.truststore.password", truststorePassword);
        p.put("ssl.truststore.type", "PKCS12");
        p.put("ssl.endpoint.identification.algorithm", "https");
        // a client certificate's CN is the principal's name: CN=flagplane-edge,... -> User:flagplane-edge
        p.put("ssl.principal.mapping.rules", "RULE:^CN=([^,]+).*$/$1/,DEFAULT");

        String plain = plainJaas();
        String mechanisms = "SCRAM-SHA-512,PLAIN" + (unsecuredOAuth ? ",OAUTHBEARER" : "");
        p.put("listener.name.sasl_ssl.sasl.enabled.mechanisms", mechanisms);
        p.put("listener.name.sasl_ssl.plain.sasl.jaas.config", plain);
        p.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config", SCRAM_MODULE + " required;");
        if (unsecuredOAuth) {
            p.put("listener.name.sasl_ssl.oauthbearer.sasl.jaas.config", OAUTH_MODULE
                    + " required unsecuredLoginStringClaim_sub=\"" + superUser + "\";");
        }
        p.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
        p.put("listener.name.controller.plain.sasl.jaas.config", plain);

        p.put("authorizer.class.name", AUTHORIZER);
        p.put("super.users", "User:" + superUser);
        p.put("allow.everyone.if.no.acl.found", "false");
        return p;
    }

    /** The node's PLAIN JAAS: itself as the super user when it connects, and the users it accepts. */
    private String plainJaas() {
        StringBuilder jaas = new StringBuilder(PLAIN_MODULE).append(" required username=\"").append(superUser)
                .append("\" password=\"").append(superUserPassword).append("\" user_").append(superUser).append("=\"")
                .append(superUserPassword).append('"');
        plainUsers.forEach((name, password) -> jaas.append(" user_").append(name).append("=\"").append(password).append('"'));
        return jaas.append(';').toString();
    }

    /** Client properties of the super user on the client listener: the node's readiness check, and provisioning. */
    public Map<String, Object> superUserClient() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", "PLAIN");
        p.put("sasl.jaas.config", PLAIN_MODULE + " required username=\"" + superUser + "\" password=\"" + superUserPassword + "\";");
        p.put("ssl.truststore.location", truststore.toAbsolutePath().toString());
        p.put("ssl.truststore.password", truststorePassword);
        p.put("ssl.truststore.type", "PKCS12");
        return p;
    }

    @Override
    public String toString() {
        return "BrokerSecurity[SASL_SSL (SCRAM-SHA-512, PLAIN" + (unsecuredOAuth ? ", unsecured OAUTHBEARER" : "") + ")"
                + (mtlsPort > 0 ? ", mutual TLS on " + mtlsPort : "") + ", super user " + superUser + ", keystore " + keystore + "]";
    }
}
