package io.flagplane.projection.guardrails;

import io.flagplane.avro.Exposure;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.ReleaseSignal;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.avro.TrackingEvent;
import io.flagplane.contract.TopicNames;
import io.flagplane.projection.fold.WriteBackStore;
import io.flagplane.projection.telemetry.FlagStatesGlobal;
import io.flagplane.projection.telemetry.TelemetryCodec;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.wire.AvroDeserializer;
import io.flagplane.wire.AvroSerde;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The rollout plans' guardrails, in two parts of the projection's application.
 *
 * <ol>
 *   <li><b>Measure</b>, where the users are: beside the experiment analysis on {@code flag-exposures} and
 *       {@code tracking-events} (co-partitioned by user), {@link MeasureProcessor} folds plan exposures and
 *       the tracked events of exposed users into per-partition cells per plan, variant and time bucket,
 *       and sends the cells that changed to the internal topic {@code guardrail-cells}, keyed by plan.</li>
 *   <li><b>Evaluate</b>, where the plan is: each plan's state, as the flag fold makes it, goes to the internal
 *       topic {@code guardrail-plans}, keyed by plan. Both topics have {@code partitions} partitions, so one
 *       task of {@link GuardrailEvaluator} holds a plan and every partition's share of its cells, reads
 *       its guardrails every interval, and publishes one {@code ReleaseSignal} per running plan to
 *       {@code release-signals}.</li>
 * </ol>
 *
 * Needs {@link FlagStatesGlobal#add} on the same builder (the evaluator reads a plan's flag from it).
 */
public final class GuardrailsTopology {

    /**
     * @param interval      how often every running plan's guardrails are read and a signal published (wall clock)
     * @param flushEvery    how often a measuring task sends its changed cells (wall clock): the freshness of a reading
     * @param sweepEvery    how often a measuring task drops expired cells and a batch of idle users
     * @param sweepBatch    users looked at per sweep
     * @param horizons      how long fine and hourly cells are kept
     * @param signalHistory how long published signals are kept for the plan's verdict series
     * @param partitions    partitions of {@code guardrail-plans} and {@code guardrail-cells} (fixed once the
     *                      application has run: Kafka Streams refuses an internal topic whose count changed)
     * @param prometheus    what PROMETHEUS guardrails read
     * @param grace         how long a tracked event of a user without a plan waits for their first exposure
     */
    public record Settings(GuardrailMetrics metrics, Clock clock, Duration interval, Duration flushEvery, Duration sweepEvery,
                           int sweepBatch, Horizons horizons, Duration signalHistory, int partitions, PrometheusReadings prometheus,
                           Duration grace) {

        public static Settings defaults(GuardrailMetrics metrics, Clock clock) {
            return new Settings(metrics, clock, Duration.ofSeconds(10), Duration.ofMillis(500), Duration.ofMinutes(1), 2_000,
                    Horizons.DEFAULT, Duration.ofHours(6), 1, PrometheusReadings.direct(PrometheusReadings.NOT_CONFIGURED),
                    Duration.ofMinutes(5));
        }
    }

    private GuardrailsTopology() {
    }

    /**
     * @param exposuresAndTracking {@code flag-exposures} and {@code tracking-events} as one stream of raw records
     * @param plans                each plan's state as the fold makes it, keyed {@code environment/plan:key}
     */
    public static void build(StreamsBuilder builder, TopicNames topics, SchemaRegistryClient registry,
                             KStream<String, byte[]> exposuresAndTracking, KStream<String, RolloutPlanState> plans, Settings settings) {
        AvroSerde<RolloutPlanState> planSerde = new AvroSerde<>(registry, RolloutPlanState.class);
        builder.addStateStore(writeBack(GuardrailStores.USERS, json(PlanUserFacts.class)));
        builder.addStateStore(writeBack(GuardrailStores.CELLS, json(Cell.class)));
        builder.addStateStore(writeBack(GuardrailStores.PLANS, planSerde));
        builder.addStateStore(writeBack(GuardrailStores.SHARES, json(Cell.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(GuardrailStores.SIGNALS), Serdes.String(),
                new AvroSerde<>(registry, ReleaseSignal.class)).withCachingDisabled().withLoggingEnabled(Map.of()));

        KStream<String, Object> cells = exposuresAndTracking
                .process(() -> new MeasureProcessor(topics.flagExposures(), new AvroDeserializer<>(registry, Exposure.class),
                                new AvroDeserializer<>(registry, TrackingEvent.class), settings), Named.as("guardrail-measure"),
                        GuardrailStores.USERS, GuardrailStores.CELLS)
                .repartition(Repartitioned.<String, CellBatch>with(Serdes.String(), json(CellBatch.class))
                        .withName("guardrail-cells").withNumberOfPartitions(settings.partitions()))
                .mapValues(batch -> (Object) batch, Named.as("as-cell-batch"));
        KStream<String, Object> states = plans
                .repartition(Repartitioned.with(Serdes.String(), planSerde).withName("guardrail-plans")
                        .withNumberOfPartitions(settings.partitions()))
                .mapValues(plan -> (Object) plan, Named.as("as-plan"));
        states.merge(cells, Named.as("plans-and-cells"))
                .process(() -> new GuardrailEvaluator(settings, new AvroDeserializer<>(registry, FlagState.class)),
                        Named.as("guardrail-evaluate"), GuardrailStores.PLANS, GuardrailStores.SHARES, GuardrailStores.SIGNALS)
                .to(topics.releaseSignals(), Produced.with(Serdes.String(), new AvroSerde<>(registry, ReleaseSignal.class))
                        .withName("release-signals"));
    }

    /**
     * Kept as objects between commits and written once per commit (a plan's cell changes on nearly every
     * record of its users), changelogged so a moved task resumes where it was.
     */
    private static <V> StoreBuilder<KeyValueStore<String, V>> writeBack(String name, Serde<V> values) {
        return WriteBackStore.wrap(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), values)
                .withLoggingEnabled(Map.of()));
    }

    /** The guardrails' own values, JSON of the records (like the other telemetry stores): never read by another program. */
    static <T> Serde<T> json(Class<T> type) {
        return Serdes.serdeFrom((Serializer<T>) (topic, value) -> value == null ? null : TelemetryCodec.encode(value),
                (Deserializer<T>) (topic, bytes) -> TelemetryCodec.decode(bytes, type));
    }
}
