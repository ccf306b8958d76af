package io.flagplane.load;

import java.util.Arrays;

/**
 * Latency samples in nanoseconds, kept whole (a run is at most a few hundred thousand requests)
 * so the percentiles are exact rather than bucketed. Thread-safe.
 */
public final class Latencies {

    private long[] samples = new long[1 << 12];
    private int count;

    public synchronized void record(long nanos) {
        if (count == samples.length) {
            samples = Arrays.copyOf(samples, count * 2);
        }
        samples[count++] = nanos;
    }

    public synchronized Summary summary() {
        long[] sorted = Arrays.copyOf(samples, count);
        Arrays.sort(sorted);
        return new Summary(count, percentile(sorted, 50), percentile(sorted, 90), percentile(sorted, 99),
                percentile(sorted, 99.9), count == 0 ? 0 : sorted[count - 1]);
    }

    /** Nearest-rank percentile: the smallest sample with at least {@code p}% of samples at or below it. */
    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p * sorted.length / 100.0 - 1e-9);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }

    /** Percentiles in nanoseconds. */
    public record Summary(int count, long p50, long p90, long p99, long p999, long max) {

        public String describeMillis() {
            return String.format("p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f ms (%d requests)",
                    p50 / 1e6, p90 / 1e6, p99 / 1e6, p999 / 1e6, max / 1e6, count);
        }
    }
}
