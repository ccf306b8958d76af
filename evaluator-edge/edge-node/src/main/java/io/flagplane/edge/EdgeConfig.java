package io.flagplane.edge;

import io.flagplane.connections.KafkaClientSettings;
import io.flagplane.connections.RegistrySettings;
import io.flagplane.registry.RegistryAccess;
import io.flagplane.contract.TopicNames;
import io.flagplane.reporting.ReportingSettings;
import io.flagplane.reporting.exposure.ExposureSettings;
import io.flagplane.reporting.tracking.TrackingSettings;
import io.flagplane.settings.Settings;
import io.flagplane.settings.SettingsException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An edge node's configuration, validated once at start-up.
 *
 * @param environments the environments this node serves, in order; requests name one with the
 *                     {@code X-Flagplane-Environment} header (or {@code ?environment=}), or get the first.
 *                     {@code *} alone serves every environment the ruleset holds flags or segments
 *                     for (only declared environments take any); requests must then name one
 * @param authEnabled  whether evaluation needs a token with at least {@code viewer} in the environment
 * @param tokensFile   the tokens file (hashes and grants), shared with the other services
 * @param snapshotFile where the last known ruleset is kept, so the node can start while Kafka is down; null for none
 * @param heartbeat    how often the change stream sends a heartbeat
 * @param reporting    how the node reports to {@code evaluator-reports} ({@code edge.report.*}, {@code edge.node.id})
 * @param exposures    how the node logs exposures to running experiments on {@code flag-exposures} ({@code edge.exposures.*})
 * @param tracking     how the node takes {@code POST /api/v1/track} to {@code tracking-events} ({@code edge.tracking.*})
 * @param kafka        the bootstrap servers and the Kafka client pass-through ({@code kafka.client.*}: TLS, SASL); its
 *                     consumer settings reach the ruleset's reader, its producer settings the report sender and the
 *                     exposure and tracking producer
 * @param registry     the schema registry's URL, credentials and trust store
 */
