package io.flagplane.testkit.stack;

import io.flagplane.broker.LocalKafkaBroker;
import io.flagplane.contract.TopicNames;
import io.flagplane.provisioning.FlagplaneTopics;
import io.flagplane.provisioning.ProvisioningSettings;
import io.flagplane.provisioning.TopicProvisioner;
import io.flagplane.registry.CachingSchemaRegistryClient;
import io.flagplane.registry.RestSchemaRegistryClient;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.registry.server.SchemaRegistryServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;

/**
 * A broker of a test's own that can be stopped and started again on the same ports and data
 * (a real {@code KafkaRaftServer}), with a registry on it: for tests of what happens while Kafka
 * is away and after it comes back.
 */
public final class RestartableStack implements AutoCloseable {

    private final LocalKafkaBroker.Settings settings;
    private LocalKafkaBroker broker;
    private final SchemaRegistryServer registry;

    public RestartableStack() {
        try {
            Path dir = Files.createTempDirectory(Path.of("target"), "restartable-kafka");
            settings = new LocalKafkaBroker.Settings(dir, "127.0.0.1", freePort(), freePort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        broker = new LocalKafkaBroker(settings).start(Duration.ofSeconds(60));
        registry = SchemaRegistryServer.start(SchemaRegistryServer.Settings.local(bootstrapServers(), "_schemas", 0));
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + settings.port();
    }

    public String schemaRegistryUrl() {
        return registry.url();
    }

    /** A registry client for this stack's registry. */
    public SchemaRegistryClient registryClient() {
        return new CachingSchemaRegistryClient(new RestSchemaRegistryClient(schemaRegistryUrl()));
    }

    /** Writes flag (or segment) states to a state topic as the projection would. */
    public void publishStates(String topic, SpecificRecord... states) {
        StatePublisher.publish(bootstrapServers(), registryClient(), topic, states);
    }

    public TopicNames topics() {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
            new TopicProvisioner(admin, Duration.ofSeconds(30))
                    .provision(FlagplaneTopics.flagTopics(TopicNames.DEFAULT, new ProvisioningSettings(3, (short) 1, 1)));
        }
        return TopicNames.DEFAULT;
    }

    public void stopKafka() {
        broker.close();
        broker = null;
    }

    public void startKafka() {
        broker = new LocalKafkaBroker(settings).start(Duration.ofSeconds(60));
    }

    @Override
    public void close() {
        registry.close();
        if (broker != null) {
            broker.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
