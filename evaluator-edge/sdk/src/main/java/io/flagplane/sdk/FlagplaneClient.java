package io.flagplane.sdk;

import io.flagplane.avro.EvaluatorKind;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.TopicNames;
import io.flagplane.evaluation.Enabled;
import io.flagplane.evaluation.ErrorCode;
import io.flagplane.evaluation.Evaluation;
import io.flagplane.evaluation.EvaluationContext;
import io.flagplane.evaluation.Evaluator;
import io.flagplane.evaluation.FlagType;
import io.flagplane.registry.CachingSchemaRegistryClient;
import io.flagplane.registry.RegistryAccess;
import io.flagplane.registry.RestSchemaRegistryClient;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.reporting.EvaluatorIdentity;
import io.flagplane.reporting.EvaluatorReporter;
import io.flagplane.reporting.EvaluatorTelemetry;
import io.flagplane.reporting.NodeIds;
import io.flagplane.reporting.ReportingSettings;
import io.flagplane.reporting.exposure.ExposureLog;
import io.flagplane.reporting.exposure.ExposureSettings;
import io.flagplane.reporting.tracking.InvalidTrackingEvent;
import io.flagplane.reporting.tracking.TrackedEvent;
import io.flagplane.reporting.tracking.TrackingLog;
import io.flagplane.reporting.tracking.TrackingSettings;
import io.flagplane.ruleset.LiveRuleset;
import io.flagplane.ruleset.RulesetTail;
import io.flagplane.ruleset.RulesetView;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In-process flag evaluation for one environment. Reads {@code flag-state} straight from Kafka
 * (no edge node in between), keeps a version-gated, copy-on-write snapshot, and evaluates with
 * the engine in nanoseconds. Keeps serving the last known ruleset when Kafka goes away; with a
 * snapshot file it also starts from the last known ruleset when Kafka is unreachable at boot.
 *
 * <pre>{@code
 * FlagplaneClient flags = FlagplaneClient.builder()
 *         .bootstrapServers("kafka:9092").schemaRegistryUrl("http://registry:8081")
 *         .environment("production").snapshotFile(Path.of("/var/cache/app/flags.avro"))
 *         .build();
 * // a secured cluster: .kafkaProperties(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
 * //         "sasl.jaas.config", jaas, "ssl.truststore.location", "/etc/app/kafka-ca.p12", "ssl.truststore.password", pw))
 * //     .schemaRegistry(RegistryAccess.of("https://registry:8081").withBasicAuth(user + ":" + password))
 * flags.awaitReady(Duration.ofSeconds(5));
 * if (flags.getBoolean("checkout.new_ui", false, EvaluationContext.of(userId, Map.of("tier", tier)))) { ... }
 * }</pre>
 *
 * <p>Without Kafka ({@link Builder#offline(boolean) offline}), the client serves a snapshot file
 * it is given and nothing else: no Kafka client is created, nothing is reported, exposures and
 * tracking are off.
 *
 * <pre>{@code
 * FlagplaneClient flags = FlagplaneClient.builder().environment("production")
 *         .snapshotFile(Path.of("flags.avro")).offline(true).build();   // ready when build() returns
 * }</pre>
 *
 * <p>Evaluations never throw: on any error the caller's default is returned (the detail methods
 * say why). Listeners run on one dedicated thread, never on the Kafka thread.
 *
 * <p>Unless {@link Builder#reporting(boolean) reporting} is off, the client reports to
 * {@code evaluator-reports} as an {@code SDK_CLIENT}: a heartbeat every few seconds, the versions
 * it applied, and how often it served each flag and variant (counted without allocating, sent from
 * a background thread, dropped and counted when Kafka is away).
 *
 * <p>Experiments: when an evaluation's result comes from the split of its flag's RUNNING
 * experiment, the client logs an exposure on {@code flag-exposures} (once per user and experiment
 * within {@link ExposureSettings#dedupWindow()}); while a rollout plan runs on a flag, every
 * evaluation of it is a plan exposure (once per user, plan and variant within the window), which
 * the plan's guardrails measure; {@link #track} sends what users do on
 * {@code tracking-events}. Both go through bounded buffers and a background thread: never
 * blocking, dropped and counted under pressure ({@link #exposureStats()}, {@link #trackingStats()}).
 */
public final class FlagplaneClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FlagplaneClient.class);

    private final String environment;
    private final LiveRuleset ruleset;
    /** Null when reporting is off. */
    private final EvaluatorReporter reporter;
    private final EvaluatorTelemetry telemetry;
    /** {@link ExposureLog#OFF} when exposures are off: the evaluation path calls it either way. */
    private final ExposureLog exposures;
    private final TrackingLog tracking;
    private final ExecutorService listenerThread;
    private final List<Consumer<List<String>>> anyChange = new CopyOnWriteArrayList<>();
    private final Map<String, List<Consumer<String>>> flagChange = new HashMap<>();
    private final List<Consumer<LiveRuleset.Status>> statusChange = new CopyOnWriteArrayList<>();
    /**
     * The environment's view of the current snapshot (its flags and their usage counters),
     * refreshed on every change; read on every evaluation.
     */
    private volatile RulesetView view;

    private FlagplaneClient(Builder b) {
        this.environment = b.environment;
        String nodeId = NodeIds.forSdk(b.reporting.nodeId());
        if (b.offline) {
            // no Kafka client at all: nothing to report to, nowhere to log exposures or send tracking events
            this.ruleset = new LiveRuleset(LiveRuleset.Options.offline(b.snapshotFile, Set.of(environment), false), null);
            this.reporter = null;
            this.telemetry = EvaluatorTelemetry.off(nodeId);
        } else {
            SchemaRegistryClient registry = b.registry != null ? b.registry
                    : new CachingSchemaRegistryClient(new RestSchemaRegistryClient(b.registryAccess));
            TopicNames topics = TopicNames.withPrefix(b.topicPrefix);
            Map<String, Object> consumer = new HashMap<>(b.kafkaProperties);
            consumer.putAll(b.consumerOverrides);
            LiveRuleset.Options options = new LiveRuleset.Options(b.bootstrapServers, topics, Set.of(environment),
                    b.snapshotFile, b.snapshotInterval, consumer, b.reporting.enabled());
            this.ruleset = new LiveRuleset(options, registry);
            Map<String, Object> producer = new HashMap<>(b.kafkaProperties);
            producer.putAll(b.reporting.producerOverrides());
            this.reporter = !b.reporting.enabled() ? null : EvaluatorReporter.create(
                    EvaluatorIdentity.of(nodeId, EvaluatorKind.SDK_CLIENT, List.of(environment), Instant.now()),
                    b.reporting.withProducerOverrides(producer), ruleset, b.bootstrapServers, topics, registry);
            this.telemetry = EvaluatorTelemetry.start(nodeId, b.exposures, b.tracking, b.bootstrapServers, topics, registry,
                    producer);
        }
        this.exposures = telemetry.exposures();
        this.tracking = telemetry.tracking();
        this.listenerThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "flagplane-listeners");
            t.setDaemon(true);
            return t;
        });
        this.view = ruleset.current().view(environment);
        ruleset.onChange(this::changed);
        ruleset.onStatusChange(status -> dispatch(() -> statusChange.forEach(l -> l.accept(status))));
        ruleset.start();
        this.view = ruleset.current().view(environment);
        if (reporter != null) {
            reporter.start();
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs on the applying thread: the listeners are chosen now, and called later on the listener
     * thread. A listener added after a change was applied (say, right after {@link #awaitReady})
     * never hears about that change, however late the listener thread gets to it.
     */
    private void changed(List<FlagRef> refs) {
        view = ruleset.current().view(environment);
        List<String> keys = refs.stream().map(FlagRef::key).toList();
        List<Consumer<List<String>>> toTellAll = List.copyOf(anyChange);
        List<Map.Entry<String, List<Consumer<String>>>> toTellPerFlag = new ArrayList<>();
        synchronized (flagChange) {
            for (String key : keys) {
                List<Consumer<String>> listeners = flagChange.get(key);
                if (listeners != null) {
                    toTellPerFlag.add(Map.entry(key, List.copyOf(listeners)));
                }
            }
        }
        dispatch(() -> {
            toTellAll.forEach(listener -> listener.accept(keys));
            toTellPerFlag.forEach(entry -> entry.getValue().forEach(listener -> listener.accept(entry.getKey())));
        });
    }

    private void dispatch(Runnable task) {
        listenerThread.execute(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("a flag listener failed", e);
            }
        });
    }

    // ------------------------------------------------------------------ evaluation

    public boolean getBoolean(String flagKey, boolean defaultValue, EvaluationContext context) {
        return booleanDetail(flagKey, defaultValue, context).value();
    }

    public String getString(String flagKey, String defaultValue, EvaluationContext context) {
        return stringDetail(flagKey, defaultValue, context).value();
    }

    public double getNumber(String flagKey, double defaultValue, EvaluationContext context) {
        return numberDetail(flagKey, defaultValue, context).value();
    }

    /** A JSON value: Map, List, String, Boolean, null, and numbers as Long (whole) or Double. */
    public Object getJson(String flagKey, Object defaultValue, EvaluationContext context) {
        return jsonDetail(flagKey, defaultValue, context).value();
    }

    /*
     * The detail methods: the value, variant, reason, error code, flag version and the flag's
     * metadata. Before the client has a ruleset every flag answers PROVIDER_NOT_READY, not
     * FLAG_NOT_FOUND: the flag may well exist, the client just cannot know yet.
     */

    public Evaluation<Boolean> booleanDetail(String flagKey, boolean defaultValue, EvaluationContext context) {
        return evaluate(view, flagKey, FlagType.BOOLEAN, defaultValue ? Boolean.TRUE : Boolean.FALSE, context);
    }

    public Evaluation<String> stringDetail(String flagKey, String defaultValue, EvaluationContext context) {
        return evaluate(view, flagKey, FlagType.STRING, defaultValue, context);
    }

    public Evaluation<Double> numberDetail(String flagKey, double defaultValue, EvaluationContext context) {
        return evaluate(view, flagKey, FlagType.NUMBER, defaultValue, context);
    }

    /** A JSON value: Map, List, String, Boolean, null, and numbers as Long (whole) or Double. */
    public Evaluation<Object> jsonDetail(String flagKey, Object defaultValue, EvaluationContext context) {
        return evaluate(view, flagKey, FlagType.JSON, defaultValue, context);
    }

    /**
     * Every evaluation: the engine against the current view, then one count beside the flag (no
     * allocation), and, only for a result from a running experiment's split or of a flag under a
     * running rollout plan, the exposure log.
     * Before the client has a ruleset: PROVIDER_NOT_READY, uncounted.
     */
    private <T> Evaluation<T> evaluate(RulesetView current, String flagKey, FlagType type, T defaultValue,
                                       EvaluationContext context) {
        if (!ruleset.isReady()) {
            return notReady(flagKey, defaultValue);
        }
        Evaluation<T> result = Evaluator.evaluate(current, flagKey, type, defaultValue, context);
        if (result.experiment() != null || result.plan() != null) {
            exposures.log(environment, flagKey, result, context == null ? null : context.targetingKey());
        }
        return result;
    }

    private static <T> Evaluation<T> notReady(String flagKey, T defaultValue) {
        return Evaluation.error(defaultValue, ErrorCode.PROVIDER_NOT_READY, "no ruleset yet to evaluate '" + flagKey
                + "' against: Kafka not read yet and no snapshot file loaded", 0);
    }

    /**
     * Whether the flag is on for this context, by the engine's {@link Enabled} rule, the same one
     * the edge node's REST {@code enabled} answers with: a flag whose value is a boolean is on when
     * it serves {@code true}; any other flag is on when it serves a variant other than its off
     * variant (so a killed or disabled flag is off). Works for a flag of any type; an unknown or
     * archived flag, or any error, is off. Never throws.
     */
    public boolean isEnabled(String flagKey, EvaluationContext context) {
        RulesetView current = view;
        Evaluation<Object> result = evaluate(current, flagKey, null, null, context);
        return Enabled.of(current.flag(flagKey), result);
    }

    /** Whatever type the flag has (as OFREP does). */
    public Evaluation<Object> detail(String flagKey, EvaluationContext context) {
        return evaluate(view, flagKey, null, null, context);
    }

    // ------------------------------------------------------------------ tracking

    /** {@link #track(String, EvaluationContext, OptionalDouble, Map)} without a value or attributes: a conversion. */
    public boolean track(String eventKey, EvaluationContext context) {
        return track(eventKey, context, OptionalDouble.empty(), Map.of());
    }

    /** {@link #track(String, EvaluationContext, OptionalDouble, Map)} with a value (revenue, latency) and no attributes. */
    public boolean track(String eventKey, EvaluationContext context, double value) {
        return track(eventKey, context, OptionalDouble.of(value), Map.of());
    }

    /**
     * Reports that the context's user did {@code eventKey} (e.g. {@code booking_confirmed}), now,
     * on {@code tracking-events}, for experiments and guardrails to measure. Fire and forget: the
     * event is checked here and queued; a background thread sends it.
     *
     * @param attributes flat details: String, Boolean, Integer, Long, Float or Double values (at most 50)
     * @return true when queued; false when tracking is off or the buffer is full (then it is counted
     *         as dropped in {@link #trackingStats()}); never blocks
     * @throws IllegalArgumentException ({@link InvalidTrackingEvent}, naming the field) when the event
     *         cannot be accepted: an event key that is not 1 to 128 letters, digits and {@code . _ : -},
     *         a context without a targeting key, a value that is not finite, attributes that are not flat
     */
    public boolean track(String eventKey, EvaluationContext context, OptionalDouble value, Map<String, ?> attributes) {
        TrackedEvent event;
        try {
            event = tracking.rules().event(null, environment, eventKey, context == null ? null : context.targetingKey(),
                    value == null || value.isEmpty() ? null : value.getAsDouble(), null, attributes);
        } catch (InvalidTrackingEvent e) {
            tracking.countInvalid(1);
            throw e;
        }
        return tracking.submit(event);
    }

    /** What exposure logging has done so far (all zero when it is off). */
    public ExposureLog.Stats exposureStats() {
        return exposures.stats();
    }

    /** What tracking has taken, dropped, refused and sent so far (all zero when it is off). */
    public TrackingLog.Stats trackingStats() {
        return tracking.stats();
    }

    // ------------------------------------------------------------------ lifecycle and listeners

    /** True once there is a ruleset to serve: caught up with Kafka, or loaded from the snapshot file. */
    public boolean isReady() {
        return ruleset.isReady();
    }

    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return ruleset.awaitReady(timeout);
    }

    /**
     * Ready, caught up, from a snapshot, stale since when, lag and flag count; whether the Kafka
     * reader failed and is restarting, how often it has restarted, and what went wrong last.
     */
    public LiveRuleset.Status status() {
        return ruleset.status();
    }

    public String environment() {
        return environment;
    }

    /** Called with the keys of the flags each change touched. */
    public void onAnyChange(Consumer<List<String>> listener) {
        anyChange.add(Objects.requireNonNull(listener));
    }

    /** Called with the key whenever this flag changes. */
    public void onFlagChange(String flagKey, Consumer<String> listener) {
        synchronized (flagChange) {
            flagChange.computeIfAbsent(flagKey, k -> new CopyOnWriteArrayList<>()).add(Objects.requireNonNull(listener));
        }
    }

    /**
     * Called when the client goes stale (Kafka unreachable, or its Kafka reader failed and is
     * restarting) or current again.
     */
    public void onStatusChange(Consumer<LiveRuleset.Status> listener) {
        statusChange.add(Objects.requireNonNull(listener));
    }

    /** What reporting has sent and dropped so far; empty when reporting is off. */
    public Optional<EvaluatorReporter.Stats> reportingStats() {
        return reporter == null ? Optional.empty() : Optional.of(reporter.stats());
    }

    /** The node id this client reports under; empty when reporting is off. */
    public Optional<String> nodeId() {
        return reporter == null ? Optional.empty() : Optional.of(reporter.identity().nodeId());
    }

    /** The Kafka side, for metrics: applied and skipped records, lag, last event time; null when offline. */
    public RulesetTail tail() {
        return ruleset.tail();
    }

    @Override
    public void close() {
        telemetry.close();   // sends the exposures and tracking events still queued, a few seconds at most
        if (reporter != null) {
            reporter.close();   // first: its STOPPING report still reads the ruleset's status
        }
        ruleset.close();
        listenerThread.shutdown();
    }

    /** Configures and starts a client; {@link #build()} returns at once (see {@link #awaitReady}). */
    public static final class Builder {
        private String bootstrapServers = "127.0.0.1:9092";
        private RegistryAccess registryAccess = RegistryAccess.of("http://127.0.0.1:8081");
        private SchemaRegistryClient registry;
        private Map<String, Object> kafkaProperties = Map.of();
        private String environment = "production";
        private String topicPrefix = "";
        private Path snapshotFile;
        private Duration snapshotInterval = Duration.ofSeconds(5);
        private Map<String, Object> consumerOverrides = Map.of();
        private ReportingSettings reporting = ReportingSettings.defaults();
        private ExposureSettings exposures = ExposureSettings.defaults();
        private TrackingSettings tracking = TrackingSettings.defaults();
        private boolean offline;

        private Builder() {
        }

        public Builder bootstrapServers(String bootstrapServers) {
            this.bootstrapServers = Objects.requireNonNull(bootstrapServers);
            return this;
        }

        public Builder schemaRegistryUrl(String url) {
            this.registryAccess = new RegistryAccess(Objects.requireNonNull(url), registryAccess.timeout(),
                    registryAccess.basicAuthUserInfo(), registryAccess.bearerToken(), registryAccess.trustStore());
            return this;
        }

        /**
         * How to reach the schema registry with credentials and over HTTPS, e.g.
         * {@code RegistryAccess.of("https://registry:8081").withBasicAuth(user + ":" + password)
         * .withTrustStore(new RegistryAccess.TrustStore(Path.of("ca.pem"), null, "PEM"))}.
         */
        public Builder schemaRegistry(RegistryAccess access) {
            this.registryAccess = Objects.requireNonNull(access);
            return this;
        }

        /**
         * Kafka client properties for every client this SDK creates (the ruleset's consumer, the
         * report producer and the exposure and tracking producer): the way to a secured cluster, e.g.
         * {@code security.protocol=SASL_SSL}, {@code sasl.mechanism=SCRAM-SHA-512}, {@code sasl.jaas.config=…}, {@code ssl.truststore.location=…}.
         * {@link #consumerProperties} and the reporting settings' producer properties go over these.
         */
        public Builder kafkaProperties(Map<String, ?> properties) {
            this.kafkaProperties = Map.copyOf(properties);
            return this;
        }

        /** A registry client to use instead of one built from the URL. */
        public Builder schemaRegistry(SchemaRegistryClient registry) {
            this.registry = registry;
            return this;
        }

        public Builder environment(String environment) {
            this.environment = Objects.requireNonNull(environment);
            return this;
        }

        public Builder topicPrefix(String topicPrefix) {
            this.topicPrefix = Objects.requireNonNull(topicPrefix);
            return this;
        }

        /** Keep the last known ruleset here, and start from it when Kafka is unreachable at boot. */
        public Builder snapshotFile(Path file) {
            this.snapshotFile = file;
            return this;
        }

        public Builder snapshotInterval(Duration interval) {
            this.snapshotInterval = Objects.requireNonNull(interval);
            return this;
        }

        /** Extra Kafka consumer properties (security settings, timeouts). */
        public Builder consumerProperties(Map<String, Object> properties) {
            this.consumerOverrides = Map.copyOf(properties);
            return this;
        }

        /** How the client reports to {@code evaluator-reports} (heartbeat, node id, producer properties). */
        public Builder reporting(ReportingSettings settings) {
            this.reporting = Objects.requireNonNull(settings);
            return this;
        }

        /** Reporting on (the default) or off: off, the client sends nothing and counts nothing. */
        public Builder reporting(boolean enabled) {
            this.reporting = reporting.withEnabled(enabled);
            return this;
        }

        /** How exposures to running experiments are logged (de-duplication window and capacity, buffer). */
        public Builder exposures(ExposureSettings settings) {
            this.exposures = Objects.requireNonNull(settings);
            return this;
        }

        /** Exposure logging on (the default) or off. */
        public Builder exposures(boolean enabled) {
            this.exposures = exposures.withEnabled(enabled);
            return this;
        }

        /** How {@link FlagplaneClient#track} sends (buffer size). */
        public Builder tracking(TrackingSettings settings) {
            this.tracking = Objects.requireNonNull(settings);
            return this;
        }

        /** Tracking on (the default) or off: off, {@code track} checks the event and returns false. */
        public Builder tracking(boolean enabled) {
            this.tracking = tracking.withEnabled(enabled);
            return this;
        }

        /** The node id to report under, and to stamp on exposures and tracking events (default: random per process). */
        public Builder nodeId(String nodeId) {
            this.reporting = reporting.withNodeId(nodeId);
            return this;
        }

        /**
         * Offline (default off): serve the {@link #snapshotFile snapshot file} alone and never
         * connect to Kafka (the Kafka, registry, reporting, exposure and tracking settings are then
         * unused; nothing is reported, {@link FlagplaneClient#track} returns false). The file is read
         * once, by {@link #build()}, and never written: the client is ready when {@code build()}
         * returns, and serves that ruleset until it is closed. A file to start from is what a client
         * with a snapshot file keeps ({@code SnapshotFile} writes the same format).
         */
        public Builder offline(boolean offline) {
            this.offline = offline;
            return this;
        }

        /**
         * Starts the client.
         *
         * @throws IllegalStateException offline, without a snapshot file, or when the file is missing or cannot be read
         */
        public FlagplaneClient build() {
            if (offline && snapshotFile == null) {
                throw new IllegalStateException("offline(true) needs snapshotFile(...): the file is all an offline client serves");
            }
            return new FlagplaneClient(this);
        }
    }
}
