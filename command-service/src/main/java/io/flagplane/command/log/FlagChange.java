package io.flagplane.command.log;

import io.flagplane.avro.FlagState;
import io.flagplane.contract.RecordKeys.FlagRef;

/**
 * What one command did to one flag: its state afterwards, whether an event was written, and
 * where (partition and offset; null when nothing changed).
 */
public record FlagChange(FlagRef flag, FlagState state, boolean changed, Integer partition, Long offset) {

    public long version() {
        return state.getVersion();
    }
}
