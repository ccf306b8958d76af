package io.flagplane.statistics;

/**
 * A closed interval of the real line, usually a confidence interval.
 *
 * <p>Either both bounds are numbers with {@code lower <= upper} (infinite bounds allowed), or both
 * are {@code NaN}: the interval is {@linkplain #isDefined() undefined} because the data cannot
 * define it.
 */
public record Interval(double lower, double upper) {

    /** The interval the data cannot define. */
    public static final Interval UNDEFINED = new Interval(Double.NaN, Double.NaN);

    /** The whole real line: what a running intersection starts from. */
    public static final Interval EVERYTHING = new Interval(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);

    public Interval {
        boolean lowerNaN = Double.isNaN(lower);
        boolean upperNaN = Double.isNaN(upper);
        if (lowerNaN != upperNaN) {
            throw new IllegalArgumentException("interval bounds must both be NaN or both numbers, got ["
                    + lower + ", " + upper + "]");
        }
        if (!lowerNaN && lower > upper) {
            throw new IllegalArgumentException("interval lower bound " + lower + " is above its upper bound " + upper);
        }
    }

    /**
     * {@code center ± halfWidth}; undefined when either is {@code NaN}, or when the center is
     * infinite (an infinite point estimate has no interval).
     */
    static Interval around(double center, double halfWidth) {
        if (Double.isNaN(center) || Double.isNaN(halfWidth) || Double.isInfinite(center)) {
            return UNDEFINED;
        }
        return new Interval(center - halfWidth, center + halfWidth);
    }

    /** Whether the bounds are numbers. */
    public boolean isDefined() {
        return !Double.isNaN(lower);
    }

    /** Whether {@code value} lies in the interval, bounds included; never for an undefined interval. */
    public boolean contains(double value) {
        return isDefined() && lower <= value && value <= upper;
    }
}
