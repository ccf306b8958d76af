package io.flagplane.load;

import io.flagplane.auth.Role;
import io.flagplane.auth.TokenRegistry;
import io.flagplane.avro.ActorKind;
import io.flagplane.broker.LocalKafkaBroker;
import io.flagplane.contract.TopicNames;
import io.flagplane.contract.Topics;
import io.flagplane.provisioning.FlagplaneTopics;
import io.flagplane.provisioning.ProvisioningSettings;
import io.flagplane.provisioning.TopicProvisioner;
import io.flagplane.registry.CachingSchemaRegistryClient;
import io.flagplane.registry.RestSchemaRegistryClient;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.registry.server.SchemaRegistryServer;
import io.flagplane.settings.Settings;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * What every in-process benchmark stands on: a real single-node KRaft broker in a scratch
 * directory, every Flagplane topic, the embedded schema registry, and an admin token.
 */
final class BenchStack implements AutoCloseable {

    final Path dir;
    final LocalKafkaBroker broker;
    final SchemaRegistryServer registry;
    final SchemaRegistryClient registryClient;
    final TopicNames topics = TopicNames.DEFAULT;
    final String adminToken = TokenRegistry.newToken();
    final Path tokens;

    BenchStack() throws IOException {
        dir = Files.createTempDirectory("flagplane-bench");
        broker = new LocalKafkaBroker(new LocalKafkaBroker.Settings(dir.resolve("kafka"), "127.0.0.1", freePort(), freePort()))
                .start(Duration.ofSeconds(60));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            new TopicProvisioner(admin, Duration.ofSeconds(30)).provision(FlagplaneTopics.all(topics, ProvisioningSettings.local()));
        }
        registry = SchemaRegistryServer.start(SchemaRegistryServer.Settings.local(broker.bootstrapServers(), Topics.SCHEMAS,
                freePort()));
        registryClient = new CachingSchemaRegistryClient(new RestSchemaRegistryClient(registry.url()));
        tokens = dir.resolve("tokens.json");
        Files.writeString(tokens, "{\"tokens\":[" + TokenRegistry.entry("bench", ActorKind.SERVICE_TOKEN,
                Map.of("*", Role.ADMIN), adminToken) + "]}");
    }

    String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** Settings every service of this stack shares, plus {@code extra}. */
    Settings settings(Map<String, String> extra) {
        Map<String, String> values = new HashMap<>(Map.of(
                "kafka.bootstrap.servers", bootstrapServers(),
                "schema.registry.url", registry.url(),
                "command.tokens.file", tokens.toString()));
        values.putAll(extra);
        return Settings.of(values);
    }

    @Override
    public void close() {
        registry.close();
        broker.close();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
