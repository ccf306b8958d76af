package io.flagplane.command.log;

import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;

/**
 * What the single writer reports as it answers requests and commits batches, for metrics. Called
 * on the writer thread, except for a request turned away at {@link CommandProcessor#submit} (not
 * ready, fenced, queue full), which is reported on the submitting thread. An implementation must
 * be cheap and must not throw: it runs inside the writer loop.
 */
public interface WriterListener {

    /** Reports nothing. */
    WriterListener NONE = new WriterListener() {
    };

    /** How a command ended. Every command of a request is reported exactly once. */
    enum Outcome {
        /** Its events are committed. */
        COMMITTED,
        /** Accepted, but it changed nothing (e.g. enabling an enabled flag): no event. */
        UNCHANGED,
        /** Its request was refused (a typed domain refusal: the caller's to fix); nothing written. */
        REFUSED,
        /** Its request repeated an Idempotency-Key: the first answer was returned, nothing written. */
        REPLAYED,
        /** The service could not decide or write it (Kafka, fenced, standby, not ready, overloaded, a defect). */
        FAILED;

        /** REFUSED for a refusal the caller can act on, FAILED for the service's own trouble. */
        static Outcome of(Throwable error) {
            return error instanceof CommandException refused && !isFailure(refused.code()) ? REFUSED : FAILED;
        }

        static boolean isFailure(ErrorCode code) {
            return code == ErrorCode.UNAVAILABLE || code == ErrorCode.WRITER_FENCED || code == ErrorCode.WRITER_STANDBY
                    || code == ErrorCode.NOT_READY
                    || code == ErrorCode.INTERNAL;
        }
    }

    /** One command of a request has its outcome (all commands of a refused request are REFUSED). */
    default void answered(Command command, Outcome outcome) {
    }

    /** A request was refused with this code (once per request, whatever the number of its commands). */
    default void refused(ErrorCode code) {
    }

    /**
     * One transaction committed (group commit).
     *
     * @param commands the commands of the requests decided into it (unchanged ones included)
     * @param events   the events it wrote
     * @param nanos    from beginning the transaction to Kafka confirming the commit
     */
    default void committed(int commands, int events, long nanos) {
    }
}
