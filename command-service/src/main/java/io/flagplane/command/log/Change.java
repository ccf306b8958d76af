package io.flagplane.command.log;

import io.flagplane.avro.FlagState;
import io.flagplane.avro.SegmentState;
import io.flagplane.contract.AggregateRef;

/**
 * What one command did to one flag or segment: its state afterwards (a {@link FlagState} or a
 * {@link SegmentState}), whether an event was written, and where (partition and offset; null when
 * nothing changed).
 */
public record Change(AggregateRef target, Object state, long version, boolean changed, Integer partition, Long offset) {

    public Change written(int partition, long offset) {
        return new Change(target, state, version, true, partition, offset);
    }
}
