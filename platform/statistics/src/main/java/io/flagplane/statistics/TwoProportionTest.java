package io.flagplane.statistics;

/**
 * Compares two conversion rates at one look: the two-proportion z-test with a pooled standard
 * error, a Wald interval for the difference and a delta-method interval for the relative lift.
 *
 * <p>With {@code p_c = x_c / n_c}, {@code p_t = x_t / n_t}:
 * <ul>
 *   <li><b>z-test.</b> Under the null hypothesis both arms share one rate, estimated from both:
 *       {@code p = (x_c + x_t) / (n_c + n_t)}, and
 *       <pre>z = (p_t - p_c) / sqrt(p (1 - p) (1/n_c + 1/n_t))</pre>
 *       with two-sided p-value {@code 2 Φ(-|z|)} (Fleiss, Levin &amp; Paik, <i>Statistical Methods
 *       for Rates and Proportions</i>, 3rd ed., Wiley 2003; Agresti, <i>Categorical Data
 *       Analysis</i>, 3rd ed., Wiley 2013). This is the statistic of the experiments document
 *       (shared/seeds 003), {@code z = (p1 - p2) / sqrt(pooledP (1 - pooledP) (1/n1 + 1/n2))}, with
 *       the sign turned so that a positive z favours the treatment.</li>
 *   <li><b>Difference interval.</b> Away from the null the arms have their own variances, so the
 *       interval uses the unpooled (Wald) standard error:
 *       <pre>(p_t - p_c) ± z* sqrt(p_c (1 - p_c)/n_c + p_t (1 - p_t)/n_t)</pre>
 *       where {@code z*} is the {@code 1 - (1 - confidence)/2} normal quantile. Wald's interval is
 *       the textbook one and matches the golden values; it is known to cover less than nominal
 *       for small samples and rates near 0 or 1 (Newcombe, <i>Statistics in Medicine</i> 17(8), 1998;
 *       Agresti &amp; Caffo, <i>The American Statistician</i> 54(4), 2000).</li>
 *   <li><b>Relative lift interval.</b> The lift {@code L = p_t / p_c - 1} is a ratio; its variance
 *       by the delta method (first-order Taylor expansion of {@code p_t / p_c}, the arms
 *       independent) is
 *       <pre>Var(L) ≈ Var(p_t)/p_c² + p_t² Var(p_c)/p_c⁴</pre>
 *       with {@code Var(p) = p (1 - p)/n}, giving {@code L ± z* sqrt(Var(L))} (Casella &amp; Berger,
 *       <i>Statistical Inference</i>, 2nd ed., 2002, §5.5.4; Deng, Knoblich &amp; Lu, "Applying the
 *       Delta Method in Metric Analytics", KDD 2018).</li>
 * </ul>
 *
 * <p><b>Degenerate data</b> (never an exception):
 * <ul>
 *   <li>An arm without users has rate {@code NaN}, and so are z, the p-value, the difference, the
 *       lift and both intervals.</li>
 *   <li>Both arms at rate 0, or both at rate 1: the pooled standard error is 0 and the observed
 *       difference is exactly 0, so {@code z = 0}, {@code p = 1} — the data show no difference at
 *       all (Fisher's exact test gives p = 1 on such tables too), rather than the formula's 0/0.
 *       The Wald interval is then {@code [0, 0]}: a known failure of Wald at rates 0 and 1, not
 *       certainty.</li>
 *   <li>Control rate 0: the relative lift and its interval are {@code NaN} (no ratio to 0).</li>
 * </ul>
 */
public final class TwoProportionTest {

    private TwoProportionTest() {
    }

    /**
     * Compares {@code treatment} against {@code control}.
     *
     * @param confidence the intervals' coverage, in (0, 1), e.g. 0.95
     * @throws IllegalArgumentException if {@code confidence} is outside (0, 1) or an arm is null
     */
    public static ProportionComparison compare(Proportion control, Proportion treatment, double confidence) {
        requireArms(control, treatment);
        Tails.checkConfidence(confidence);

        double rateControl = control.rate();
        double rateTreatment = treatment.rate();
        double difference = rateTreatment - rateControl;
        double critical = Tails.normalCritical(confidence);

        double z = pooledZ(control, treatment, difference);
        double pValue = Tails.normalTwoSided(z);

        double varianceControl = control.rateVariance();
        double varianceTreatment = treatment.rateVariance();
        Interval differenceCi = Interval.around(difference, critical * Math.sqrt(varianceControl + varianceTreatment));

        double relativeLift = Double.NaN;
        Interval relativeLiftCi = Interval.UNDEFINED;
        if (rateControl > 0) {
            double ratio = rateTreatment / rateControl;
            relativeLift = ratio - 1;
            double liftStandardError = Math.sqrt(varianceTreatment + ratio * ratio * varianceControl) / rateControl;
            relativeLiftCi = Interval.around(relativeLift, critical * liftStandardError);
        }
        return new ProportionComparison(rateControl, rateTreatment, z, pValue, difference, differenceCi,
                relativeLift, relativeLiftCi);
    }

    private static double pooledZ(Proportion control, Proportion treatment, double difference) {
        if (control.users() == 0 || treatment.users() == 0) {
            return Double.NaN;
        }
        // in double: the sums of two longs could overflow, the ratio needs double anyway
        double pooled = ((double) control.conversions() + treatment.conversions())
                / ((double) control.users() + treatment.users());
        double standardError = Math.sqrt(pooled * (1 - pooled)
                * (1.0 / control.users() + 1.0 / treatment.users()));
        if (standardError == 0) {
            return 0; // both rates 0 or both 1: the difference is exactly 0 (see the class comment)
        }
        return difference / standardError;
    }

    static void requireArms(Object control, Object treatment) {
        if (control == null || treatment == null) {
            throw new IllegalArgumentException("control and treatment are both required");
        }
    }
}
