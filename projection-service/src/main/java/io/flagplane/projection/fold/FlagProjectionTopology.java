package io.flagplane.projection.fold;

import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagNotice;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.avro.SegmentState;
import io.flagplane.contract.TopicNames;
import io.flagplane.projection.lifecycle.StaleNotices;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.wire.AvroDeserializer;
import io.flagplane.wire.AvroSerde;
import io.flagplane.wire.AvroSerializer;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The projection topology: {@code flag-events} → version-gated fold → {@code flag-state} and
 * {@code segment-state}, with four RocksDB stores: the current flags ({@value #FLAG_STORE}) and
 * segments ({@value #SEGMENT_STORE}), every applied event per flag ({@value #HISTORY_STORE}) and
 * a time-ordered index of them all ({@value #AUDIT_STORE}). Undecodable records go to the
 * dead-letter topic. Built on a {@link StreamsBuilder} apart from the process that runs it, so
 * that {@code TopologyTestDriver} tests it in milliseconds.
 */
public final class FlagProjectionTopology {

    public static final String FLAG_STORE = "flag-states";
    public static final String SEGMENT_STORE = "segment-states";
    /** {@code environment/plan:key} → {@code RolloutPlanState}. */
    public static final String PLAN_STORE = "plan-states";
    public static final String HISTORY_STORE = "history";
    public static final String AUDIT_STORE = "audit";

    /**
     * How the live projection announces flags that become potentially stale ({@link StaleNotices}).
     *
     * @param clock      what "now" is (tests move it)
     * @param checkEvery how often every flag is checked (wall-clock punctuation)
     */
    public record Notices(Clock clock, Duration checkEvery) {
        public static final Notices SYSTEM = new Notices(Clock.systemUTC(), Duration.ofMinutes(1));
    }

    private FlagProjectionTopology() {
    }

    public static void build(StreamsBuilder builder, TopicNames topics, SchemaRegistryClient registry, ProjectionMetrics metrics) {
        build(builder, topics, registry, metrics, Notices.SYSTEM);
    }

    /**
     * The topology, with the stale-flag notices. (The replay does not run it: it folds with the same
     * {@link EventFold} outside Kafka Streams, see {@code io.flagplane.projection.replay.Rebuilder}.)
     *
     * @return every plan's state as the fold makes it, keyed {@code environment/plan:key} (for the guardrails)
     */
    public static KStream<String, RolloutPlanState> build(StreamsBuilder builder, TopicNames topics, SchemaRegistryClient registry,
                                                         ProjectionMetrics metrics, Notices notices) {
        AvroSerde<FlagState> flagSerde = new AvroSerde<>(registry, FlagState.class);
        AvroSerde<SegmentState> segmentSerde = new AvroSerde<>(registry, SegmentState.class);
        builder.addStateStore(store(FLAG_STORE, flagSerde, true));
        builder.addStateStore(store(SEGMENT_STORE, segmentSerde, true));
        builder.addStateStore(store(PLAN_STORE, new AvroSerde<>(registry, RolloutPlanState.class), true));
        builder.addStateStore(store(HISTORY_STORE, Serdes.ByteArray(), false));
        builder.addStateStore(store(AUDIT_STORE, Serdes.ByteArray(), false));
        KStream<String, Object> out = builder
                .stream(topics.flagEvents(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("flag-events"))
                .process(() -> new EventFoldProcessor(new EventFold(new AvroDeserializer<>(registry, FlagEvent.class),
                        new AvroSerializer<>(registry, true), topics, metrics), topics),
                        Named.as("fold"), FLAG_STORE, SEGMENT_STORE, PLAN_STORE, HISTORY_STORE, AUDIT_STORE);
        builder.addStateStore(store(StaleNotices.STORE, Serdes.String(), false));
        out.process(() -> new StaleNotices(FLAG_STORE, notices.clock(), notices.checkEvery(),
                metrics.lifetimeChecks::incrementAndGet), Named.as("stale-notices"),
                        FLAG_STORE, StaleNotices.STORE)
                .to(topics.flagNotices(), Produced.with(Serdes.String(), new AvroSerde<>(registry, FlagNotice.class))
                        .withName("flag-notices"));
        Map<String, KStream<String, Object>> branches = out.split(Named.as("out-"))
                .branch((key, value) -> value instanceof RolloutPlanState, Branched.as("plan"))
                .branch((key, value) -> value instanceof SegmentState, Branched.withConsumer(segments -> segments
                        .mapValues(value -> (SegmentState) value, Named.as("as-segment-state"))
                        .to(topics.segmentState(), Produced.with(Serdes.String(), segmentSerde).withName("segment-state")),
                        "segment"))
                .branch((key, value) -> value instanceof EventFoldProcessor.DeadLetter, Branched.withConsumer(letters -> letters
                        .mapValues(value -> ((EventFoldProcessor.DeadLetter) value).value(), Named.as("as-dead-letter"))
                        .to(topics.deadLetters(), Produced.with(Serdes.String(), Serdes.ByteArray()).withName("dead-letters")),
                        "dead-letter"))
                .defaultBranch(Branched.withConsumer(flags -> flags
                        .mapValues(value -> (FlagState) value, Named.as("as-flag-state"))
                        .to(topics.flagState(), Produced.with(Serdes.String(), flagSerde).withName("flag-state")),
                        "flag"));
        return branches.get("out-plan").mapValues(value -> (RolloutPlanState) value, Named.as("as-plan-state"));
    }

    /**
     * A RocksDB store. The current-state stores sit behind a {@link WriteBackStore}: a flag
     * changed a hundred times between commits is serialised and written once. History and audit
     * keys are all distinct, so they go straight to RocksDB.
     */
    private static <V> StoreBuilder<KeyValueStore<String, V>> store(String name, Serde<V> values, boolean writeBack) {
        StoreBuilder<KeyValueStore<String, V>> store = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name),
                Serdes.String(), values).withCachingDisabled().withLoggingEnabled(Map.of());
        return writeBack ? WriteBackStore.wrap(store) : store;
    }
}
