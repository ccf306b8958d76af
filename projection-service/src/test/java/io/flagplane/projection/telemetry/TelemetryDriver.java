package io.flagplane.projection.telemetry;

import io.flagplane.testkit.MovableClock;
import io.flagplane.avro.EvaluatorReport;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagNotice;
import io.flagplane.avro.FlagState;
import io.flagplane.contract.RecordKeys;
import io.flagplane.contract.TopicNames;
import io.flagplane.projection.fold.FlagProjectionTopology;
import io.flagplane.projection.fold.ProjectionMetrics;
import io.flagplane.registry.InMemorySchemaRegistry;
import io.flagplane.wire.AvroDeserializer;
import io.flagplane.wire.AvroSerializer;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The projection's whole live topology (flag fold, stale notices, report fold) in a
 * {@code TopologyTestDriver} on a {@link MovableClock}, with ways to send what the command-service
 * and the evaluators send.
 */
public final class TelemetryDriver implements AutoCloseable {

    public static final Instant START = Instant.parse("2026-03-01T12:00:00Z");

    public final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    public final MovableClock clock = new MovableClock(START);
    public final TelemetryMetrics metrics = new TelemetryMetrics();
    public final FoldSignal signal = new FoldSignal();
    public final TopologyTestDriver driver;
    public final TestInputTopic<String, byte[]> reports;
    public final TestInputTopic<String, byte[]> events;
    public final TestInputTopic<String, byte[]> flagStates;
    public final TestOutputTopic<String, FlagNotice> notices;
    private final AvroSerializer<org.apache.avro.specific.SpecificRecord> serializer = new AvroSerializer<>(registry, true);

    public TelemetryDriver(ReportLimits limits) {
        StreamsBuilder builder = new StreamsBuilder();
        FlagProjectionTopology.build(builder, TopicNames.DEFAULT, registry, new ProjectionMetrics(),
                new FlagProjectionTopology.Notices(clock, Duration.ofMinutes(1)));
        FlagStatesGlobal.add(builder, TopicNames.DEFAULT);
        EvaluatorReportsTopology.build(builder, TopicNames.DEFAULT, registry, new EvaluatorReportsTopology.Settings(metrics, signal,
                clock, limits, Duration.ofDays(7), Duration.ofMinutes(1)));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "telemetry-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put("processing.exception.handler.global.enabled", true);
        driver = new TopologyTestDriver(builder.build(), props, START);
        reports = driver.createInputTopic("evaluator-reports", new StringSerializer(), new ByteArraySerializer());
        events = driver.createInputTopic("flag-events", new StringSerializer(), new ByteArraySerializer());
        flagStates = driver.createInputTopic("flag-state", new StringSerializer(), new ByteArraySerializer());
        notices = driver.createOutputTopic("flag-notices", new StringDeserializer(),
                new AvroDeserializer<>(registry, FlagNotice.class));
    }

    public TelemetryDriver() {
        this(ReportLimits.DEFAULT);
    }

    public void send(EvaluatorReport report) {
        reports.pipeInput(report.getNodeId(), serializer.serialize("evaluator-reports", report));
    }

    public void send(FlagEvent event) {
        events.pipeInput(RecordKeys.of(event.getEnvironment(), event.getFlagKey()), serializer.serialize("flag-events", event));
    }

    /** A flag state on {@code flag-state}, as the fold would write it (for the global copy). */
    public void publish(FlagState state) {
        flagStates.pipeInput(RecordKeys.of(state.getEnvironment(), state.getFlagKey()), serializer.serialize("flag-state", state));
    }

    /** Moves the clock and lets wall-clock punctuations run. */
    public void advance(Duration by) {
        clock.advance(by);
        driver.advanceWallClockTime(by);
    }

    public KeyValueStore<String, byte[]> store(String name) {
        return driver.getKeyValueStore(name);
    }

    public EvaluatorEntry node(String nodeId) {
        return TelemetryCodec.decode(store(TelemetryStores.EVALUATORS).get(nodeId), EvaluatorEntry.class);
    }

    public AppliedVersions applied(String nodeId, String environment, String flagKey) {
        return TelemetryCodec.decode(store(TelemetryStores.APPLIED).get(TelemetryStores.appliedKey(nodeId,
                RecordKeys.of(environment, flagKey))), AppliedVersions.class);
    }

    public UsageEntry usage(String environment, String flagKey) {
        return TelemetryCodec.decode(store(TelemetryStores.USAGE).get(RecordKeys.of(environment, flagKey)), UsageEntry.class);
    }

    @Override
    public void close() {
        driver.close();
    }
}
