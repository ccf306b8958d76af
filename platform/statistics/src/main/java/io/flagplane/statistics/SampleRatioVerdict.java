package io.flagplane.statistics;

/**
 * Whether an experiment's users split across its arms as its weights said; see {@link SampleRatio}.
 *
 * @param chiSquare        Pearson's statistic
 * @param degreesOfFreedom arms - 1
 * @param pValue           upper-tail probability of {@code chiSquare}
 * @param mismatch         {@code pValue < SampleRatio.THRESHOLD}: the split is not what was configured,
 *                         and the experiment's other results should not be trusted until it is explained
 */
public record SampleRatioVerdict(double chiSquare, int degreesOfFreedom, double pValue, boolean mismatch) {
}
