package io.flagplane.projection;

import io.flagplane.connections.KafkaClientSettings;
import io.flagplane.connections.RegistrySettings;
import io.flagplane.registry.RegistryAccess;
import io.flagplane.contract.TopicNames;
import io.flagplane.projection.telemetry.Liveness;
import io.flagplane.projection.guardrails.PrometheusSettings;
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
 * @param experiments    how exposures and tracked events are folded into experiment results
 * @param guardrails     how rollout plans' guardrails are measured, read and published
 * @param telemetryApart run the telemetry (evaluator reports, experiments) in a Kafka Streams application of its
 *                       own, {@code <applicationId>-telemetry}, beside the fold's ({@code projection.telemetry.apart},
 *                       default true); false is the earlier layout, one application for all, kept for A/B measurements
 */
public record ProjectionConfig(String host, int port, String advertisedHost, KafkaClientSettings kafka, RegistryAccess registry,
                               TopicNames topics, String applicationId, Path stateDir, int replicationFactor,
                               Duration commitInterval, boolean authEnabled, Path tokensFile, Duration streamHeartbeat,
                               int maxStreams, Reports reports, Experiments experiments, Guardrails guardrails,
                               boolean telemetryApart) {

    /**
     * Evaluator reports: liveness thresholds, how long a silent node is remembered, the bounds of
     * a propagation {@code wait} and stream, and how often flags are checked for staleness.
     */
    public record Reports(Liveness.Rules liveness, Duration forgetAfter, Duration maxWait, int maxWaits, int maxStreams,
                          Duration maxStreamDuration, Duration staleCheckEvery) {
    }

    /**
     * The experiment analysis: how long a tracked event waits for its exposure ({@code grace}), how
     * many events a user keeps, and the bounds of the results streams.
     */
    public record Experiments(Duration grace, int maxEventsPerUser, int maxStreams, Duration maxStreamDuration) {
    }

    /**
     * The guardrails of running rollout plans.
     *
     * @param interval          how often each running plan's guardrails are read and a release signal published
     * @param flush             how often measured figures travel to the plan's evaluator (how fresh a reading is)
     * @param partitions        partitions of the internal topics that gather a plan's figures (fixed once the application ran)
     * @param fineHorizon       how long 10-second buckets are kept: the longest window read at that precision
     * @param coarseHorizon     how long hourly buckets are kept: how far back "exposed since the step started" reaches
     * @param signalHistory     how long published verdicts are kept for a plan's verdict series
     * @param grace             how long a tracked event that arrives before its user's first plan exposure waits for it
     * @param prometheus        how PROMETHEUS guardrails reach their servers ({@code projection.guardrails.prometheus.*})
     */
    public record Guardrails(Duration interval, Duration flush, int partitions, Duration fineHorizon, Duration coarseHorizon,
                             Duration signalHistory, Duration grace, PrometheusSettings prometheus) {
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
                        settings.millis("projection.lifecycle.check.ms", Duration.ofMinutes(1))),
                new Experiments(settings.millis("projection.experiments.grace.ms", Duration.ofHours(1)),
                        settings.integer("projection.experiments.max.events.per.user", 200, 1, 10_000),
                        settings.integer("projection.experiments.max.streams", 32, 1, 10_000),
                        settings.millis("projection.experiments.stream.max.ms", Duration.ofHours(1))),
                guardrails(settings),
                settings.bool("projection.telemetry.apart", true));
    }

    private static Guardrails guardrails(Settings settings) {
        Duration interval = settings.millis("projection.guardrails.interval.ms", Duration.ofSeconds(10));
        Duration flush = settings.millis("projection.guardrails.flush.ms", Duration.ofMillis(500));
        Duration fine = settings.millis("projection.guardrails.fine.horizon.ms", Duration.ofHours(2));
        Duration coarse = settings.millis("projection.guardrails.coarse.horizon.ms", Duration.ofDays(8));
        if (interval.compareTo(Duration.ofMillis(100)) < 0) {
            throw new SettingsException("projection.guardrails.interval.ms must be at least 100 ms, was " + interval.toMillis());
        }
        if (flush.compareTo(Duration.ofMillis(10)) < 0 || flush.compareTo(interval) > 0) {
            throw new SettingsException("projection.guardrails.flush.ms must be between 10 ms and projection.guardrails.interval.ms ("
                    + interval.toMillis() + "), was " + flush.toMillis());
        }
        if (fine.compareTo(Duration.ofMinutes(1)) < 0 || coarse.compareTo(fine) < 0) {
            throw new SettingsException("projection.guardrails.fine.horizon.ms must be at least a minute and at most "
                    + "projection.guardrails.coarse.horizon.ms; were " + fine.toMillis() + " and " + coarse.toMillis());
        }
        return new Guardrails(interval, flush, settings.integer("projection.guardrails.partitions", 1, 1, 1_000), fine, coarse,
                settings.millis("projection.guardrails.signal.history.ms", Duration.ofHours(6)),
                settings.millis("projection.guardrails.grace.ms", Duration.ofMinutes(5)), PrometheusSettings.from(settings));
    }
}
