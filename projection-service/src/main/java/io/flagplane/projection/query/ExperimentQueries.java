package io.flagplane.projection.query;

import io.flagplane.avro.Experiment;
import io.flagplane.avro.FlagState;
import io.flagplane.contract.ExperimentFold;
import io.flagplane.contract.FlagRef;
import io.flagplane.projection.experiments.ExperimentStores;
import io.flagplane.projection.experiments.ExperimentTotals;
import io.flagplane.projection.experiments.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * What this instance knows about experiments: its partitions' share of each experiment's totals and
 * time series, and from the global copy of {@code flag-state}, every experiment's definition and
 * status. Local and read-only; {@link ClusterExperiments} adds the instances' shares up.
 */
public final class ExperimentQueries {

    /** An experiment and the flag that carries it, as they stand. */
    public record Found(FlagState flag, Experiment experiment) {
    }

    private final LocalStores stores;
    private final TelemetryQueries flags;

    public ExperimentQueries(LocalStores stores, TelemetryQueries flags) {
        this.stores = stores;
        this.flags = flags;
    }

    /**
     * This instance's share of an experiment's totals: the partitions' entries added up (the
     * composite store's range yields one per partition holding the key), null when none has one.
     */
    public ExperimentTotals totalsLocal(String environment, String experimentKey) {
        String key = ExperimentStores.totalsKey(environment, experimentKey);
        ExperimentTotals sum = null;
        try (KeyValueIterator<String, ExperimentTotals> range = stores.experimentTotals().range(key, key)) {
            while (range.hasNext()) {
                ExperimentTotals share = range.next().value;
                sum = sum == null ? share : sum.plus(share);
            }
        }
        return sum;
    }

    /** This instance's time-series points of an experiment, every partition's, at one resolution. */
    public List<Snapshot> pointsLocal(String environment, String experimentKey, ExperimentStores.Resolution resolution) {
        String key = ExperimentStores.totalsKey(environment, experimentKey);
        List<Snapshot> points = new ArrayList<>();
        try (KeyValueIterator<String, Snapshot> range = stores.experimentSeries().range(ExperimentStores.pointsFrom(key, resolution),
                ExperimentStores.pointsTo(key, resolution))) {
            range.forEachRemaining(kv -> points.add(kv.value));
        }
        return points;
    }

    /** Every experiment of the environment's flags, by flag key then in the order the flag carries them. */
    public List<Found> experiments(String environment) {
        List<Found> all = new ArrayList<>();
        for (FlagState flag : flags.flags(environment)) {
            flag.getExperiments().forEach(e -> all.add(new Found(flag, e)));
        }
        return all;
    }

    /**
     * The experiment named, looked up through the flag its totals name when there are any (one
     * read), else among the environment's flags.
     */
    public Optional<Found> experiment(String environment, String experimentKey, String flagKeyHint) {
        if (flagKeyHint != null) {
            Optional<Found> found = flags.flag(new FlagRef(environment, flagKeyHint)).flatMap(flag ->
                    ExperimentFold.named(flag.getExperiments(), experimentKey).map(e -> new Found(flag, e)));
            if (found.isPresent()) {
                return found;
            }
        }
        return experiments(environment).stream().filter(f -> f.experiment().getKey().equals(experimentKey)).findFirst();
    }
}
