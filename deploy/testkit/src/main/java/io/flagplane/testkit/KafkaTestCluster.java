package io.flagplane.testkit;

import io.flagplane.broker.SingleNodeSettings;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node KRaft cluster (one combined broker + controller) in this JVM, built with
 * Kafka's own test kit. The test kit is an internal Kafka API that changes between minor
 * versions: every use of it stays in this class.
 *
 * <p>It runs with production feature levels (transaction version 2, the new group protocol),
 * not the unstable ones the test kit enables by default.
 */
public final class KafkaTestCluster implements AutoCloseable {

    private static final AtomicInteger NAMES = new AtomicInteger();

    private final KafkaClusterTestKit cluster;

    private KafkaTestCluster(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /** Formats, starts and waits for a new cluster; about 3-4 s for the first in a JVM. */
    public static KafkaTestCluster start() {
        try {
            MetadataVersion version = MetadataVersion.LATEST_PRODUCTION;
            Map<String, Short> features = Feature.PRODUCTION_FEATURES.stream().collect(Collectors.toMap(
                    Feature::featureName, f -> f.defaultLevel(version), (a, b) -> a, TreeMap::new));
            TestKitNodes nodes = new TestKitNodes.Builder(BootstrapMetadata.fromVersions(version, features, "flagplane-testkit"))
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
            SingleNodeSettings.get().forEach(builder::setConfigProp);
            KafkaClusterTestKit cluster = builder.build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new KafkaTestCluster(cluster);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the test broker", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the test broker: " + e.getMessage(), e);
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** A new admin client; the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    /**
     * A name no other test in this JVM gets: for topic prefixes, application ids and
     * transactional ids, so that tests sharing the broker never see each other's data.
     */
    public static String uniqueName(String base) {
        return base + "-" + NAMES.incrementAndGet() + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
