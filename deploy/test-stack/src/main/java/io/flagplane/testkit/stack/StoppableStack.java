package io.flagplane.testkit.stack;

import io.flagplane.contract.TopicNames;
import io.flagplane.provisioning.FlagplaneTopics;
import io.flagplane.provisioning.ProvisioningSettings;
import io.flagplane.provisioning.TopicProvisioner;
import io.flagplane.registry.CachingSchemaRegistryClient;
import io.flagplane.registry.RestSchemaRegistryClient;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.registry.server.SchemaRegistryServer;
import io.flagplane.testkit.KafkaTestCluster;
import java.time.Duration;
import org.apache.kafka.clients.admin.Admin;

/**
 * A broker and registry of a test's own, for tests that take Kafka away (fail-static, stale
 * status). Not shared: {@link #stopKafka()} ends it for good.
 */
public final class StoppableStack implements AutoCloseable {

    private final KafkaTestCluster kafka;
    private final SchemaRegistryServer registry;
    private boolean kafkaStopped;

    public StoppableStack() {
        this.kafka = KafkaTestCluster.start();
        this.registry = SchemaRegistryServer.start(SchemaRegistryServer.Settings.local(kafka.bootstrapServers(),
                "_schemas", 0));
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public String schemaRegistryUrl() {
        return registry.url();
    }

    public SchemaRegistryClient registryClient() {
        return new CachingSchemaRegistryClient(new RestSchemaRegistryClient(registry.url()));
    }

    public TopicNames topics() {
        TopicNames names = TopicNames.DEFAULT;
        try (Admin admin = kafka.admin()) {
            new TopicProvisioner(admin, Duration.ofSeconds(30))
                    .provision(FlagplaneTopics.flagTopics(names, new ProvisioningSettings(3, (short) 1, 1)));
        }
        return names;
    }

    /** Writes flag states to a {@code flag-state} topic as the projection would. */
    public void publishStates(String topic, io.flagplane.avro.FlagState... states) {
        StatePublisher.publish(bootstrapServers(), registryClient(), topic, states);
    }

    /** Stops the broker (and so the registry's store); everything connected sees Kafka vanish. */
    public void stopKafka() throws Exception {
        if (!kafkaStopped) {
            kafkaStopped = true;
            kafka.close();
        }
    }

    @Override
    public void close() throws Exception {
        registry.close();
        stopKafka();
    }
}
