package io.flagplane.reporting;

import io.flagplane.avro.AppliedVersion;
import io.flagplane.contract.RecordKeys;
import io.flagplane.contract.SegmentRef;
import io.flagplane.ruleset.RulesetStore;
import java.util.ArrayList;
import java.util.List;

/**
 * The flag and segment versions applied since the last report, as the report lists them: bounded,
 * so that an evaluator that cannot send (Kafka away) while changes keep coming holds at most
 * {@code capacity} entries; beyond that they are dropped and counted. Written by the ruleset's
 * applying thread, drained by the reporter; each holds the lock only to add or to swap the list.
 */
final class AppliedLog {

    private final int capacity;
    private List<AppliedVersion> pending = new ArrayList<>();
    private long dropped;

    AppliedLog(int capacity) {
        this.capacity = capacity;
    }

    /** Called on the applying thread with each batch applied. */
    void add(RulesetStore.Applied applied) {
        synchronized (this) {
            for (RulesetStore.AppliedVersion version : applied.versions()) {
                if (pending.size() >= capacity) {
                    dropped++;
                    continue;
                }
                String key = version.ref() instanceof SegmentRef ? RecordKeys.SEGMENT_PREFIX + version.ref().key()
                        : version.ref().key();
                pending.add(new AppliedVersion(version.ref().environment(), key, version.version(), applied.at()));
            }
        }
    }

    /** Everything applied since the last drain, oldest first. */
    synchronized List<AppliedVersion> drain() {
        List<AppliedVersion> out = pending;
        pending = new ArrayList<>();
        return out;
    }

    /** Entries dropped because the log was full, since the start. */
    synchronized long dropped() {
        return dropped;
    }
}
