package io.flagplane.command.domain;

import io.flagplane.avro.EnvironmentState;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.SegmentState;
import java.util.Collection;

/** The current environments, flags and segments a decision is made against. */
public interface ReadModel {

    /** A declared environment (archived ones included), or null. */
    EnvironmentState environment(String name);

    FlagState flag(String environment, String key);

    SegmentState segment(String environment, String key);

    /** Every flag of an environment, archived ones included. */
    Collection<FlagState> flags(String environment);

    /** Every segment of an environment, archived ones included. */
    Collection<SegmentState> segments(String environment);
}
