package io.flagplane.broker;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real KRaft node (combined broker + controller) running in this JVM, keeping its data in a
 * directory across restarts. The storage is formatted only when it has never been formatted
 * ({@code meta.properties} missing). Alone it is the local stack's single-node cluster; with
 * {@link Settings#voters() voters} and a shared {@link Settings#clusterId() cluster id} it is one
 * node of a multi-node cluster ({@link KafkaBrokerCommand}, behind {@code bin/flagplane broker}).
 *
 * <p>Tests use {@code KafkaTestCluster} from the testkit module instead.
 */
public final class LocalKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalKafkaBroker.class);

    /**
     * Where and how to run.
     *
     * @param voters     the controller quorum, {@code id@host:port,…}; null for this node alone
     * @param clusterId  the id every node of one cluster is formatted with; null for a random one (a single node)
     * @param properties broker properties over {@link SingleNodeSettings} (a multi-node cluster's replication factors)
     * @param security   TLS, SASL and the authorizer ({@link BrokerSecurity}); null for a plaintext node with no authorizer
     */
    public record Settings(Path dataDir, String host, int port, int controllerPort, int nodeId, String voters,
                           String clusterId, Map<String, String> properties, BrokerSecurity security) {
        public Settings {
            properties = Map.copyOf(properties);
        }

        /** A plaintext node. */
        public Settings(Path dataDir, String host, int port, int controllerPort, int nodeId, String voters,
                        String clusterId, Map<String, String> properties) {
            this(dataDir, host, port, controllerPort, nodeId, voters, clusterId, properties, null);
        }

        /** A single-node cluster. */
        public Settings(Path dataDir, String host, int port, int controllerPort) {
            this(dataDir, host, port, controllerPort, 1, null, null, Map.of());
        }

        /** The same node, secured. */
        public Settings secured(BrokerSecurity with) {
            return new Settings(dataDir, host, port, controllerPort, nodeId, voters, clusterId, properties, with);
        }

        public static Settings defaults(Path dataDir) {
            return new Settings(dataDir, "127.0.0.1", 9092, 9093);
        }

        String quorumVoters() {
            return voters != null ? voters : nodeId + "@" + host + ":" + controllerPort;
        }
    }

    private final Settings settings;
    private KafkaRaftServer server;

    public LocalKafkaBroker(Settings settings) {
        this.settings = settings;
    }

    /** The client listener: plaintext, or {@code SASL_SSL} on a secured node. */
    public String bootstrapServers() {
        return settings.host() + ":" + settings.port();
    }

    /** The mutual-TLS listener of a secured node that has one. */
    public String mtlsBootstrapServers() {
        if (settings.security() == null || settings.security().mtlsPort() == 0) {
            throw new IllegalStateException("this node has no mutual-TLS listener");
        }
        return settings.host() + ":" + settings.security().mtlsPort();
    }

    /** Client properties an admin of this node connects with: none on a plaintext node, the super user's on a secured one. */
    public Map<String, Object> adminClientProperties() {
        Map<String, Object> p = new java.util.HashMap<>();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        if (settings.security() != null) {
            p.putAll(settings.security().superUserClient());
        }
        return p;
    }

    /** Formats if needed, starts, and returns once the broker answers an admin request. */
    public LocalKafkaBroker start(Duration readyTimeout) {
        Path logDir = settings.dataDir().resolve("kafka-logs").toAbsolutePath();
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the broker's data directory " + logDir, e);
        }
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            format(logDir);
        }
        KafkaConfig config = KafkaConfig.fromProps(properties(logDir));
        server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        awaitReady(readyTimeout);
        return this;
    }

    private void format(Path logDir) {
        String clusterId = settings.clusterId() != null ? settings.clusterId() : Uuid.randomUuid().toString();
        LOG.info("formatting new KRaft storage in {} (cluster id {}, node {})", logDir, clusterId, settings.nodeId());
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(PrintStream.nullOutputStream()))
                    .setNodeId(settings.nodeId())
                    .setClusterId(clusterId)
                    .setControllerListenerName("CONTROLLER")
                    .setMetadataLogDirectory(logDir.toString())
                    .addDirectory(logDir.toString())
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format KRaft storage in " + logDir + ": " + e.getMessage(), e);
        }
    }

    private Properties properties(Path logDir) {
        Properties p = new Properties();
        p.putAll(SingleNodeSettings.get());
        p.putAll(settings.properties());
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(settings.nodeId()));
        p.put("controller.quorum.voters", settings.quorumVoters());
        p.put("controller.listener.names", "CONTROLLER");
        if (settings.security() != null) {
            p.putAll(settings.security().brokerProperties(settings.host(), settings.port(), settings.controllerPort()));
        } else {
            p.put("listeners", "PLAINTEXT://" + settings.host() + ":" + settings.port()
                    + ",CONTROLLER://" + settings.host() + ":" + settings.controllerPort());
            p.put("advertised.listeners", "PLAINTEXT://" + settings.host() + ":" + settings.port());
            p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            p.put("inter.broker.listener.name", "PLAINTEXT");
        }
        p.put("log.dirs", logDir.toString());
        p.put("metadata.log.dir", logDir.toString());
        return p;
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Object> config = adminClientProperties();
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000);
        try (Admin admin = Admin.create(config)) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("broker at " + bootstrapServers() + " not ready after " + timeout, e);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the broker", e);
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

}
