package io.flagplane.broker;

import io.flagplane.settings.Settings;
import io.flagplane.settings.SettingsException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * {@code bin/flagplane broker}: one KRaft node (combined broker + controller) as its own process,
 * configured through {@link Settings} like every Flagplane process. Alone it is a single-node
 * cluster; with {@code broker.controller.quorum.voters} naming three nodes and one
 * {@code broker.cluster.id} for all of them, it is one node of a three-node cluster whose internal
 * topics (consumer offsets, transaction state) are replicated three times with
 * {@code min.insync.replicas} 2, so a transaction commits with one node down.
 */
public final class KafkaBrokerCommand {

    private KafkaBrokerCommand() {
    }

    /** Reads the node's settings; fails with a message naming the setting. */
    public static LocalKafkaBroker.Settings settings(Settings settings) {
        int nodeId = settings.integer("broker.node.id", 1, 0, 1_000_000);
        String host = settings.string("broker.host", "127.0.0.1");
        int port = settings.integer("broker.port", 9092, 1, 65_535);
        int controllerPort = settings.integer("broker.controller.port", 9093, 1, 65_535);
        Path dataDir = Path.of(settings.string("broker.data.dir", ".flagplane/kafka"));
        String voters = settings.string("broker.controller.quorum.voters", null);
        int voterCount = voters == null || voters.isBlank() ? 1 : voters.split(",").length;
        String clusterId = settings.string("broker.cluster.id", null);
        if (voterCount > 1 && (clusterId == null || clusterId.isBlank())) {
            throw new SettingsException("broker.cluster.id is required when broker.controller.quorum.voters names several"
                    + " nodes (every node of one cluster is formatted with the same id, 22 characters of base64)");
        }
        int replication = settings.integer("broker.replication.factor", Math.min(3, voterCount), 1, voterCount);
        int minIsr = settings.integer("broker.min.insync.replicas", replication >= 3 ? 2 : 1, 1, replication);
        Map<String, String> properties = new HashMap<>();
        if (voterCount > 1) {
            for (String rf : new String[] {"offsets.topic.replication.factor", "transaction.state.log.replication.factor",
                    "share.coordinator.state.topic.replication.factor", "default.replication.factor"}) {
                properties.put(rf, String.valueOf(replication));
            }
            for (String isr : new String[] {"transaction.state.log.min.isr", "share.coordinator.state.topic.min.isr",
                    "min.insync.replicas"}) {
                properties.put(isr, String.valueOf(minIsr));
            }
        }
        String extra = settings.string("broker.config", null);
        if (extra != null && !extra.isBlank()) {
            properties.putAll(read(Path.of(extra)));
        }
        return new LocalKafkaBroker.Settings(dataDir, host, port, controllerPort, nodeId,
                voters == null || voters.isBlank() ? null : voters, clusterId, properties, security(settings));
    }

    /**
     * {@code broker.security}: {@code plaintext} (the default: no TLS, no authentication, no
     * authorizer; a desk machine) or {@code sasl_ssl} ({@link BrokerSecurity}: TLS on every
     * listener with {@code broker.ssl.keystore.*} and {@code broker.ssl.truststore.*}, SCRAM-SHA-512
     * and PLAIN, the standard authorizer, the super user {@code broker.super.user} with
     * {@code broker.super.user.password}, and a mutual-TLS listener on {@code broker.mtls.port} if set).
     */
    static BrokerSecurity security(Settings settings) {
        String mode = settings.string("broker.security", "plaintext").toLowerCase(java.util.Locale.ROOT);
        switch (mode) {
            case "plaintext":
                return null;
            case "sasl_ssl":
                return new BrokerSecurity(
                        Path.of(settings.required("broker.ssl.keystore.location")),
                        settings.required("broker.ssl.keystore.password"),
                        Path.of(settings.required("broker.ssl.truststore.location")),
                        settings.required("broker.ssl.truststore.password"),
                        settings.string("broker.super.user", "admin"),
                        settings.required("broker.super.user.password"),
                        Map.of(),
                        settings.integer("broker.mtls.port", 0, 0, 65_535),
                        false);
            default:
                throw new SettingsException("broker.security is '" + mode + "'; it must be plaintext or sasl_ssl");
        }
    }

    /** Fails naming the setting when a key or trust store of a secured node cannot be read (checked at start, not when read). */
    static void checkFiles(LocalKafkaBroker.Settings node) {
        BrokerSecurity security = node.security();
        if (security == null) {
            return;
        }
        if (!Files.isReadable(security.keystore())) {
            throw new SettingsException("broker.ssl.keystore.location names " + security.keystore() + ", which cannot be read");
        }
        if (!Files.isReadable(security.truststore())) {
            throw new SettingsException("broker.ssl.truststore.location names " + security.truststore() + ", which cannot be read");
        }
    }

    /** How long the process waits for the node to answer before it gives up (a quorum needs a majority of its voters up). */
    public static Duration readyTimeout(Settings settings) {
        return settings.millis("broker.ready.timeout.ms", Duration.ofMinutes(5));
    }

    private static Map<String, String> read(Path file) {
        Properties p = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(reader);
        } catch (IOException e) {
            throw new SettingsException("broker.config names " + file + ", which cannot be read: " + e.getMessage());
        }
        Map<String, String> values = new HashMap<>();
        p.stringPropertyNames().forEach(name -> values.put(name, p.getProperty(name)));
        return values;
    }

    public static void main(String[] args) throws InterruptedException {
        Settings settings = Settings.fromEnvironment();
        LocalKafkaBroker.Settings node = settings(settings);
        checkFiles(node);
        Duration ready = readyTimeout(settings);
        LocalKafkaBroker broker = new LocalKafkaBroker(node);
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "broker-shutdown"));
        broker.start(ready);
        System.out.println("Kafka node " + node.nodeId() + " ready at " + broker.bootstrapServers() + " with data in "
                + node.dataDir().toAbsolutePath());
        Thread.currentThread().join();
    }
}
