package io.flagplane.projection;

import io.flagplane.connections.KafkaClientSettings;
import io.flagplane.connections.RegistrySettings;
import io.flagplane.registry.RegistryAccess;
import io.flagplane.contract.TopicNames;
import io.flagplane.projection.telemetry.Liveness;
import io.flagplane.settings.Settings;
import io.flagplane.settings.SettingsException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The projection-service's configuration, validated once at start-up.
 *
 * @param advertisedHost the host other instances use to reach this one's HTTP port (queries are
 *                       forwarded to the instance holding the data)
 * @param reports        how evaluator reports are folded and answered
 * @param kafka          the bootstrap servers and the Kafka client pass-through ({@code kafka.client.*}, {@code kafka.streams.*})
 * @param registry       the schema registry's URL, credentials and trust store
 */
public record ProjectionConfig(String host, int port, String advertisedHost, KafkaClientSettings kafka, RegistryAccess registry,
                               TopicNames topics, String applicationId, Path stateDir, int replicationFactor,
                               Duration commitInterval, boolean authEnabled, Path tokensFile, Duration streamHeartbeat,
                               int maxStreams, Reports reports) {

    /**
     * Evaluator reports: liveness thresholds, how long a silent node is remembered, the bounds of
     * a propagation {@code wait} and stream, and how often flags are checked for staleness.
     */
    public record Reports(Liveness.Rules liveness, Duration forgetAfter, Duration maxWait, int maxWaits, int maxStreams,
                          Duration maxStreamDuration, Duration staleCheckEvery) {
    }

    public ProjectionConfig {
        if (authEnabled && tokensFile == null) {
            throw new SettingsException("projection.tokens.file is required (the same JSON file of token hashes the "
                    + "command-service reads), or set projection.auth.enabled=false for an open local service");
        }
    }

    private static Liveness.Rules liveness(Settings settings) {
        int live = settings.integer("projection.evaluators.live.heartbeats", 3, 1, 100);
        int gone = settings.integer("projection.evaluators.gone.heartbeats", 10, 2, 1_000);
        if (gone <= live) {
            throw new SettingsException("projection.evaluators.gone.heartbeats (" + gone + ") must be more than "
                    + "projection.evaluators.live.heartbeats (" + live + ")");
        }
        return new Liveness.Rules(live, gone);
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public String schemaRegistryUrl() {
        return registry.url();
    }

    public static ProjectionConfig from(Settings settings) {
        String tokens = settings.string("projection.tokens.file", settings.string("command.tokens.file", null));
        return new ProjectionConfig(
                settings.string("projection.host", "0.0.0.0"),
                settings.integer("projection.port", 8082, 0, 65_535),
                settings.string("projection.advertised.host", "127.0.0.1"),
                KafkaClientSettings.from(settings),
                RegistrySettings.from(settings),
                TopicNames.withPrefix(settings.string("topic.prefix", "")),
                settings.string("projection.application.id", "flagplane-projection"),
                Path.of(settings.string("projection.state.dir", System.getProperty("java.io.tmpdir") + "/flagplane-streams")),
                settings.integer("projection.replication.factor", -1, -1, 32),
                settings.millis("projection.commit.interval.ms", Duration.ofMillis(100)),
                settings.bool("projection.auth.enabled", true),
                tokens == null || tokens.isBlank() ? null : Path.of(tokens),
                settings.millis("projection.stream.heartbeat.ms", Duration.ofSeconds(15)),
                settings.integer("projection.stream.max.connections", 64, 1, 10_000),
                new Reports(liveness(settings),
                        settings.millis("projection.evaluators.forget.after.ms", Duration.ofDays(7)),
                        settings.millis("projection.propagation.max.wait.ms", Duration.ofSeconds(30)),
                        settings.integer("projection.propagation.max.waits", 64, 1, 10_000),
                        settings.integer("projection.propagation.max.streams", 32, 1, 10_000),
                        settings.millis("projection.propagation.stream.max.ms", Duration.ofMinutes(10)),
                        settings.millis("projection.lifecycle.check.ms", Duration.ofMinutes(1))));
    }
}
