package io.flagplane.projection.guardrails;

import io.flagplane.testkit.MovableClock;
import io.flagplane.avro.Exposure;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.ReleaseSignal;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.avro.TrackingEvent;
import io.flagplane.contract.AggregateRef;
import io.flagplane.contract.RecordKeys;
import io.flagplane.contract.TopicNames;
import io.flagplane.projection.experiments.ExperimentMetrics;
import io.flagplane.projection.experiments.ExperimentsTopology;
import io.flagplane.projection.fold.FlagProjectionTopology;
import io.flagplane.projection.fold.ProjectionMetrics;
import io.flagplane.projection.telemetry.FlagStatesGlobal;
import io.flagplane.registry.InMemorySchemaRegistry;
import io.flagplane.wire.AvroDeserializer;
import io.flagplane.wire.AvroSerializer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The flag fold, the experiment analysis and the guardrails as the projection wires them, in a
 * {@code TopologyTestDriver}, on a clock the test moves: plan events in on {@code flag-events}, flag
 * states on {@code flag-state}, exposures and tracked events on their topics, release signals out.
 */
final class GuardrailDriver implements AutoCloseable {

    static final Duration INTERVAL = Duration.ofSeconds(10);
    static final Duration FLUSH = Duration.ofSeconds(1);

    final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    final GuardrailMetrics metrics = new GuardrailMetrics();
    final ExperimentMetrics experiments = new ExperimentMetrics();
    final ProjectionMetrics fold = new ProjectionMetrics();
    final MovableClock clock = new MovableClock(Plans.STEP_STARTED);
    final TopologyTestDriver driver;
    private final TestInputTopic<String, byte[]> events;
    private final TestInputTopic<String, byte[]> flagStates;
    private final TestInputTopic<String, byte[]> exposures;
    private final TestInputTopic<String, byte[]> tracking;
    private final TestOutputTopic<String, ReleaseSignal> signals;
    private final AvroSerializer<SpecificRecord> serializer = new AvroSerializer<>(registry, true);

    GuardrailDriver() {
        this(PrometheusReadings.direct(PrometheusReadings.NOT_CONFIGURED));
    }

    GuardrailDriver(PrometheusReadings prometheus) {
        TopicNames topics = TopicNames.DEFAULT;
        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, RolloutPlanState> plans = FlagProjectionTopology.build(builder, topics, registry, fold,
                new FlagProjectionTopology.Notices(clock, Duration.ofHours(1)));
        FlagStatesGlobal.add(builder, topics);
        KStream<String, byte[]> telemetry = ExperimentsTopology.exposuresAndTracking(builder, topics);
        ExperimentsTopology.build(builder, topics, registry, ExperimentsTopology.Settings.defaults(experiments), telemetry);
        GuardrailsTopology.build(builder, topics, registry, telemetry, plans, new GuardrailsTopology.Settings(metrics, clock, INTERVAL,
                FLUSH, Duration.ofMinutes(1), 1_000, Horizons.DEFAULT, Duration.ofHours(6), 1, prometheus, Duration.ofMinutes(5)));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "guardrails-test");
        try {
            props.put(StreamsConfig.STATE_DIR_CONFIG, java.nio.file.Files.createTempDirectory("guardrail-driver").toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(builder.build(), props, Instant.parse("2030-01-01T00:00:00Z"));
        events = driver.createInputTopic(topics.flagEvents(), new StringSerializer(), new ByteArraySerializer());
        flagStates = driver.createInputTopic(topics.flagState(), new StringSerializer(), new ByteArraySerializer());
        exposures = driver.createInputTopic(topics.flagExposures(), new StringSerializer(), new ByteArraySerializer());
        tracking = driver.createInputTopic(topics.trackingEvents(), new StringSerializer(), new ByteArraySerializer());
        signals = driver.createOutputTopic(topics.releaseSignals(), new StringDeserializer(),
                new AvroDeserializer<>(registry, ReleaseSignal.class));
    }

    /** A plan (or any) event under the key its aggregate files it under. */
    void send(FlagEvent event) {
        String key = RecordKeys.ofPlanEvents(event.getEnvironment(), event.getFlagKey());
        if (!io.flagplane.contract.RolloutPlanFold.isPlanEvent(event)) {
            key = RecordKeys.of(event.getEnvironment(), event.getFlagKey());
        }
        events.pipeInput(key, serializer.serialize("flag-events", event), event.getOccurredAt());
    }

    void send(List<FlagEvent> all) {
        all.forEach(this::send);
    }

    void publish(FlagState state) {
        flagStates.pipeInput(RecordKeys.of(state.getEnvironment(), state.getFlagKey()), serializer.serialize("flag-state", state));
    }

    void send(Exposure exposure) {
        exposures.pipeInput(RecordKeys.ofUser(exposure.getEnvironment(), exposure.getTargetingKey()),
                serializer.serialize("flag-exposures", exposure), exposure.getExposedAt());
    }

    void send(TrackingEvent event) {
        tracking.pipeInput(RecordKeys.ofUser(event.getEnvironment(), event.getTargetingKey()),
                serializer.serialize("tracking-events", event), event.getOccurredAt());
    }

    /**
     * Lets the measuring task flush what it folded, then the evaluator run once more: every signal
     * published since the last call (the last of them from an evaluation after the flush).
     */
    List<KeyValue<String, ReleaseSignal>> evaluate() {
        driver.advanceWallClockTime(FLUSH);
        long before = metrics.evaluations();
        while (metrics.evaluations() == before) {
            driver.advanceWallClockTime(FLUSH);
        }
        return signals.readKeyValuesToList();
    }

    /** The last signal {@link #evaluate} published for the seed plan. */
    ReleaseSignal signal() {
        List<KeyValue<String, ReleaseSignal>> published = evaluate();
        String key = RecordKeys.ofPlanEvents(Plans.ENV, Plans.PLAN);
        ReleaseSignal last = null;
        for (KeyValue<String, ReleaseSignal> kv : published) {
            if (kv.key.equals(key)) {
                last = kv.value;
            }
        }
        if (last == null) {
            throw new AssertionError("no release signal for " + key + " in " + published);
        }
        return last;
    }

    /** The seed plan's figures as its evaluator holds them now (after {@link #flush}), read at the clock's instant. */
    Measurement measurement() {
        return GuardrailEvaluator.measure(driver.<String, Cell>getKeyValueStore(GuardrailStores.SHARES),
                RecordKeys.ofPlanEvents(Plans.ENV, Plans.PLAN), Horizons.DEFAULT, clock.millis());
    }

    /** Lets the measuring task send what it folded to the evaluators. */
    void flush() {
        driver.advanceWallClockTime(FLUSH);
    }

    RolloutPlanState foldedPlan() {
        KeyValueStore<String, RolloutPlanState> store = driver.getKeyValueStore(FlagProjectionTopology.PLAN_STORE);
        return store.get(AggregateRef.ofEventKey(RecordKeys.ofPlanEvents(Plans.ENV, Plans.PLAN)).eventKey());
    }

    @Override
    public void close() {
        driver.close();
    }
}
