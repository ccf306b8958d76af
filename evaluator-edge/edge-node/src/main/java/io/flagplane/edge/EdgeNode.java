package io.flagplane.edge;

import io.flagplane.connections.ClientRole;
import io.flagplane.connections.KafkaConnectionCheck;
import io.flagplane.connections.RegistrySettings;
import io.flagplane.auth.TokenRegistry;
import io.flagplane.avro.EvaluatorKind;
import io.flagplane.edge.http.EdgeHttpApi;
import io.flagplane.edge.stream.ChangeFeed;
import io.flagplane.reporting.ReportingSettings;
import io.flagplane.reporting.EvaluatorIdentity;
import io.flagplane.reporting.EvaluatorReporter;
import io.flagplane.reporting.EvaluatorTelemetry;
import io.flagplane.reporting.NodeIds;
import io.flagplane.ruleset.LiveRuleset;
import io.flagplane.settings.Settings;
import io.javalin.Javalin;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stateless evaluator node: keeps a {@link LiveRuleset} of the environments it serves
 * (tailing {@code flag-state} and {@code segment-state}, with an on-disk snapshot when configured)
 * and serves it over HTTP. Run as many as you like behind any load balancer; each answers
 * identically. When Kafka goes away it keeps serving what it has and says so; started while Kafka
 * is down, it serves its snapshot. Unless {@code edge.report.enabled=false}, it reports to
 * {@code evaluator-reports} as an {@code EDGE_NODE} (see {@link EvaluatorReporter}). Unless turned
 * off ({@code edge.exposures.enabled}, {@code edge.tracking.enabled}), it logs exposures to running
 * experiments on {@code flag-exposures} and takes {@code POST /api/v1/track} to
 * {@code tracking-events} (see {@link EvaluatorTelemetry}), both stamped with its node id.
 */
