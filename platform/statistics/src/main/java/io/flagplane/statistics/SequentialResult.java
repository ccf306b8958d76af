package io.flagplane.statistics;

/**
 * An always-valid result for the difference {@code treatment - control}; see {@link AlwaysValid}
 * for the method and {@link SequentialMonitor} for carrying it from look to look.
 *
 * @param pValue       always-valid p-value, in [0, 1]; {@code NaN} when the data cannot define it
 * @param differenceCi always-valid confidence interval for the difference at level {@code 1 - alpha}
 * @param significant  {@code pValue <= alpha}, which is the same as the interval leaving out 0
 */
public record SequentialResult(double pValue, Interval differenceCi, boolean significant) {

    /** A look whose data define nothing: an arm without users, or without a variance. */
    static final SequentialResult UNDEFINED = new SequentialResult(Double.NaN, Interval.UNDEFINED, false);

    public SequentialResult {
        if (differenceCi == null) {
            throw new IllegalArgumentException("differenceCi is required (Interval.UNDEFINED when there is none)");
        }
        if (!Double.isNaN(pValue) && !(pValue >= 0 && pValue <= 1)) {
            throw new IllegalArgumentException("pValue must be in [0, 1] or NaN, got " + pValue);
        }
    }
}
