package io.flagplane.statistics;

/**
 * Carries an always-valid result from look to look: the running minimum of the p-value and the
 * running intersection of the intervals, as Johari et al. define the always-valid p-value and
 * confidence sequence (see {@link AlwaysValid}). Once significant, it stays significant.
 *
 * <p>An immutable value: {@link #observe} returns the next state, so an event-sourced fold can
 * keep it beside the counts it was computed from. Every look must come from the same arms, the
 * same α and the same mixing variance.
 *
 * <p>A look that defines nothing (p-value {@code NaN}, interval undefined) leaves the state as it
 * was. Should a look's interval not overlap the running intersection at all — which the guarantee
 * allows with probability at most α, and which in practice means the normal approximation did not
 * hold yet at an early look — the monitor keeps the newest look's interval rather than an empty one.
 *
 * @param alpha        the level the looks were computed at
 * @param looks        looks observed so far, those that defined nothing included
 * @param pValue       smallest p-value seen, 1 before any look
 * @param differenceCi intersection of the intervals seen, the whole line before any look
 */
public record SequentialMonitor(double alpha, long looks, double pValue, Interval differenceCi) {

    public SequentialMonitor {
        AlwaysValid.checkAlpha(alpha);
        if (looks < 0) {
            throw new IllegalArgumentException("looks must be at least 0, got " + looks);
        }
        if (!(pValue >= 0 && pValue <= 1)) {
            throw new IllegalArgumentException("pValue must be in [0, 1], got " + pValue);
        }
        if (differenceCi == null || !differenceCi.isDefined()) {
            throw new IllegalArgumentException("differenceCi must be a defined interval, got " + differenceCi);
        }
    }

    /** Before the first look: p = 1, the interval the whole real line. */
    public static SequentialMonitor start(double alpha) {
        return new SequentialMonitor(alpha, 0, 1, Interval.EVERYTHING);
    }

    /** The state after one more look, a result of {@link AlwaysValid} at this monitor's α. */
    public SequentialMonitor observe(SequentialResult look) {
        if (look == null) {
            throw new IllegalArgumentException("look is required");
        }
        double nextP = Double.isNaN(look.pValue()) ? pValue : Math.min(pValue, look.pValue());
        Interval nextCi = differenceCi;
        Interval seen = look.differenceCi();
        if (seen.isDefined()) {
            double lower = Math.max(differenceCi.lower(), seen.lower());
            double upper = Math.min(differenceCi.upper(), seen.upper());
            nextCi = lower <= upper ? new Interval(lower, upper) : seen;
        }
        return new SequentialMonitor(alpha, looks + 1, nextP, nextCi);
    }

    /** Whether any look so far reached significance: the running p-value is at most α. */
    public boolean significant() {
        return pValue <= alpha;
    }

    /** The running result, in the same shape as one look's. */
    public SequentialResult result() {
        return new SequentialResult(pValue, differenceCi, significant());
    }
}
