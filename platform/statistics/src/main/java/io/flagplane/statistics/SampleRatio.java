package io.flagplane.statistics;

/**
 * The sample-ratio mismatch (SRM) check: Pearson's chi-square goodness-of-fit test of the users
 * counted in each arm against the arms' configured weights.
 *
 * <p>With {@code N = Σ o_i} users observed and weights {@code w_i} (relative: 50/50, 1/1 and
 * 0.5/0.5 are the same split), arm {@code i} expects {@code e_i = N w_i / Σw} users, and
 * <pre>χ² = Σ (o_i - e_i)² / e_i</pre>
 * is referred to a chi-squared distribution with {@code k - 1} degrees of freedom, {@code k} arms
 * (Pearson, "On the criterion that a given system of deviations…", <i>Philosophical Magazine</i>
 * 50, 1900). Its p-value is the upper tail, read without cancellation (see {@code Tails}).
 *
 * <p>A mismatch is declared at {@code p < }{@link #THRESHOLD}: the check runs on every experiment
 * and every look, so it uses a strict threshold to keep false alarms rare, while a real SRM
 * usually shows p-values far below it (Fabijan et al., "Diagnosing Sample Ratio Mismatch in Online
 * Controlled Experiments", KDD 2019; Kohavi, Tang &amp; Xu, <i>Trustworthy Online Controlled
 * Experiments</i>, Cambridge 2020, ch. 21).
 *
 * <p>No users at all: χ² and the p-value are {@code NaN}, and no mismatch is declared.
 */
public final class SampleRatio {

    /** A split whose p-value is below this is declared a mismatch. */
    public static final double THRESHOLD = 0.001;

    private SampleRatio() {
    }

    /**
     * Checks {@code observed[i]} users against {@code weights[i]}, arm by arm.
     *
     * @param observed users counted per arm, each at least 0
     * @param weights  configured weights per arm, each finite and above 0 (an arm with weight 0 gets
     *                 no users and has no place in the check: leave it out)
     * @throws IllegalArgumentException if the arrays are null, of different lengths, have fewer than
     *                                  2 arms, or hold a negative count or a weight that is not a
     *                                  finite positive number
     */
    public static SampleRatioVerdict check(long[] observed, double[] weights) {
        if (observed == null || weights == null) {
            throw new IllegalArgumentException("observed and weights are both required");
        }
        if (observed.length != weights.length) {
            throw new IllegalArgumentException("observed has " + observed.length + " arms but weights has "
                    + weights.length);
        }
        if (observed.length < 2) {
            throw new IllegalArgumentException("a split needs at least 2 arms, got " + observed.length);
        }
        double total = 0;
        double totalWeight = 0;
        for (int i = 0; i < observed.length; i++) {
            if (observed[i] < 0) {
                throw new IllegalArgumentException("observed[" + i + "] must be at least 0, got " + observed[i]);
            }
            if (!(Double.isFinite(weights[i]) && weights[i] > 0)) {
                throw new IllegalArgumentException("weights[" + i + "] must be a finite number above 0, got "
                        + weights[i]);
            }
            total += observed[i];
            totalWeight += weights[i];
        }
        int degreesOfFreedom = observed.length - 1;
        if (total == 0) {
            return new SampleRatioVerdict(Double.NaN, degreesOfFreedom, Double.NaN, false);
        }
        double chiSquare = 0;
        for (int i = 0; i < observed.length; i++) {
            double expected = total * (weights[i] / totalWeight);
            double deviation = observed[i] - expected;
            chiSquare += deviation * deviation / expected;
        }
        double pValue = Tails.chiSquaredUpper(chiSquare, degreesOfFreedom);
        return new SampleRatioVerdict(chiSquare, degreesOfFreedom, pValue, pValue < THRESHOLD);
    }
}
