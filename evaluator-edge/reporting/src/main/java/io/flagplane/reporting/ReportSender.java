package io.flagplane.reporting;

import io.flagplane.avro.EvaluatorReport;

/**
 * Where reports go. {@link #send} does not throw and does not wait for the broker: what happened
 * to each report arrives later, once, through its {@link Outcome}.
 */
interface ReportSender extends AutoCloseable {

    /** What became of one report: called exactly once, on any thread. */
    interface Outcome {
        void sent();

        void dropped(String why);
    }

    void send(EvaluatorReport report, Outcome outcome);

    /** Sends what it still holds, within a bound, and lets go of its resources. */
    @Override
    void close();
}
