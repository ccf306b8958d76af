package io.flagplane.reporting;

import io.flagplane.avro.EvaluatorStatus;
import io.flagplane.ruleset.LiveRuleset;
import java.time.Instant;

/**
 * How current the evaluator is, as a report says it.
 *
 * @param staleSince set for STALE only
 * @param lagRecords null when the evaluator does not know its lag
 */
record ReportState(EvaluatorStatus status, Instant staleSince, Long lagRecords) {

    /**
     * From the ruleset's own status: a ruleset from a snapshot not yet caught up is FROM_SNAPSHOT;
     * one that is stale (Kafka away, or its reader failed) is STALE since then; one with nothing to
     * serve yet is STALE since the evaluator started; otherwise CURRENT.
     */
    static ReportState of(LiveRuleset.Status status, boolean lagKnown, Instant startedAt) {
        Long lag = lagKnown ? status.lag() : null;
        if (status.fromSnapshot()) {
            return new ReportState(EvaluatorStatus.FROM_SNAPSHOT, null, lag);
        }
        if (status.stale()) {
            return new ReportState(EvaluatorStatus.STALE, status.staleSince(), lag);
        }
        if (!status.ready()) {
            return new ReportState(EvaluatorStatus.STALE, startedAt, lag);
        }
        return new ReportState(EvaluatorStatus.CURRENT, null, lag);
    }

    /** The last report of an evaluator closing cleanly. */
    ReportState stopping() {
        return new ReportState(EvaluatorStatus.STOPPING, null, lagRecords);
    }
}