public record EdgeConfig(String host, int port, KafkaClientSettings kafka, RegistryAccess registry, TopicNames topics,
                         List<String> environments, boolean authEnabled, Path tokensFile, Path snapshotFile,
                         Duration heartbeat, int maxStreams, ReportingSettings reporting, ExposureSettings exposures,
                         TrackingSettings tracking) {

    public static final String ENVIRONMENT_HEADER = "X-Flagplane-Environment";
    /** {@code edge.environments=*}: serve every environment. */
    public static final String EVERY_ENVIRONMENT = "*";

    public EdgeConfig {
        if (reporting == null || exposures == null || tracking == null) {
            throw new SettingsException("the edge node's reporting, exposure or tracking settings are missing");
        }
        if (environments.isEmpty()) {
            throw new SettingsException("edge.environments must name at least one environment");
        }
        environments = List.copyOf(new LinkedHashSet<>(environments));
        if (environments.contains(EVERY_ENVIRONMENT) && environments.size() > 1) {
            throw new SettingsException("edge.environments is either '*' (every environment) or a list of names, not both");
        }
        if (authEnabled && tokensFile == null) {
            throw new SettingsException("edge.tokens.file is required (the JSON file of token hashes the other services "
                    + "read; a viewer token may evaluate), or set edge.auth.enabled=false for an open local node");
        }
    }

    /**
     * A node with the default reporting, exposure and tracking settings (all on), plaintext to Kafka
     * and the registry.
     */
    public EdgeConfig(String host, int port, String bootstrapServers, String schemaRegistryUrl, TopicNames topics,
                      List<String> environments, boolean authEnabled, Path tokensFile, Path snapshotFile,
                      Duration heartbeat, int maxStreams) {
        this(host, port, KafkaClientSettings.plaintext(bootstrapServers), RegistryAccess.of(schemaRegistryUrl), topics,
                environments, authEnabled, tokensFile, snapshotFile, heartbeat, maxStreams, ReportingSettings.defaults());
    }

    /** A node with these reporting settings and the default exposure and tracking settings (on). */
    public EdgeConfig(String host, int port, KafkaClientSettings kafka, RegistryAccess registry, TopicNames topics,
                      List<String> environments, boolean authEnabled, Path tokensFile, Path snapshotFile,
                      Duration heartbeat, int maxStreams, ReportingSettings reporting) {
        this(host, port, kafka, registry, topics, environments, authEnabled, tokensFile, snapshotFile, heartbeat, maxStreams,
                reporting, ExposureSettings.defaults(), TrackingSettings.defaults());
    }

    /** The same node reporting as {@code settings} say. */
    public EdgeConfig withReporting(ReportingSettings settings) {
        return new EdgeConfig(host, port, kafka, registry, topics, environments, authEnabled, tokensFile,
                snapshotFile, heartbeat, maxStreams, settings, exposures, tracking);
    }

    /** The same node logging exposures as {@code settings} say. */
    public EdgeConfig withExposures(ExposureSettings settings) {
        return new EdgeConfig(host, port, kafka, registry, topics, environments, authEnabled, tokensFile,
                snapshotFile, heartbeat, maxStreams, reporting, settings, tracking);
    }

    /** The same node taking tracking events as {@code settings} say. */
    public EdgeConfig withTracking(TrackingSettings settings) {
        return new EdgeConfig(host, port, kafka, registry, topics, environments, authEnabled, tokensFile,
                snapshotFile, heartbeat, maxStreams, reporting, exposures, settings);
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public String schemaRegistryUrl() {
        return registry.url();
    }

    /** A node with authentication off and no snapshot: for tests and benchmarks. */
    public static EdgeConfig open(String host, int port, String bootstrapServers, String schemaRegistryUrl, TopicNames topics,
                                  List<String> environments) {
        return new EdgeConfig(host, port, bootstrapServers, schemaRegistryUrl, topics, environments, false, null, null,
                Duration.ofSeconds(15), 1_000);
    }

    public static EdgeConfig from(Settings settings) {
        String tokens = settings.string("edge.tokens.file", settings.string("command.tokens.file", null));
        String snapshot = settings.string("edge.snapshot.file", null);
        return new EdgeConfig(
                settings.string("edge.host", "0.0.0.0"),
                settings.integer("edge.port", 8083, 0, 65_535),
                KafkaClientSettings.from(settings),
                RegistrySettings.from(settings),
                TopicNames.withPrefix(settings.string("topic.prefix", "")),
                List.copyOf(settings.list("edge.environments", Set.of("production"))),
                settings.bool("edge.auth.enabled", true),
                tokens == null || tokens.isBlank() ? null : Path.of(tokens),
                snapshot == null || snapshot.isBlank() ? null : Path.of(snapshot),
                settings.millis("edge.stream.heartbeat.ms", Duration.ofSeconds(15)),
                settings.integer("edge.stream.max.connections", 10_000, 1, 1_000_000),
                reporting(settings), exposures(settings), tracking(settings));
    }

    /**
     * {@code edge.exposures.enabled} (true), {@code edge.exposures.dedup.window.ms} (3600000: a user's
     * exposure to an experiment is logged once an hour per node; 0 logs every evaluation),
     * {@code edge.exposures.dedup.capacity} (131072 users remembered) and {@code edge.exposures.buffer}
     * (10000 exposures waiting for Kafka).
     */
    static ExposureSettings exposures(Settings settings) {
        try {
            return new ExposureSettings(settings.bool("edge.exposures.enabled", true),
                    settings.millis("edge.exposures.dedup.window.ms", ExposureSettings.DEFAULT_WINDOW),
                    settings.integer("edge.exposures.dedup.capacity", ExposureSettings.DEFAULT_DEDUP_CAPACITY, 4,
                            ExposureSettings.MAX_DEDUP_CAPACITY),
                    settings.integer("edge.exposures.buffer", ExposureSettings.DEFAULT_BUFFER, 1, 1_000_000));
        } catch (IllegalArgumentException e) {
            throw new SettingsException("edge.exposures: " + e.getMessage());
        }
    }

    /**
     * {@code edge.tracking.enabled} (true), {@code edge.tracking.buffer} (10000 events waiting for
     * Kafka), {@code edge.tracking.max.batch} (1000 events per request), {@code edge.tracking.max.future.ms}
     * (3600000: timestamps at most an hour ahead) and {@code edge.tracking.max.past.ms} (604800000: at most 7 days old).
     */
    static TrackingSettings tracking(Settings settings) {
        try {
            return new TrackingSettings(settings.bool("edge.tracking.enabled", true),
                    settings.integer("edge.tracking.buffer", TrackingSettings.DEFAULT_BUFFER, 1, 1_000_000),
                    settings.integer("edge.tracking.max.batch", TrackingSettings.DEFAULT_MAX_BATCH, 1, 10_000),
                    settings.millis("edge.tracking.max.future.ms", TrackingSettings.DEFAULT_MAX_FUTURE),
                    settings.millis("edge.tracking.max.past.ms", TrackingSettings.DEFAULT_MAX_PAST));
        } catch (IllegalArgumentException e) {
            throw new SettingsException("edge.tracking: " + e.getMessage());
        }
    }

    /**
     * {@code edge.report.enabled} (true), {@code edge.report.heartbeat.ms} (5000),
     * {@code edge.report.coalesce.ms} (50), {@code edge.report.max.per.second} (10) and
     * {@code edge.node.id} (none: see {@link io.flagplane.reporting.NodeIds#forEdge}).
     */
    static ReportingSettings reporting(Settings settings) {
        String nodeId = settings.string("edge.node.id", null);
        try {
            return new ReportingSettings(settings.bool("edge.report.enabled", true), nodeId,
                    Duration.ofMillis(settings.integer("edge.report.heartbeat.ms",
                            (int) ReportingSettings.DEFAULT_HEARTBEAT.toMillis(), 100, 3_600_000)),
                    Duration.ofMillis(settings.integer("edge.report.coalesce.ms",
                            (int) ReportingSettings.DEFAULT_COALESCE.toMillis(), 0, 60_000)),
                    settings.integer("edge.report.max.per.second", ReportingSettings.DEFAULT_MAX_REPORTS_PER_SECOND, 1, 1_000),
                    Map.of());
        } catch (IllegalArgumentException e) {
            throw new SettingsException("edge.node.id: " + e.getMessage());
        }
    }

    /** The environment a request without the header gets; null when the node serves every environment. */
    public String defaultEnvironment() {
        return servesEveryEnvironment() ? null : environments.get(0);
    }

    public boolean servesEveryEnvironment() {
        return environments.get(0).equals(EVERY_ENVIRONMENT);
    }

    /** What the ruleset keeps: every environment (the empty set) or the named ones. */
    public Set<String> rulesetEnvironments() {
        return servesEveryEnvironment() ? Set.of() : Set.copyOf(environments);
    }
}
