package io.flagplane.registry.server;

import io.flagplane.connections.ClientRole;
import io.flagplane.connections.KafkaClientSettings;
import io.flagplane.connections.KafkaConnectionCheck;
import io.flagplane.provisioning.FlagplaneTopics;
import io.flagplane.provisioning.ProvisioningException;
import io.flagplane.provisioning.ProvisioningReport;
import io.flagplane.provisioning.ProvisioningSettings;
import io.flagplane.provisioning.TopicProvisioner;
import io.javalin.Javalin;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded schema registry: a Confluent-compatible REST API over a compacted Kafka topic.
 * Start it with {@link #start(Settings)}; its {@link #url()} is what serializers take as
 * {@code schema.registry.url}.
 */
public final class SchemaRegistryServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryServer.class);

    /**
     * Where to listen and where to keep the schemas. Port 0 picks a free port.
     *
     * @param kafka             the bootstrap servers and the Kafka client pass-through (TLS, SASL)
     * @param basicAuthUserInfo {@code user:password} pairs a request may authenticate with; with these and
     *                          {@code bearerTokens} both empty, no credentials are required
     * @param tls               HTTPS instead of HTTP, or null
     */
    public record Settings(KafkaClientSettings kafka, String topic, String host, int port,
                           ProvisioningSettings provisioning, Duration timeout, List<String> basicAuthUserInfo,
                           List<String> bearerTokens, RegistryTls tls) {
        public Settings {
            basicAuthUserInfo = List.copyOf(basicAuthUserInfo);
            bearerTokens = List.copyOf(bearerTokens);
        }

        public static Settings local(String bootstrapServers, String topic, int port) {
            return new Settings(KafkaClientSettings.plaintext(bootstrapServers), topic, "127.0.0.1", port,
                    ProvisioningSettings.local(), Duration.ofSeconds(5), List.of(), List.of(), null);
        }

        public String bootstrapServers() {
            return kafka.bootstrapServers();
        }

        /** The same registry, requiring these credentials. */
        public Settings requiring(List<String> userInfos, List<String> tokens) {
            return new Settings(kafka, topic, host, port, provisioning, timeout, userInfos, tokens, tls);
        }

        /** The same registry over HTTPS. */
        public Settings over(RegistryTls https) {
            return new Settings(kafka, topic, host, port, provisioning, timeout, basicAuthUserInfo, bearerTokens, https);
        }

        @Override
        public String toString() {
            return "Settings[" + kafka.summary() + ", topic=" + topic + ", " + host + ":" + port + ", "
                    + basicAuthUserInfo.size() + " basic-auth users, " + bearerTokens.size() + " bearer tokens"
                    + (tls == null ? "" : ", " + tls) + "]";
        }
    }

    private final KafkaSchemaStore store;
    private final Javalin http;
    private final String host;
    private final boolean https;

    private SchemaRegistryServer(KafkaSchemaStore store, Javalin http, String host, boolean https) {
        this.store = store;
        this.http = http;
        this.host = host;
        this.https = https;
    }

    /** Ensures the topic, rebuilds the state from it, and starts serving. */
    public static SchemaRegistryServer start(Settings settings) {
        KafkaConnectionCheck.check("schema registry", settings.kafka(), List.of(settings.topic()));
        ensureTopic(settings);
        KafkaSchemaStore store = new KafkaSchemaStore(settings.kafka(), settings.topic(), settings.timeout());
        try {
            store.start();
            RegistryCredentials credentials = RegistryCredentials.of(settings.basicAuthUserInfo(), settings.bearerTokens());
            Javalin http = RegistryHttpApi.create(store, credentials, settings.tls(), settings.host(), settings.port())
                    .start(settings.host(), settings.port());
            SchemaRegistryServer server = new SchemaRegistryServer(store, http, settings.host(), settings.tls() != null);
            LOG.info("schema registry serving {} from topic {}{}", server.url(), settings.topic(),
                    credentials.required() ? " (credentials required)" : "");
            return server;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    private static void ensureTopic(Settings settings) {
        try (Admin admin = Admin.create(settings.kafka().applyTo(ClientRole.ADMIN, new HashMap<>(Map.of(
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) settings.timeout().toMillis(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) settings.timeout().toMillis() * 2))))) {
            ProvisioningReport report = new TopicProvisioner(admin, settings.timeout().multipliedBy(2))
                    .provision(List.of(FlagplaneTopics.schemas(settings.topic(), settings.provisioning())));
            if (!report.ok()) {
                throw new ProvisioningException("the schema topic is not as the registry needs it:\n" + report.describe(), null);
            }
        }
    }

    public String url() {
        return (https ? "https://" : "http://") + ("0.0.0.0".equals(host) ? "127.0.0.1" : host) + ":" + http.port();
    }

    public int port() {
        return http.port();
    }

    /** Records on the topic that could not be read as registry records (logged and skipped). */
    public long undecodableRecords() {
        return store.undecodableRecords();
    }

    @Override
    public void close() {
        http.stop();
        store.close();
    }
}
