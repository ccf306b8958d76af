package io.flagplane.projection.fold;

import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagState;
import io.flagplane.contract.TopicNames;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.wire.AvroDeserializer;
import io.flagplane.wire.AvroSerde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * The current-ruleset topology: {@code flag-events} → version-gated fold (RocksDB store
 * {@value #STATE_STORE}) → {@code flag-state}. Built on a {@link StreamsBuilder} apart from the
 * process that runs it, so that {@code TopologyTestDriver} tests it in milliseconds.
 */
public final class FlagProjectionTopology {

    public static final String STATE_STORE = "flag-states";

    private FlagProjectionTopology() {
    }

    public static void build(StreamsBuilder builder, TopicNames topics, SchemaRegistryClient registry, ProjectionMetrics metrics) {
        AvroSerde<FlagState> stateSerde = new AvroSerde<>(registry, FlagState.class);
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(STATE_STORE), Serdes.String(), stateSerde));
        builder.stream(topics.flagEvents(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("flag-events"))
                .process(() -> new FlagFoldProcessor(new AvroDeserializer<>(registry, FlagEvent.class), metrics, STATE_STORE),
                        STATE_STORE)
                .to(topics.flagState(), Produced.with(Serdes.String(), stateSerde).withName("flag-state"));
    }
}
