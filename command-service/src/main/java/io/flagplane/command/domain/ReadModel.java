package io.flagplane.command.domain;

import io.flagplane.avro.EnvironmentState;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.SegmentState;
import java.util.Collection;

/**
 * The current environments, flags and segments a decision is made against. Two generic lookups
 * (one target; every target of a kind in an environment) and typed conveniences over them.
 */
public interface ReadModel {

    /** The state of one target (its kind's state type), or null. */
    Object state(Target target);

    /** Every state of one kind in an environment, archived ones included, ordered by key. */
    Collection<?> all(Target.Kind kind, String environment);

    /** A declared environment (archived ones included), or null. */
    default EnvironmentState environment(String name) {
        return (EnvironmentState) state(Target.environment(name));
    }

    default FlagState flag(String environment, String key) {
        return (FlagState) state(Target.flag(environment, key));
    }

    default SegmentState segment(String environment, String key) {
        return (SegmentState) state(Target.segment(environment, key));
    }

    /** Every flag of an environment, archived ones included. */
    @SuppressWarnings("unchecked")
    default Collection<FlagState> flags(String environment) {
        return (Collection<FlagState>) all(Target.Kind.FLAG, environment);
    }

    /** Every segment of an environment, archived ones included. */
    @SuppressWarnings("unchecked")
    default Collection<SegmentState> segments(String environment) {
        return (Collection<SegmentState>) all(Target.Kind.SEGMENT, environment);
    }
}
