package io.flagplane.statistics;

/**
 * A treatment's conversion rate against its control's, at one look with a fixed sample size; see
 * {@link TwoProportionTest} for every formula and for what is {@code NaN} when.
 *
 * @param rateControl      conversions / users in the control arm
 * @param rateTreatment    conversions / users in the treatment arm
 * @param z                the pooled two-proportion z statistic, positive when treatment converts more
 * @param pValue           two-sided p-value of {@code z}
 * @param difference       {@code rateTreatment - rateControl}
 * @param differenceCi     unpooled Wald interval for the difference
 * @param relativeLift     {@code rateTreatment / rateControl - 1}
 * @param relativeLiftCi   delta-method interval for the relative lift
 */
public record ProportionComparison(
        double rateControl,
        double rateTreatment,
        double z,
        double pValue,
        double difference,
        Interval differenceCi,
        double relativeLift,
        Interval relativeLiftCi) {
}
