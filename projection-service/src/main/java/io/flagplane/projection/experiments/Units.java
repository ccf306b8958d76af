package io.flagplane.projection.experiments;

/**
 * Metric values in fixed point: millionths, in a {@code long}. Sums of longs (and the 128-bit sums
 * of their squares) are exact, so the totals do not depend on the order users were added in — a
 * rebuild that folds the same records in another order gives the same bits. Doubles would not.
 */
public final class Units {

    public static final double SCALE = 1_000_000.0;
    /** The largest value one tracked event may carry (absolute): larger ones are refused, not rounded. */
    public static final double MAX_VALUE = 1e9;

    private Units() {
    }

    /** Whether a tracked value can be counted. */
    public static boolean accepts(double value) {
        return Double.isFinite(value) && Math.abs(value) <= MAX_VALUE;
    }

    public static long of(double value) {
        return Math.round(value * SCALE);
    }

    public static double toDouble(long units) {
        return units / SCALE;
    }

    /** Saturating addition: a user's events are capped, so this only guards against the absurd. */
    static long add(long a, long b) {
        long r = a + b;
        if (((a ^ r) & (b ^ r)) < 0) {
            return r < 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return r;
    }
}
