package io.flagplane.projection.telemetry;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What the report fold did, for status and Prometheus: reports folded, skipped (undecodable,
 * refused, repeated or out of date) and entries dropped at a cap, plus a histogram of propagation
 * latency (a version's event time → the instant a node applied it). Plain counters the fold bumps;
 * {@code PrometheusMetrics} reads them at scrape time.
 */
public final class TelemetryMetrics {

    /** Upper bounds of the latency buckets, in seconds; the last bucket is +Inf. */
    static final double[] LATENCY_BOUNDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300,
            Double.POSITIVE_INFINITY};

    final AtomicLong folded = new AtomicLong();
    final AtomicLong undecodable = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong repeated = new AtomicLong();
    final AtomicLong droppedEntries = new AtomicLong();
    private final AtomicLongArray latencyBuckets = new AtomicLongArray(LATENCY_BOUNDS.length);
    private final AtomicLong latencyMicros = new AtomicLong();

    /** Reports folded into the registry. */
    public long folded() {
        return folded.get();
    }

    /** Report records that could not be decoded; logged and skipped. */
    public long undecodable() {
        return undecodable.get();
    }

    /** Reports refused: a node id that is not one, or a record key that is not the report's node. */
    public long refused() {
        return refused.get();
    }

    /** Reports already folded (a redelivery) or from an older process of the node; skipped. */
    public long repeated() {
        return repeated.get();
    }

    /** Applied-version, usage and variant entries dropped at a cap ({@link ReportLimits}), and nodes not registered for one. */
    public long droppedEntries() {
        return droppedEntries.get();
    }

    /** Every record skipped whole: undecodable, refused or repeated. */
    public long skipped() {
        return undecodable.get() + refused.get() + repeated.get();
    }

    void observeLatency(long millis) {
        double seconds = Math.max(0, millis) / 1000.0;
        for (int i = 0; i < LATENCY_BOUNDS.length; i++) {
            if (seconds <= LATENCY_BOUNDS[i]) {
                latencyBuckets.incrementAndGet(i);
                break;
            }
        }
        latencyMicros.addAndGet(Math.max(0, millis) * 1000);
    }

    /** A reading of the latency histogram: per-bucket (not cumulative) counts and the sum in seconds. */
    public record Latency(double[] upperBounds, long[] counts, double sumSeconds) {
    }

    public Latency latency() {
        long[] counts = new long[LATENCY_BOUNDS.length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = latencyBuckets.get(i);
        }
        return new Latency(LATENCY_BOUNDS.clone(), counts, latencyMicros.get() / 1_000_000.0);
    }
}
