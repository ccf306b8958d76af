package io.flagplane.reporting;

/**
 * When the next report is due, on milliseconds handed in (so tests move time instead of waiting).
 *
 * <ul>
 *   <li>A heartbeat is due {@code heartbeat} after the last report (or after the start).</li>
 *   <li>A change makes a report due {@code coalesce} later; changes arriving before it is sent
 *       join it, so a burst of changes is one report.</li>
 *   <li>Never two reports closer than {@code 1000 / maxPerSecond} ms: a change right after a
 *       report waits for that gap (and keeps coalescing meanwhile).</li>
 * </ul>
 * Not thread-safe: the reporter guards it.
 */
final class ReportSchedule {

    static final long NONE = Long.MAX_VALUE;

    private final long heartbeatMs;
    private final long coalesceMs;
    private final long minGapMs;
    private long lastReportAt;
    private boolean reportedOnce;
    private long changeDueAt = NONE;

    ReportSchedule(long startMs, long heartbeatMs, long coalesceMs, int maxPerSecond) {
        this.heartbeatMs = heartbeatMs;
        this.coalesceMs = coalesceMs;
        this.minGapMs = (1000 + maxPerSecond - 1) / maxPerSecond;
        this.lastReportAt = startMs;
    }

    /** Something worth reporting happened at {@code now} (a change applied, the status moved). */
    void changed(long now) {
        if (changeDueAt != NONE) {
            return;   // a report is already on its way; this change joins it
        }
        long due = now + coalesceMs;
        if (reportedOnce) {
            due = Math.max(due, lastReportAt + minGapMs);
        }
        changeDueAt = due;
    }

    /** When the next report is due (epoch ms). */
    long nextDue() {
        return Math.min(changeDueAt, lastReportAt + heartbeatMs);
    }

    boolean isDue(long now) {
        return now >= nextDue();
    }

    /** A report is being made at {@code now}: everything that changed until now is in it. */
    void reported(long now) {
        lastReportAt = now;
        reportedOnce = true;
        changeDueAt = NONE;
    }
}
