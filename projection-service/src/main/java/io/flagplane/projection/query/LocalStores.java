package io.flagplane.projection.query;

import io.flagplane.avro.FlagState;
import io.flagplane.avro.ReleaseSignal;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.avro.SegmentState;
import io.flagplane.projection.experiments.ExperimentStores;
import io.flagplane.projection.experiments.ExperimentTotals;
import io.flagplane.projection.experiments.Snapshot;
import io.flagplane.projection.fold.FlagProjectionTopology;
import io.flagplane.projection.guardrails.GuardrailStores;
import io.flagplane.projection.telemetry.TelemetryStores;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.StreamsMetadata;

/**
 * This instance's stores, as Kafka Streams' interactive queries show them. Every call may find
 * the stores moving (a rebalance, a restore); that is a 503 to retry, never a wrong answer.
 */
public final class LocalStores {

    private static final long REBALANCE_PATIENCE_NANOS = 2_000_000_000L;

    private final Supplier<KafkaStreams> streams;
    private final String eventsTopic;
    private final Supplier<HostInfo> self;

    /**
     * @param streams the running application (null until it is created)
     * @param self    how other instances reach this one (known once the HTTP port is bound)
     */
    public LocalStores(Supplier<KafkaStreams> streams, String eventsTopic, Supplier<HostInfo> self) {
        this.streams = streams;
        this.eventsTopic = eventsTopic;
        this.self = self;
    }

    public HostInfo self() {
        return self.get();
    }

    public KafkaStreams streams() {
        KafkaStreams s = streams.get();
        if (s == null) {
            throw QueryException.unavailable("the projection is starting; retry in a moment");
        }
        return s;
    }

    public ReadOnlyKeyValueStore<String, FlagState> flags() {
        return store(FlagProjectionTopology.FLAG_STORE, null);
    }

    public ReadOnlyKeyValueStore<String, SegmentState> segments() {
        return store(FlagProjectionTopology.SEGMENT_STORE, null);
    }

    /** The rollout plans of the {@code flag-events} partitions held here, keyed {@code environment/plan:key}. */
    public ReadOnlyKeyValueStore<String, RolloutPlanState> plans() {
        return store(FlagProjectionTopology.PLAN_STORE, null);
    }

    /** The rollout plans whose guardrails are evaluated here (partitioned like {@code guardrail-plans}). */
    public ReadOnlyKeyValueStore<String, RolloutPlanState> guardrailPlans() {
        return store(GuardrailStores.PLANS, null);
    }

    /** The release signals published for the plans evaluated here. */
    public ReadOnlyKeyValueStore<String, ReleaseSignal> guardrailSignals() {
        return store(GuardrailStores.SIGNALS, null);
    }

    public ReadOnlyKeyValueStore<String, byte[]> history() {
        return store(FlagProjectionTopology.HISTORY_STORE, null);
    }

    /** The audit store of one partition this instance holds. */
    public ReadOnlyKeyValueStore<String, byte[]> audit(int partition) {
        return store(FlagProjectionTopology.AUDIT_STORE, partition);
    }

    /** The evaluator registry of the {@code evaluator-reports} partitions held here (node id → JSON). */
    public ReadOnlyKeyValueStore<String, byte[]> evaluators() {
        return store(TelemetryStores.EVALUATORS, null);
    }

    /** Applied versions per node and flag, of the nodes whose reports are folded here. */
    public ReadOnlyKeyValueStore<String, byte[]> applied() {
        return store(TelemetryStores.APPLIED, null);
    }

    /** Usage per flag, counted by the nodes whose reports are folded here. */
    public ReadOnlyKeyValueStore<String, byte[]> usage() {
        return store(TelemetryStores.USAGE, null);
    }

    /** Every flag's current state (the global copy of {@code flag-state}), as the topic's bytes. */
    public ReadOnlyKeyValueStore<String, byte[]> globalFlags() {
        return store(TelemetryStores.FLAG_STATES, null);
    }

    /** Each experiment's totals, one entry per partition of {@code flag-exposures} held here. */
    public ReadOnlyKeyValueStore<String, ExperimentTotals> experimentTotals() {
        return store(ExperimentStores.TOTALS, null);
    }

    /** The experiments' time-series points of the partitions held here. */
    public ReadOnlyKeyValueStore<String, Snapshot> experimentSeries() {
        return store(ExperimentStores.SERIES, null);
    }

    /** Whether this instance holds any partition of {@code store} (a store it holds none of cannot be read here). */
    public boolean hosts(String store) {
        for (StreamsMetadata metadata : streams().streamsMetadataForStore(store)) {
            if (metadata.hostInfo().equals(self()) && !metadata.topicPartitions().isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** The partitions of {@code flag-events} whose stores this instance holds. */
    public List<Integer> localPartitions() {
        List<Integer> partitions = new ArrayList<>();
        for (StreamsMetadata metadata : streams().streamsMetadataForStore(FlagProjectionTopology.AUDIT_STORE)) {
            if (metadata.hostInfo().equals(self())) {
                metadata.topicPartitions().stream().filter(tp -> tp.topic().equals(eventsTopic))
                        .forEach(tp -> partitions.add(tp.partition()));
            }
        }
        return partitions;
    }

    /**
     * Approximate entries of each store over the partitions held here, for a metrics scrape: it
     * never waits out a rebalance, and a store that cannot be read right now is left out.
     */
    public Map<String, Long> approximateEntries() {
        Map<String, Long> entries = new LinkedHashMap<>();
        KafkaStreams s = streams.get();
        if (s == null || s.state() != KafkaStreams.State.RUNNING) {
            return entries;
        }
        for (String name : List.of(FlagProjectionTopology.FLAG_STORE, FlagProjectionTopology.SEGMENT_STORE,
                FlagProjectionTopology.PLAN_STORE, FlagProjectionTopology.HISTORY_STORE, FlagProjectionTopology.AUDIT_STORE, TelemetryStores.EVALUATORS,
                TelemetryStores.APPLIED, TelemetryStores.USAGE, ExperimentStores.USERS, ExperimentStores.TOTALS,
                ExperimentStores.SERIES, GuardrailStores.USERS, GuardrailStores.CELLS, GuardrailStores.PLANS,
                GuardrailStores.SHARES, GuardrailStores.SIGNALS)) {
            try {
                ReadOnlyKeyValueStore<String, Object> store = s.store(StoreQueryParameters.fromNameAndType(name,
                        QueryableStoreTypes.keyValueStore()));
                entries.put(name, store.approximateNumEntries());
            } catch (InvalidStateStoreException e) {
                // moving (a rebalance began since the state was read); the next scrape has it
            }
        }
        return entries;
    }

    private <V> ReadOnlyKeyValueStore<String, V> store(String name, Integer partition) {
        KafkaStreams s = streams();
        // a short rebalance is waited out here rather than handed to every caller as a 503
        long deadline = System.nanoTime() + REBALANCE_PATIENCE_NANOS;
        while (s.state() == KafkaStreams.State.REBALANCING && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (s.state() != KafkaStreams.State.RUNNING) {
            throw QueryException.unavailable("the projection is " + s.state() + "; retry in a moment");
        }
        try {
            StoreQueryParameters<ReadOnlyKeyValueStore<String, V>> parameters =
                    StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.keyValueStore());
            return s.store(partition == null ? parameters : parameters.withPartition(partition));
        } catch (InvalidStateStoreException e) {
            throw QueryException.unavailable("the projection's stores are moving (a rebalance or a restore); retry in a moment");
        }
    }
}
