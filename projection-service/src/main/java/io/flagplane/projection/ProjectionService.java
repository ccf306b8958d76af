package io.flagplane.projection;

import io.flagplane.projection.experiments.ExperimentMetrics;
import io.flagplane.projection.experiments.ExperimentsTopology;
import io.flagplane.projection.experiments.UserFold;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.contract.PlanRef;
import io.flagplane.projection.guardrails.GuardrailMetrics;
import io.flagplane.projection.guardrails.GuardrailsTopology;
import io.flagplane.projection.guardrails.Horizons;
import io.flagplane.projection.guardrails.PrometheusReader;
import io.flagplane.projection.guardrails.PrometheusSource;
import io.flagplane.projection.guardrails.PrometheusReadings;
import io.flagplane.projection.query.ClusterPlans;
import io.flagplane.projection.query.PlanQueries;
import java.util.Optional;
import org.apache.kafka.streams.kstream.KStream;
import io.flagplane.connections.ClientRole;
import io.flagplane.connections.KafkaConnectionCheck;
import io.flagplane.connections.RegistrySettings;
import io.flagplane.projection.fold.FlagProjectionTopology;
import io.flagplane.projection.fold.ProjectionMetrics;
import io.flagplane.auth.TokenRegistry;
import io.flagplane.projection.http.ProjectionHttpApi;
import io.flagplane.projection.query.ClusterQueries;
import io.flagplane.projection.query.LocalStores;
import io.flagplane.projection.query.ProjectionQueries;
import io.flagplane.projection.query.Router;
import io.flagplane.projection.query.StateWire;
import io.flagplane.projection.query.ShareWire;
import io.flagplane.projection.stream.EventStream;
import io.flagplane.projection.http.ExperimentEvents;
import io.flagplane.projection.http.PropagationEvents;
import io.flagplane.projection.query.ClusterExperiments;
import io.flagplane.projection.query.ExperimentQueries;
import io.flagplane.projection.query.ClusterTelemetry;
import io.flagplane.projection.query.PropagationQueries;
import io.flagplane.projection.query.QueryException;
import io.flagplane.projection.query.TelemetryQueries;
import io.flagplane.projection.telemetry.EvaluatorReportsTopology;
import io.flagplane.projection.telemetry.FlagStatesGlobal;
import io.flagplane.projection.telemetry.FoldSignal;
import io.flagplane.projection.telemetry.Liveness;
import io.flagplane.projection.telemetry.ReportLimits;
import io.flagplane.projection.telemetry.TelemetryMetrics;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import io.flagplane.settings.Settings;
import io.javalin.Javalin;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The projection-service process: runs the projection topology on Kafka Streams and serves
 * history, time travel, the audit log, exports and the live event stream over HTTP. Two Kafka
 * Streams applications: the fold of {@code flag-events} (with the stale-flag notices and the
 * guardrails) under {@code projection.application.id}, and the telemetry — evaluator reports and
 * the experiment analysis — under {@link #telemetryApplicationId}, so that nothing whose volume grows
 * with the evaluators runs on the kill path's stream thread.
 *
 * <p>Processing guarantee: at-least-once, reading only committed events. Everything the fold
 * writes is idempotent: the current-state stores are version-gated, and history and audit
 * entries are keyed by flag and version, so an event reprocessed after a crash rewrites the same
 * entry with the same bytes — the history never shows it twice. At-least-once keeps a kill's
 * path to the edge near 10 ms, where exactly-once would add the transaction commit interval.
 */
public final class ProjectionService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectionService.class);

    private final KafkaStreams streams;
    private final KafkaStreams telemetryStreams;
    private final Javalin http;
    private final EventStream stream;
    private final ProjectionMetrics metrics;
    private final CountDownLatch running;

    private final PropagationEvents propagationEvents;
    private final TelemetryMetrics reports;

    private final ExperimentEvents experimentEvents;
    private final ExperimentMetrics experimentMetrics;
    private final GuardrailMetrics guardrailMetrics;
    private final PrometheusReadings prometheusReadings;

    private ProjectionService(KafkaStreams streams, KafkaStreams telemetryStreams, Javalin http, EventStream stream, ProjectionMetrics metrics,
                              CountDownLatch running, PropagationEvents propagationEvents, TelemetryMetrics reports,
                              ExperimentEvents experimentEvents, ExperimentMetrics experimentMetrics, GuardrailMetrics guardrailMetrics,
                              PrometheusReadings prometheusReadings) {
        this.guardrailMetrics = guardrailMetrics;
        this.prometheusReadings = prometheusReadings;
        this.experimentEvents = experimentEvents;
        this.experimentMetrics = experimentMetrics;
        this.streams = streams;
        this.telemetryStreams = telemetryStreams;
        this.http = http;
        this.stream = stream;
        this.metrics = metrics;
        this.running = running;
        this.propagationEvents = propagationEvents;
        this.reports = reports;
    }

    public static ProjectionService start(ProjectionConfig config) {
        return start(config, Clock.systemUTC());
    }

    /** @param clock what "now" is for liveness, lifecycle, staleness and guardrail windows (tests move it) */
    public static ProjectionService start(ProjectionConfig config, Clock clock) {
        return start(config, clock, new PrometheusSource(config.guardrails().prometheus()));
    }

    /** @param prometheusReader what PROMETHEUS guardrails read their queries with (e.g. a {@code PrometheusSource}) */
    public static ProjectionService start(ProjectionConfig config, Clock clock, PrometheusReader prometheusReader) {
        ProjectionMetrics metrics = new ProjectionMetrics();
        TelemetryMetrics reports = new TelemetryMetrics();
        ExperimentMetrics experimentMetrics = new ExperimentMetrics();
        GuardrailMetrics guardrailMetrics = new GuardrailMetrics();
        ProjectionConfig.Guardrails guardrails = config.guardrails();
        FoldSignal signal = new FoldSignal();
        ProjectionConfig.Reports reportSettings = config.reports();
        KafkaConnectionCheck.check("projection-service", config.kafka(), List.of(config.topics().flagEvents(),
                config.topics().flagState(), config.topics().segmentState(), config.topics().evaluatorReports(),
                config.topics().releaseSignals()));
        var registry = RegistrySettings.client(config.registry());
        TokenRegistry tokens = config.authEnabled() ? TokenRegistry.load(config.tokensFile()) : null;
        if (tokens == null) {
            LOG.warn("authentication is OFF (projection.auth.enabled=false): anyone who can reach port {} reads every "
                    + "environment's history", config.port());
        }
        AtomicReference<KafkaStreams> streamsRef = new AtomicReference<>();
        AtomicReference<KafkaStreams> telemetryRef = new AtomicReference<>();
        AtomicReference<HostInfo> self = new AtomicReference<>();
        LocalStores stores = new LocalStores(streamsRef::get, telemetryRef::get, config.topics().flagEvents(), self::get);
        ProjectionQueries queries = new ProjectionQueries(stores, registry);
        Router router = new Router(stores);
        EventStream stream = new EventStream(config.kafka(), config.topics(), registry, config.streamHeartbeat(),
                config.maxStreams(), plan -> planDefinition(stores, plan));
        TelemetryQueries telemetry = new TelemetryQueries(stores, registry);
        ClusterTelemetry clusterTelemetry = new ClusterTelemetry(telemetry, queries, router);
        PropagationQueries propagation = new PropagationQueries(clusterTelemetry, signal, reportSettings.liveness(), clock,
                reportSettings.maxWaits());
        PropagationEvents propagationEvents = new PropagationEvents(propagation, signal, reportSettings.maxStreams(),
                reportSettings.maxStreamDuration(), config.streamHeartbeat());
        PrometheusMetrics prometheus = new PrometheusMetrics(PrometheusMetrics.live(metrics, streamsRef::get, stores,
                config.topics().flagEvents(), stream, reports, () -> evaluatorsByLiveness(telemetryRef.get(), telemetry,
                        reportSettings.liveness(), clock), experimentMetrics, guardrailMetrics));
        ClusterExperiments experiments = new ClusterExperiments(new ExperimentQueries(stores, telemetry), router);
        ExperimentEvents experimentEvents = ExperimentEvents.of(experiments, clock, config.experiments().maxStreams(),
                config.experiments().maxStreamDuration(), config.streamHeartbeat());
        // HTTP first: its port is what the other instances are told to forward queries to
        StateWire states = new StateWire(registry, config.topics().flagState(), config.topics().segmentState());
        ShareWire shares = new ShareWire(registry, config.topics());
        Javalin http = ProjectionHttpApi.create(new ProjectionHttpApi.Parts(stores, queries,
                new ClusterQueries(queries, router, states, shares), router, stream, states, shares, metrics, prometheus, tokens,
                new ProjectionHttpApi.Telemetry(clusterTelemetry, propagation, propagationEvents, reports, reportSettings.maxWait()),
                new ProjectionHttpApi.Experiments(experiments, experimentEvents, experimentMetrics, clock),
                new ProjectionHttpApi.Plans(new ClusterPlans(new PlanQueries(stores), router), guardrailMetrics, clock)))
                .start(config.host(), config.port());
        self.set(new HostInfo(config.advertisedHost(), http.port()));

        Properties properties = streamsProperties(config);
        properties.put(StreamsConfig.APPLICATION_SERVER_CONFIG, config.advertisedHost() + ":" + http.port());
        // the fold of flag-events, on the kill path: command -> flag-events -> fold -> flag-state -> edges.
        // Its application runs nothing else whose volume grows with evaluators (DECISIONS.md)
        StreamsBuilder builder = new StreamsBuilder(new TopologyConfig(new StreamsConfig(properties)));
        KStream<String, RolloutPlanState> plans = FlagProjectionTopology.build(builder, config.topics(), registry, metrics,
                new FlagProjectionTopology.Notices(clock, reportSettings.staleCheckEvery()));
        FlagStatesGlobal.add(builder, config.topics());
        // the guardrails read the fold's plan states (a repartition inside this application), so they stay with it
        PrometheusReadings prometheusReadings = PrometheusReadings.polled(prometheusReader, guardrails.interval(), clock);
        KStream<String, byte[]> exposuresAndTracking = ExperimentsTopology.exposuresAndTracking(builder, config.topics());
        GuardrailsTopology.build(builder, config.topics(), registry, exposuresAndTracking, plans, new GuardrailsTopology.Settings(
                guardrailMetrics, clock, guardrails.interval(), guardrails.flush(), Duration.ofMinutes(1), 2_000,
                new Horizons(guardrails.fineHorizon(), guardrails.coarseHorizon()), guardrails.signalHistory(), guardrails.partitions(),
                prometheusReadings, guardrails.grace()));

        // the telemetry: evaluator reports and the experiment analysis, in an application of its own
        // (its own consumer group and stream thread), so that a kill's fold never queues behind them
        Properties telemetryProperties = telemetryStreamsProperties(config);
        telemetryProperties.put(StreamsConfig.APPLICATION_SERVER_CONFIG, config.advertisedHost() + ":" + http.port());
        StreamsBuilder telemetryBuilder = config.telemetryApart()
                ? new StreamsBuilder(new TopologyConfig(new StreamsConfig(telemetryProperties))) : builder;
        if (config.telemetryApart()) {
            FlagStatesGlobal.add(telemetryBuilder, config.topics());
        }
        EvaluatorReportsTopology.build(telemetryBuilder, config.topics(), registry, new EvaluatorReportsTopology.Settings(reports,
                signal, clock, ReportLimits.DEFAULT, reportSettings.forgetAfter(), Duration.ofMinutes(1)));
        ExperimentsTopology.build(telemetryBuilder, config.topics(), registry, new ExperimentsTopology.Settings(experimentMetrics,
                new UserFold.Limits(config.experiments().grace(), config.experiments().maxEventsPerUser(), 32, 16),
                Duration.ofSeconds(10), 2_000), config.telemetryApart() ? ExperimentsTopology.exposuresAndTracking(telemetryBuilder,
                config.topics()) : exposuresAndTracking);
        KafkaStreams streams = new KafkaStreams(builder.build(), properties);
        KafkaStreams telemetryStreams = config.telemetryApart()
                ? new KafkaStreams(telemetryBuilder.build(), telemetryProperties) : streams;
        if (!config.telemetryApart()) {
            LOG.warn("projection.telemetry.apart=false: evaluator reports and experiments share the fold's stream thread");
        }

        List<KafkaStreams> apps = config.telemetryApart() ? List.of(streams, telemetryStreams) : List.of(streams);
        CountDownLatch running = new CountDownLatch(apps.size());
        for (KafkaStreams app : apps) {
            String name = app == streams ? "projection" : "projection telemetry";
            app.setUncaughtExceptionHandler(e -> {
                LOG.error("{} thread failed; replacing it and resuming from the last commit", name, e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            });
            AtomicBoolean reached = new AtomicBoolean();
            app.setStateListener((now, before) -> {
                LOG.info("{} {} -> {}", name, before, now);
                if (now == KafkaStreams.State.RUNNING && reached.compareAndSet(false, true)) {
                    running.countDown();
                }
            });
        }
        telemetryRef.set(telemetryStreams);
        streamsRef.set(streams);
        apps.forEach(KafkaStreams::start);
        LOG.info("projection-service folding {} into {} and serving port {}", config.topics().flagEvents(),
                config.topics().flagState(), http.port());
        return new ProjectionService(streams, telemetryStreams, http, stream, metrics, running, propagationEvents, reports,
                experimentEvents, experimentMetrics, guardrailMetrics, prometheusReadings);
    }

    /**
     * A plan's definition as this instance holds it (the fold's store, else the guardrails'), for
     * naming steps on the event stream; empty when another instance holds it or the stores are moving.
     */
    private static Optional<io.flagplane.avro.RolloutPlanDefinition> planDefinition(LocalStores stores, PlanRef plan) {
        try {
            RolloutPlanState state = stores.plans().get(plan.eventKey());
            if (state == null) {
                state = stores.guardrailPlans().get(plan.eventKey());
            }
            return Optional.ofNullable(state).map(RolloutPlanState::getDefinition);
        } catch (QueryException | InvalidStateStoreException e) {
            return Optional.empty();
        }
    }

    /** For a metrics scrape: this instance's evaluators by liveness; nothing while the stores cannot be read. */
    private static Map<Liveness, Long> evaluatorsByLiveness(KafkaStreams streams, TelemetryQueries telemetry, Liveness.Rules rules,
                                                            Clock clock) {
        if (streams == null || streams.state() != KafkaStreams.State.RUNNING) {
            return Map.of();
        }
        try {
            Instant now = clock.instant();
            Map<Liveness, Long> counts = new EnumMap<>(Liveness.class);
            telemetry.evaluatorsLocal().forEach(node -> counts.merge(rules.of(node, now), 1L, Long::sum));
            return counts;
        } catch (QueryException | InvalidStateStoreException e) {
            return Map.of();   // moving (a rebalance); the next scrape has it
        }
    }

    static Properties streamsProperties(ProjectionConfig config) {
        return streamsProperties(config, config.applicationId(), true);
    }

    /**
     * The telemetry application's: as the fold's, but with Streams' own producer linger (reports and
     * experiment counts travel in batches; only the fold's states are on the kill path).
     */
    static Properties telemetryStreamsProperties(ProjectionConfig config) {
        return streamsProperties(config, telemetryApplicationId(config.applicationId()), false);
    }

    private static Properties streamsProperties(ProjectionConfig config, String applicationId, boolean killPath) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, config.replicationFactor());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitInterval().toMillis());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        // the Kafka 5.0 default, recommended now (the constant is deprecated until then)
        p.put("processing.exception.handler.global.enabled", true);
        if (killPath) {
            // Streams sets linger.ms=100 on its producer; a kill must not wait for a batch to fill.
            // No short poll or fetch wait (10 ms each until issue 17): a fetch is answered as soon as a
            // record arrives, so they bought the kill nothing measurable, and cost an idle stack with five
            // edge nodes about 30 % of a core in polling (BENCHMARKS.md, issue 17 part 3).
            p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0);
        }
        // never fold an event of an aborted change set
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
        // how long a dead instance keeps its partitions: with the 45 s default, a projection killed
        // with -9 left its share of the queries unanswered for about 45 s (RELIABILITY.md, fault 5).
        // 10 s still rides out a long GC pause (heartbeats come from their own thread every 3 s);
        // kafka.streams.main.consumer.session.timeout.ms overrides it
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        return config.kafka().applyTo(ClientRole.STREAMS, p);
    }

    public int port() {
        return http.port();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    /** RUNNING when both applications are; otherwise the state of the first that is not (the fold's first). */
    public KafkaStreams.State state() {
        return streams.state() != KafkaStreams.State.RUNNING ? streams.state() : telemetryStreams.state();
    }

    /** The application id of the telemetry application that runs beside the fold's {@code applicationId}. */
    public static String telemetryApplicationId(String applicationId) {
        return applicationId + "-telemetry";
    }

    /** Waits until both applications have first reached RUNNING (their tasks assigned and restored). */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        return running.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public ProjectionMetrics metrics() {
        return metrics;
    }

    /** What the experiment analysis counted. */
    public ExperimentMetrics experiments() {
        return experimentMetrics;
    }

    /** What the guardrails measured, read and published. */
    public GuardrailMetrics guardrails() {
        return guardrailMetrics;
    }

    /** Propagation {@code wait}s this instance holds right now. */
    public int propagationWaits() {
        return propagationEvents.queries().waiting();
    }

    public TelemetryMetrics reports() {
        return reports;
    }

    @Override
    public void close() {
        stream.close();
        propagationEvents.close();
        experimentEvents.close();
        http.stop();
        prometheusReadings.close();
        // leave the groups so that a restarted instance is assigned at once, not after the session timeout
        CloseOptions leave = CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(10));
        if (telemetryStreams != streams) {
            telemetryStreams.close(leave);
        }
        streams.close(leave);
    }

    public static void main(String[] args) {
        ProjectionService service = start(ProjectionConfig.from(Settings.fromEnvironment()));
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "projection-shutdown"));
    }
}
