package io.flagplane.statistics;

/**
 * A treatment's mean against its control's, at one look with a fixed sample size; see
 * {@link WelchTest} for every formula and for what is {@code NaN} when.
 *
 * @param t                Welch's t statistic, positive when the treatment's mean is higher
 * @param degreesOfFreedom Welch–Satterthwaite degrees of freedom
 * @param pValue           two-sided p-value of {@code t}
 * @param difference       {@code mean(treatment) - mean(control)}
 * @param differenceCi     interval for the difference, Student's t quantile at those degrees of freedom
 * @param relativeLift     {@code mean(treatment) / mean(control) - 1}
 * @param relativeLiftCi   delta-method interval for the relative lift
 */
public record MeanComparison(
        double t,
        double degreesOfFreedom,
        double pValue,
        double difference,
        Interval differenceCi,
        double relativeLift,
        Interval relativeLiftCi) {
}
