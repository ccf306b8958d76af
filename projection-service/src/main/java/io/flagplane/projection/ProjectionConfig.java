package io.flagplane.projection;

import io.flagplane.contract.TopicNames;
import io.flagplane.settings.Settings;
import java.nio.file.Path;
import java.time.Duration;

/** The projection-service's configuration, validated once at start-up. */
public record ProjectionConfig(String host, int port, String bootstrapServers, String schemaRegistryUrl, TopicNames topics,
                               String applicationId, Path stateDir, int replicationFactor, Duration commitInterval) {

    public static ProjectionConfig from(Settings settings) {
        return new ProjectionConfig(
                settings.string("projection.host", "0.0.0.0"),
                settings.integer("projection.port", 8082, 0, 65_535),
                settings.string("kafka.bootstrap.servers", "127.0.0.1:9092"),
                settings.string("schema.registry.url", "http://127.0.0.1:8081"),
                TopicNames.withPrefix(settings.string("topic.prefix", "")),
                settings.string("projection.application.id", "flagplane-projection"),
                Path.of(settings.string("projection.state.dir", System.getProperty("java.io.tmpdir") + "/flagplane-streams")),
                settings.integer("projection.replication.factor", -1, -1, 32),
                settings.millis("projection.commit.interval.ms", Duration.ofMillis(100)));
    }
}
