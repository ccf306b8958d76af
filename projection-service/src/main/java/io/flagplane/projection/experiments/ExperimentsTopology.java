package io.flagplane.projection.experiments;

import io.flagplane.avro.Exposure;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.TrackingEvent;
import io.flagplane.contract.TopicNames;
import io.flagplane.projection.fold.WriteBackStore;
import io.flagplane.projection.telemetry.FlagStatesGlobal;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.wire.AvroDeserializer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.Stores;

/**
 * The experiment analysis: {@code flag-exposures} and {@code tracking-events} (co-partitioned,
 * keyed {@code environment/targetingKey}) → {@link ExperimentFoldProcessor} → per user
 * ({@value ExperimentStores#USERS}), per experiment and partition ({@value ExperimentStores#TOTALS})
 * and per minute/hour ({@value ExperimentStores#SERIES}). A sub-topology of the projection's
 * application, beside the flag fold and the report fold; it reads each experiment's definition
 * from the global copy of {@code flag-state} ({@link FlagStatesGlobal}, added once by the caller).
 *
 * <p>No repartition: a query adds up the partitions' totals (a handful of records), so the fold
 * writes nothing to Kafka but its changelogs. Results and statistics are computed at query time
 * ({@link ExperimentAnalysis}).
 */
public final class ExperimentsTopology {

    /**
     * @param limits     the per-user fold's grace period and bounds
     * @param sweepEvery how often (wall clock) a batch of users is tidied
     * @param sweepBatch users tidied per sweep
     */
    public record Settings(ExperimentMetrics metrics, UserFold.Limits limits, Duration sweepEvery, int sweepBatch) {
        public static Settings defaults(ExperimentMetrics metrics) {
            return new Settings(metrics, UserFold.Limits.DEFAULT, Duration.ofSeconds(10), 2_000);
        }
    }

    private ExperimentsTopology() {
    }

    /** Needs {@link FlagStatesGlobal#add} on the same builder. */
    public static void build(StreamsBuilder builder, TopicNames topics, SchemaRegistryClient registry, Settings settings) {
        build(builder, topics, registry, settings, exposuresAndTracking(builder, topics));
    }

    /**
     * {@code flag-exposures} and {@code tracking-events} as one stream of raw records: a topic is read by
     * one source, and both the experiment analysis and the guardrails read these two. Call once per builder.
     */
    public static KStream<String, byte[]> exposuresAndTracking(StreamsBuilder builder, TopicNames topics) {
        return builder.stream(List.of(topics.flagExposures(), topics.trackingEvents()),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("exposures-and-tracking"));
    }

    /** The analysis over the stream {@link #exposuresAndTracking} made. */
    public static void build(StreamsBuilder builder, TopicNames topics, SchemaRegistryClient registry, Settings settings,
                             KStream<String, byte[]> exposuresAndTracking) {
        // a user's facts and the totals change on every record: kept as objects between commits and written once per
        // commit (WriteBackStore), so a user seen twice in a commit interval is encoded once and never decoded back
        builder.addStateStore(WriteBackStore.wrap(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ExperimentStores.USERS),
                Serdes.String(), ExperimentCodec.userFacts()).withLoggingEnabled(Map.of())));
        builder.addStateStore(WriteBackStore.wrap(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ExperimentStores.TOTALS),
                Serdes.String(), ExperimentCodec.json(ExperimentTotals.class)).withLoggingEnabled(Map.of())));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ExperimentStores.SERIES),
                Serdes.String(), ExperimentCodec.json(Snapshot.class)).withCachingDisabled().withLoggingEnabled(Map.of()));
        exposuresAndTracking
                .process(() -> new ExperimentFoldProcessor(topics.flagExposures(), new AvroDeserializer<>(registry, Exposure.class),
                                new AvroDeserializer<>(registry, TrackingEvent.class), new AvroDeserializer<>(registry, FlagState.class),
                                settings), Named.as("experiment-fold"),
                        ExperimentStores.USERS, ExperimentStores.TOTALS, ExperimentStores.SERIES);
    }
}