public final class EdgeNode implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EdgeNode.class);

    private final EdgeConfig config;
    private final LiveRuleset ruleset;
    private final ChangeFeed feed;
    private final EdgeMetrics metrics;
    /** Null when reporting is off. */
    private final EvaluatorReporter reporter;
    private final EvaluatorTelemetry telemetry;
    private final Javalin http;

    private EdgeNode(EdgeConfig config, boolean bareEndpoint, Clock clock) {
        this.config = config;
        var registry = RegistrySettings.client(config.registry());
        LiveRuleset.Options options = new LiveRuleset.Options(config.bootstrapServers(), config.topics(),
                config.rulesetEnvironments(), config.snapshotFile(), Duration.ofSeconds(5),
                config.kafka().forRole(ClientRole.CONSUMER), config.reporting().enabled());
        this.ruleset = new LiveRuleset(options, registry);
        String nodeId = NodeIds.forEdge(config.reporting().nodeId(), config.snapshotFile(), NodeIds.hostName(), config.port());
        this.reporter = !config.reporting().enabled() ? null : EvaluatorReporter.create(
                EvaluatorIdentity.of(nodeId, EvaluatorKind.EDGE_NODE, config.environments(), Instant.now()),
                reportingWithPassThrough(config), ruleset, config.bootstrapServers(), config.topics(), registry);
        // the exposure and tracking producer connects like the report sender: the same pass-through
        this.telemetry = EvaluatorTelemetry.start(nodeId, config.exposures(), config.tracking(), config.bootstrapServers(),
                config.topics(), registry, reportingWithPassThrough(config).producerOverrides(), clock);
        this.feed = new ChangeFeed(ruleset, config.heartbeat(), config.maxStreams());
        this.metrics = new EdgeMetrics(ruleset, feed::connections, this::reportingStats, telemetry.exposures()::stats,
                telemetry.tracking()::stats);
        TokenRegistry tokens = config.authEnabled() ? TokenRegistry.load(config.tokensFile()) : null;
        if (tokens == null) {
            LOG.warn("authentication is OFF (edge.auth.enabled=false): anyone who can reach port {} evaluates every flag",
                    config.port());
        }
        this.http = EdgeHttpApi.create(config, ruleset, metrics, feed, tokens, reporter, telemetry, bareEndpoint);
    }

    /** The topics the node reads and writes, for the start-up check: a principal that may not describe one fails it. */
    private static List<String> topicsUsed(EdgeConfig config) {
        List<String> topics = new ArrayList<>(List.of(config.topics().flagState(), config.topics().segmentState(),
                config.topics().evaluatorReports()));
        if (config.exposures().enabled()) {
            topics.add(config.topics().flagExposures());
        }
        if (config.tracking().enabled()) {
            topics.add(config.topics().trackingEvents());
        }
        return topics;
    }

    /** The reporting settings with the Kafka producer pass-through over any overrides they carry. */
    private static ReportingSettings reportingWithPassThrough(EdgeConfig config) {
        Map<String, Object> producer = new HashMap<>(config.reporting().producerOverrides());
        producer.putAll(config.kafka().forRole(ClientRole.PRODUCER));
        return config.reporting().withProducerOverrides(producer);
    }

    /** Starts tailing and serving; readiness turns true once there is a ruleset (read from Kafka, or a snapshot). */
    public static EdgeNode start(EdgeConfig config) {
        return start(config, false);
    }

    /** As {@link #start(EdgeConfig)}, optionally with the constant {@code /bench/bare} route for HTTP benchmarks. */
    public static EdgeNode start(EdgeConfig config, boolean bareEndpoint) {
        return start(config, bareEndpoint, Clock.systemUTC());
    }

    /** As {@link #start(EdgeConfig)}, its exposures and tracking events stamped by {@code clock} (tests move it by hand). */
    public static EdgeNode start(EdgeConfig config, Clock clock) {
        return start(config, false, clock);
    }

    private static EdgeNode start(EdgeConfig config, boolean bareEndpoint, Clock clock) {
        KafkaConnectionCheck.check("edge node", config.kafka(), topicsUsed(config));
        EdgeNode node = new EdgeNode(config, bareEndpoint, clock);
        node.ruleset.start();
        node.http.start(config.host(), config.port());
        if (node.reporter != null) {
            node.reporter.start();
        }
        LOG.info("edge node serving {} on port {}{}{}{}", config.environments(), node.port(),
                node.reporter == null ? " (reporting off)" : ", reporting as " + node.reporter.identity().nodeId(),
                node.telemetry.exposures().enabled() ? "" : " (exposure logging off)",
                node.telemetry.tracking().enabled() ? "" : " (tracking off)");
        return node;
    }

    public int port() {
        return http.port();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    public boolean isReady() {
        return ruleset.isReady();
    }

    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return ruleset.awaitReady(timeout);
    }

    public LiveRuleset ruleset() {
        return ruleset;
    }

    public EdgeMetrics metrics() {
        return metrics;
    }

    public EdgeConfig config() {
        return config;
    }

    /** What reporting has sent and dropped so far (all zero when it is off). */
    public EvaluatorReporter.Stats reportingStats() {
        return reporter == null ? new EvaluatorReporter.Stats(0, 0, null, 0) : reporter.stats();
    }

    /** Exposure logging and tracking: their stats (all zero for what is off) and the node id they stamp. */
    public EvaluatorTelemetry telemetry() {
        return telemetry;
    }

    /** The node id this node reports under, or null when reporting is off. */
    public String nodeId() {
        return reporter == null ? null : reporter.identity().nodeId();
    }

    @Override
    public void close() {
        feed.close();
        http.stop();
        telemetry.close();   // sends the exposures and tracking events still queued, a few seconds at most
        if (reporter != null) {
            reporter.close();   // after the last request was counted, before the ruleset it reads is gone
        }
        ruleset.close();
    }

    public static void main(String[] args) {
        EdgeNode node = start(EdgeConfig.from(Settings.fromEnvironment()));
        Runtime.getRuntime().addShutdownHook(new Thread(node::close, "edge-shutdown"));
    }
}
