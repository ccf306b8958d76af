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
import java.util.Set;
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
 *
 * <p>The live projection runs two Kafka Streams applications (docs/DECISIONS.md, "the kill path
 * has a Streams application of its own"): the fold of {@code flag-events} (and what hangs off it)
 * and the telemetry — evaluator reports and the experiment analysis. Each store is read from the
 * application that holds it ({@link #TELEMETRY_STORES}); a replay runs one application that holds all.
 */
public final class LocalStores implements FoldStores {

    /** The stores of the telemetry application; every other store is the fold's. */
    public static final Set<String> TELEMETRY_STORES = Set.of(TelemetryStores.EVALUATORS, TelemetryStores.APPLIED,
            TelemetryStores.USAGE, ExperimentStores.USERS, ExperimentStores.TOTALS, ExperimentStores.SERIES);

    private static final long REBALANCE_PATIENCE_NANOS = 2_000_000_000L;

    private final Supplier<KafkaStreams> streams;
    private final Supplier<KafkaStreams> telemetry;
    private final String eventsTopic;
    private final Supplier<HostInfo> self;

    /**
     * One application holding every store (a replay).
     *
     * @param streams the running application (null until it is created)
     * @param self    how other instances reach this one (known once the HTTP port is bound)
     */
    public LocalStores(Supplier<KafkaStreams> streams, String eventsTopic, Supplier<HostInfo> self) {
        this(streams, streams, eventsTopic, self);
    }

    /**
     * @param streams   the fold's application (null until it is created)
     * @param telemetry the telemetry application, holding {@link #TELEMETRY_STORES} (null until it is created)
     * @param self      how other instances reach this one (known once the HTTP port is bound)
     */
    public LocalStores(Supplier<KafkaStreams> streams, Supplier<KafkaStreams> telemetry, String eventsTopic,
                       Supplier<HostInfo> self) {
        this.streams = streams;
        this.telemetry = telemetry;
        this.eventsTopic = eventsTopic;
        this.self = self;
    }

    /** The application that holds {@code store}. */
    public KafkaStreams streamsFor(String store) {
        KafkaStreams s = (TELEMETRY_STORES.contains(store) ? telemetry : streams).get();
        if (s == null) {
            throw QueryException.unavailable("the projection is starting; retry in a moment");
        }
        return s;
    }

    /**
     * The state of the projection as a whole: RUNNING when every application is; otherwise the
     * state of the first that is not (the fold's first).
     */
    public KafkaStreams.State state() {
        KafkaStreams fold = streams();
        if (fold.state() != KafkaStreams.State.RUNNING) {
            return fold.state();
        }
        KafkaStreams other = telemetry.get();
        return other == null ? KafkaStreams.State.CREATED : other.state();
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

    @Override
    public ReadOnlyKeyValueStore<String, FlagState> flags() {
        return store(FlagProjectionTopology.FLAG_STORE, null);
    }

    @Override
    public ReadOnlyKeyValueStore<String, SegmentState> segments() {
        return store(FlagProjectionTopology.SEGMENT_STORE, null);
    }

    /** The rollout plans of the {@code flag-events} partitions held here, keyed {@code environment/plan:key}. */
    @Override
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

    @Override
    public ReadOnlyKeyValueStore<String, byte[]> history() {
        return store(FlagProjectionTopology.HISTORY_STORE, null);
    }

    /** One audit store per partition of {@code flag-events} held here. */
    @Override
    public List<ReadOnlyKeyValueStore<String, byte[]>> auditShares() {
        List<ReadOnlyKeyValueStore<String, byte[]>> shares = new ArrayList<>();
        for (int partition : localPartitions()) {
            shares.add(audit(partition));
        }
        return shares;
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
        for (StreamsMetadata metadata : streamsFor(store).streamsMetadataForStore(store)) {
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
        for (String name : List.of(FlagProjectionTopology.FLAG_STORE, FlagProjectionTopology.SEGMENT_STORE,
                FlagProjectionTopology.PLAN_STORE, FlagProjectionTopology.HISTORY_STORE, FlagProjectionTopology.AUDIT_STORE, TelemetryStores.EVALUATORS,
                TelemetryStores.APPLIED, TelemetryStores.USAGE, ExperimentStores.USERS, ExperimentStores.TOTALS,
                ExperimentStores.SERIES, GuardrailStores.USERS, GuardrailStores.CELLS, GuardrailStores.PLANS,
                GuardrailStores.SHARES, GuardrailStores.SIGNALS)) {
            KafkaStreams s = (TELEMETRY_STORES.contains(name) ? telemetry : streams).get();
            if (s == null || s.state() != KafkaStreams.State.RUNNING) {
                continue;
            }
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
        KafkaStreams s = streamsFor(name);
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
