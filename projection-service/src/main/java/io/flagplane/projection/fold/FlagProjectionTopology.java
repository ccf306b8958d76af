package io.flagplane.projection.fold;

import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.SegmentState;
import io.flagplane.contract.TopicNames;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.wire.AvroDeserializer;
import io.flagplane.wire.AvroSerde;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * The current-ruleset topology: {@code flag-events} → version-gated fold (RocksDB stores
 * {@value #FLAG_STORE} and {@value #SEGMENT_STORE}) → {@code flag-state} and
 * {@code segment-state}. Built on a {@link StreamsBuilder} apart from the process that runs it, so
 * that {@code TopologyTestDriver} tests it in milliseconds.
 */
public final class FlagProjectionTopology {

    public static final String FLAG_STORE = "flag-states";
    public static final String SEGMENT_STORE = "segment-states";

    private FlagProjectionTopology() {
    }

    public static void build(StreamsBuilder builder, TopicNames topics, SchemaRegistryClient registry, ProjectionMetrics metrics) {
        AvroSerde<FlagState> flagSerde = new AvroSerde<>(registry, FlagState.class);
        AvroSerde<SegmentState> segmentSerde = new AvroSerde<>(registry, SegmentState.class);
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(FLAG_STORE), Serdes.String(), flagSerde));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SEGMENT_STORE), Serdes.String(),
                segmentSerde));
        KStream<String, SpecificRecord> states = builder
                .stream(topics.flagEvents(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("flag-events"))
                .process(() -> new EventFoldProcessor(new AvroDeserializer<>(registry, FlagEvent.class), metrics),
                        Named.as("fold"), FLAG_STORE, SEGMENT_STORE);
        states.split(Named.as("state-"))
                .branch((key, state) -> state instanceof SegmentState, Branched.withConsumer(segments -> segments
                        .mapValues(state -> (SegmentState) state, Named.as("as-segment-state"))
                        .to(topics.segmentState(), Produced.with(Serdes.String(), segmentSerde).withName("segment-state")),
                        "segment"))
                .defaultBranch(Branched.withConsumer(flags -> flags
                        .mapValues(state -> (FlagState) state, Named.as("as-flag-state"))
                        .to(topics.flagState(), Produced.with(Serdes.String(), flagSerde).withName("flag-state")),
                        "flag"));
    }
}
