package io.flagplane.projection.telemetry;

import io.flagplane.avro.EvaluatorReport;
import io.flagplane.avro.FlagState;
import io.flagplane.contract.TopicNames;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.wire.AvroDeserializer;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The evaluator-reports part of the projection: {@code evaluator-reports} → {@link ReportFoldProcessor}
 * → the registry, applied versions and usage stores ({@link TelemetryStores}); it reads the global
 * copy of {@code flag-state}, which the application adds once ({@link FlagStatesGlobal#add}). It runs in
 * the projection's telemetry application ({@code <application id>-telemetry}, in the same process and
 * instances as the fold's), never on the stream thread of the fold of {@code flag-events}, which is on
 * the kill path: reports are partitioned by node, flags by flag. Not part of a replay: reports are
 * telemetry, not the record of truth.
 */
public final class EvaluatorReportsTopology {

    /**
     * @param clock       what "now" is for the fold (tests move it)
     * @param forgetAfter a node not seen for this long is removed from the registry with what it applied
     * @param purgeEvery  how often the fold looks for what to forget (wall-clock punctuation)
     */
    public record Settings(TelemetryMetrics metrics, FoldSignal signal, Clock clock, ReportLimits limits, Duration forgetAfter,
                           Duration purgeEvery) {
    }

    private EvaluatorReportsTopology() {
    }

    /** Needs {@link FlagStatesGlobal#add} on the same builder. */
    public static void build(StreamsBuilder builder, TopicNames topics, SchemaRegistryClient registry, Settings settings) {
        builder.addStateStore(store(TelemetryStores.EVALUATORS));
        builder.addStateStore(store(TelemetryStores.APPLIED));
        builder.addStateStore(store(TelemetryStores.USAGE));
        builder.stream(topics.evaluatorReports(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("evaluator-reports"))
                .process(() -> new ReportFoldProcessor(new AvroDeserializer<>(registry, EvaluatorReport.class),
                        new AvroDeserializer<>(registry, FlagState.class), settings), Named.as("report-fold"),
                        TelemetryStores.EVALUATORS, TelemetryStores.APPLIED, TelemetryStores.USAGE);
    }

    private static StoreBuilder<KeyValueStore<String, byte[]>> store(String name) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), Serdes.ByteArray())
                .withCachingEnabled()   // a node's registry entry rewritten every few seconds reaches the changelog once per commit
                .withLoggingEnabled(Map.of());
    }
}
