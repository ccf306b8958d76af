package io.flagplane.testkit.stack;

import io.flagplane.contract.TopicNames;
import io.flagplane.provisioning.FlagplaneTopics;
import io.flagplane.provisioning.ProvisioningReport;
import io.flagplane.provisioning.ProvisioningSettings;
import io.flagplane.provisioning.TopicProvisioner;
import io.flagplane.registry.CachingSchemaRegistryClient;
import io.flagplane.registry.RestSchemaRegistryClient;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.registry.server.SchemaRegistryServer;
import io.flagplane.testkit.KafkaTestCluster;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.SegmentState;
import java.time.Duration;
import org.apache.kafka.clients.admin.Admin;

/**
 * What a broker-backed service test needs: the shared broker, one embedded schema registry on
 * it, and freshly provisioned topics under a prefix no other test uses.
 */
public final class TestStack implements AutoCloseable {

    private final KafkaTestCluster kafka;
    private final SchemaRegistryServer registry;

    TestStack(KafkaTestCluster kafka) {
        this.kafka = kafka;
        this.registry = SchemaRegistryServer.start(SchemaRegistryServer.Settings.local(kafka.bootstrapServers(),
                KafkaTestCluster.uniqueName("_schemas"), 0));
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public String schemaRegistryUrl() {
        return registry.url();
    }

    /** A new caching client of the shared registry. */
    public SchemaRegistryClient registryClient() {
        return new CachingSchemaRegistryClient(new RestSchemaRegistryClient(registry.url()));
    }

    public Admin admin() {
        return kafka.admin();
    }

    /** Creates {@code flag-events} and {@code flag-state} under a new unique prefix (3 partitions each). */
    public TopicNames newTopics(String label) {
        TopicNames names = TopicNames.withPrefix(KafkaTestCluster.uniqueName(label) + ".");
        try (Admin admin = kafka.admin()) {
            ProvisioningReport report = new TopicProvisioner(admin, Duration.ofSeconds(30))
                    .provision(FlagplaneTopics.flagTopics(names, new ProvisioningSettings(3, (short) 1, 1)));
            if (!report.ok()) {
                throw new IllegalStateException(report.describe());
            }
        }
        return names;
    }

    /** Writes flag states to a {@code flag-state} topic as the projection would. */
    public void publishStates(String topic, FlagState... states) {
        StatePublisher.publish(bootstrapServers(), registryClient(), topic, states);
    }

    /** Writes segment states to a {@code segment-state} topic as the projection would. */
    public void publishSegments(String topic, SegmentState... states) {
        StatePublisher.publish(bootstrapServers(), registryClient(), topic, states);
    }

    public static String uniqueName(String base) {
        return KafkaTestCluster.uniqueName(base);
    }

    @Override
    public void close() {
        registry.close();
    }
}
