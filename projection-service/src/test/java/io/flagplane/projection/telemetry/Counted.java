package io.flagplane.projection.telemetry;

/** Report-fold counters set by hand, for tests outside the fold's package. */
public final class Counted {

    private Counted() {
    }

    public static TelemetryMetrics metrics(long folded, long undecodable, long refused, long repeated, long dropped,
                                           long... latenciesMillis) {
        TelemetryMetrics metrics = new TelemetryMetrics();
        metrics.folded.set(folded);
        metrics.undecodable.set(undecodable);
        metrics.refused.set(refused);
        metrics.repeated.set(repeated);
        metrics.droppedEntries.set(dropped);
        for (long latency : latenciesMillis) {
            metrics.observeLatency(latency);
        }
        return metrics;
    }
}
