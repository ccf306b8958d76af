package io.flagplane.command.domain;

import io.flagplane.avro.EnvironmentState;
import io.flagplane.avro.Experiment;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.SegmentState;
import io.flagplane.contract.AggregateRef;
import io.flagplane.contract.EnvironmentRef;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.SegmentRef;
import java.util.Collection;

/**
 * The current environments, flags and segments a decision is made against. Two generic lookups
 * (one target; every target of a kind in an environment) and typed conveniences over them.
 */
public interface ReadModel {

    /** The state of one target (its kind's state type), or null. */
    Object state(AggregateRef target);

    /** Every state of one kind in an environment, archived ones included, ordered by key. */
    Collection<?> all(Class<? extends AggregateRef> kind, String environment);

    /** A declared environment (archived ones included), or null. */
    default EnvironmentState environment(String name) {
        return (EnvironmentState) state(new EnvironmentRef(name));
    }

    default FlagState flag(String environment, String key) {
        return (FlagState) state(new FlagRef(environment, key));
    }

    default SegmentState segment(String environment, String key) {
        return (SegmentState) state(new SegmentRef(environment, key));
    }

    /**
     * The key of the flag that carries an experiment, or null when no flag of the environment does.
     * Experiment keys are unique per environment and an experiment never leaves its flag, so the
     * answer never changes once there is one. This default scans the flags; the write model keeps an index.
     */
    default String experimentFlag(String environment, String experimentKey) {
        for (FlagState flag : flags(environment)) {
            for (Experiment experiment : flag.getExperiments()) {
                if (experiment.getKey().equals(experimentKey)) {
                    return flag.getFlagKey();
                }
            }
        }
        return null;
    }

    /** Every flag of an environment, archived ones included. */
    @SuppressWarnings("unchecked")
    default Collection<FlagState> flags(String environment) {
        return (Collection<FlagState>) all(FlagRef.class, environment);
    }

    /** Every segment of an environment, archived ones included. */
    @SuppressWarnings("unchecked")
    default Collection<SegmentState> segments(String environment) {
        return (Collection<SegmentState>) all(SegmentRef.class, environment);
    }
}
