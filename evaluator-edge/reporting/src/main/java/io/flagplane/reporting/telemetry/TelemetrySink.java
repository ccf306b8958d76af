package io.flagplane.reporting.telemetry;

/**
 * Where a {@link TelemetryChannel} hands its records. {@link #send} does not throw and does not
 * wait for the broker: what became of each record arrives later, once, through the outcome.
 */
@FunctionalInterface
public interface TelemetrySink<T> {

    /** What became of one record: called exactly once, on any thread. */
    interface Outcome {
        void sent();

        void failed(String why);
    }

    void send(T item, Outcome outcome);
}
