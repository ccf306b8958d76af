package io.flagplane.projection.query;

import io.flagplane.avro.FlagState;
import io.flagplane.contract.FlagRef;
import io.flagplane.projection.telemetry.AppliedVersions;
import io.flagplane.projection.telemetry.EvaluatorEntry;
import io.flagplane.projection.telemetry.NodeShare;
import io.flagplane.projection.telemetry.TelemetryCodec;
import io.flagplane.projection.telemetry.TelemetryStores;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.wire.AvroDeserializer;
import io.flagplane.wire.WireFormatException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import io.flagplane.projection.telemetry.UsageEntry;

/**
 * What this instance knows from evaluator reports: its share of the registry, of who applied
 * which version, and of usage (the nodes whose reports are folded here); and, from its global copy
 * of {@code flag-state}, every flag's current state. Local and read-only; {@link ClusterTelemetry}
 * puts the instances' shares together.
 */
public final class TelemetryQueries {

    private final LocalStores stores;
    private final AvroDeserializer<FlagState> flagStates;

    public TelemetryQueries(LocalStores stores, SchemaRegistryClient registry) {
        this.stores = stores;
        this.flagStates = new AvroDeserializer<>(registry, FlagState.class);
    }

    /** Every evaluator registered here, in node id order. */
    public List<EvaluatorEntry> evaluatorsLocal() {
        List<EvaluatorEntry> nodes = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> all = stores.evaluators().all()) {
            all.forEachRemaining(kv -> nodes.add(TelemetryCodec.decode(kv.value, EvaluatorEntry.class)));
        }
        return nodes;
    }

    /** The evaluators registered here that serve the flag's environment, and how each stands on {@code version}. */
    public List<NodeShare> propagationLocal(FlagRef flag, long version) {
        ReadOnlyKeyValueStore<String, byte[]> applied = stores.applied();
        List<NodeShare> shares = new ArrayList<>();
        for (EvaluatorEntry node : evaluatorsLocal()) {
            if (!node.serves(flag.environment())) {
                continue;
            }
            AppliedVersions versions = TelemetryCodec.decode(applied.get(TelemetryStores.appliedKey(node.nodeId(), flag.stateKey())),
                    AppliedVersions.class);
            shares.add(new NodeShare(node, versions == null ? null : versions.progress(version)));
        }
        return shares;
    }

    /**
     * This instance's usage share of one flag ({@code flagKey}) or of every flag of the environment
     * (null), by flag key. A flag evaluated by nodes on several partitions has an entry in each
     * partition's store: the composite store's range yields them all, and they are summed here.
     */
    public Map<String, UsageEntry> usageLocal(String environment, String flagKey) {
        String from = flagKey != null ? new FlagRef(environment, flagKey).stateKey() : TelemetryStores.environmentFrom(environment);
        String to = flagKey != null ? from : TelemetryStores.environmentTo(environment);
        Map<String, UsageEntry> shares = new TreeMap<>();
        try (KeyValueIterator<String, byte[]> range = stores.usage().range(from, to)) {
            while (range.hasNext()) {
                KeyValue<String, byte[]> next = range.next();
                shares.merge(next.key.substring(environment.length() + 1), TelemetryCodec.decode(next.value, UsageEntry.class),
                        UsageEntry::plus);
            }
        }
        return shares;
    }

    /** A flag's current state from the global copy; empty when there is none (or its record cannot be read). */
    public Optional<FlagState> flag(FlagRef flag) {
        return Optional.ofNullable(decode(stores.globalFlags().get(flag.stateKey())));
    }

    /** Every flag of an environment, from the global copy, in key order. */
    public List<FlagState> flags(String environment) {
        List<FlagState> flags = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> range = stores.globalFlags().range(TelemetryStores.environmentFrom(environment),
                TelemetryStores.environmentTo(environment))) {
            range.forEachRemaining(kv -> {
                FlagState state = decode(kv.value);
                if (state != null) {
                    flags.add(state);
                }
            });
        }
        return flags;
    }

    private FlagState decode(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return flagStates.deserialize(null, bytes);
        } catch (WireFormatException e) {
            return null;   // skipped, as every reader of flag-state skips what it cannot decode
        }
    }
}
