package io.flagplane.projection.telemetry;

import io.flagplane.contract.TopicNames;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.state.Stores;

/**
 * The global copy of {@code flag-state} ({@value TelemetryStores#FLAG_STATES}) on every instance, added
 * once to each application that reads it: Kafka Streams reads a topic into one global store only per
 * application. The telemetry application's is read by the report fold (a version's event time, flags by
 * lifecycle status) and the experiment analysis (each experiment's metrics, windows and arms); the fold's
 * application has its own for the guardrails.
 */
public final class FlagStatesGlobal {

    private FlagStatesGlobal() {
    }

    public static void add(StreamsBuilder builder, TopicNames topics) {
        builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TelemetryStores.FLAG_STATES),
                        Serdes.String(), Serdes.ByteArray()).withLoggingDisabled(),
                topics.flagState(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("flag-state-global"),
                FlagStateCopy::new);
    }
}
