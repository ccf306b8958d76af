package io.flagplane.projection.experiments;

import io.flagplane.avro.Experiment;
import io.flagplane.avro.FlagState;
import io.flagplane.contract.ExperimentFold;
import io.flagplane.contract.RecordKeys;
import io.flagplane.wire.AvroDeserializer;
import io.flagplane.wire.WireFormatException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The launched experiments the fold has met, read from the global copy of {@code flag-state} (an
 * exposure names its flag, so one read finds it) and kept: what the fold uses of a spec is fixed
 * from launch on, so a kept spec never goes stale. An experiment not found is looked for again at
 * most once a second (the global copy may lag a freshly launched experiment by milliseconds).
 * One per fold task, used by its stream thread only.
 */
final class ExperimentCatalog {

    private static final int MAX_KEPT = 10_000;
    private static final long RETRY_NANOS = 1_000_000_000L;

    private final ReadOnlyKeyValueStore<String, byte[]> flags;
    private final AvroDeserializer<FlagState> states;
    private final LongSupplier nanos;
    private final Map<String, ExperimentSpec> specs = new HashMap<>();
    private final Map<String, Long> missedAt = new HashMap<>();

    ExperimentCatalog(ReadOnlyKeyValueStore<String, byte[]> flags, AvroDeserializer<FlagState> states, LongSupplier nanos) {
        this.flags = flags;
        this.states = states;
        this.nanos = nanos;
    }

    /** The launched experiment {@code experimentKey} on {@code flagKey}; null when the global copy does not hold it. */
    ExperimentSpec find(String environment, String flagKey, String experimentKey) {
        String key = ExperimentStores.totalsKey(environment, experimentKey);
        ExperimentSpec spec = specs.get(key);
        if (spec != null && spec.flagKey().equals(flagKey)) {
            return spec;
        }
        Long missed = missedAt.get(key + '\u0000' + flagKey);
        if (missed != null && nanos.getAsLong() - missed < RETRY_NANOS) {
            return null;
        }
        spec = read(environment, flagKey, experimentKey).orElse(null);
        if (spec == null) {
            if (missedAt.size() >= MAX_KEPT) {
                missedAt.clear();
            }
            missedAt.put(key + '\u0000' + flagKey, nanos.getAsLong());
            return null;
        }
        if (specs.size() >= MAX_KEPT) {
            specs.clear();
        }
        specs.put(key, spec);
        return spec;
    }

    /** Forgets what was not found, so the next look reads the global copy again (each sweep does this). */
    void forgetMisses() {
        missedAt.clear();
    }

    private Optional<ExperimentSpec> read(String environment, String flagKey, String experimentKey) {
        byte[] bytes = flags.get(RecordKeys.of(environment, flagKey));
        if (bytes == null) {
            return Optional.empty();
        }
        FlagState state;
        try {
            state = states.deserialize(null, bytes);
        } catch (WireFormatException e) {
            return Optional.empty();   // every reader of flag-state skips what it cannot decode
        }
        Optional<Experiment> experiment = ExperimentFold.named(state.getExperiments(), experimentKey);
        return experiment.flatMap(e -> ExperimentSpec.of(environment, flagKey, e));
    }
}
