package io.flagplane.faults;

import java.util.List;
import java.util.Map;

/**
 * The check every fault under load ends with: every acknowledged command's event is on
 * flag-events exactly once, where its answer said; no refused command wrote anything; nothing
 * was written twice. A command given up on (never acknowledged) may be there once or not at all.
 */
final class ExactlyOnce {

    private ExactlyOnce() {
    }

    static void check(Load load, EventLog log, Report report) {
        Map<String, List<EventLog.Found>> found = log.eventsByKey(load.prefix);
        long lost = 0;
        long moved = 0;
        long once = 0;
        long replayed = 0;
        long retried = 0;
        for (Load.Ack ack : load.acked.values()) {
            List<EventLog.Found> events = found.get(ack.key());
            replayed += ack.replayed() ? 1 : 0;
            retried += ack.attempts() > 1 ? 1 : 0;
            if (events == null) {
                lost++;
            } else if (events.size() == 1) {
                once++;
                EventLog.Found f = events.get(0);
                if (f.partition() != ack.partition() || f.offset() != ack.offset()) {
                    moved++;
                }
            }
        }
        long duplicated = found.values().stream().filter(l -> l.size() > 1).count();
        long refusedWritten = load.refused.keySet().stream().filter(found::containsKey).count();
        long unknownWritten = load.unknown.keySet().stream().filter(found::containsKey).count();
        report.figure("sent %d commands; acknowledged %d (%d after a retry, %d of them answered as a replay); "
                        + "refused %d; given up %d (%d of those on the log once)",
                load.sent(), load.acked.size(), retried, replayed, load.refused.size(), load.unknown.size(), unknownWritten);
        if (!load.failedAttempts.isEmpty()) {
            report.figure("failed attempts (retried with the same key): %s", load.failedAttempts);
        }
        if (!load.refused.isEmpty()) {
            report.figure("refusals, first: %s", load.refused.values().iterator().next());
        }
        report.check(lost == 0 && once == load.acked.size() && duplicated == 0,
                "acknowledged %d, found exactly once %d, lost %d, on the log more than once %d (of %d keys found)",
                load.acked.size(), once, lost, duplicated, found.size());
        report.check(moved == 0, "every acknowledged answer named its event's partition and offset (%d did not)", moved);
        report.check(refusedWritten == 0, "refused commands on the log: %d", refusedWritten);
    }
}
