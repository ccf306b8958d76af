package io.flagplane.statistics;

/**
 * Compares two means at one look: Welch's unequal-variance t-test from summary statistics, with
 * intervals for the difference and for the relative lift.
 *
 * <p>With arm means {@code m}, sample variances {@code s²} and sizes {@code n}, and
 * {@code a = s_c²/n_c}, {@code b = s_t²/n_t} the variances of the two means:
 * <ul>
 *   <li><b>t-test.</b> {@code t = (m_t - m_c) / sqrt(a + b)}, referred to Student's t with the
 *       Welch–Satterthwaite degrees of freedom
 *       <pre>ν = (a + b)² / (a²/(n_c - 1) + b²/(n_t - 1))</pre>
 *       two-sided p-value {@code 2 P(T_ν <= -|t|)} (Welch, "The generalization of 'Student's'
 *       problem when several different population variances are involved", <i>Biometrika</i>
 *       34, 1947; Satterthwaite, "An approximate distribution of estimates of variance
 *       components", <i>Biometrics Bulletin</i> 2(6), 1946).</li>
 *   <li><b>Difference interval.</b> {@code (m_t - m_c) ± t*_ν sqrt(a + b)}, {@code t*_ν} the
 *       {@code 1 - (1 - confidence)/2} quantile of Student's t with ν degrees of freedom.</li>
 *   <li><b>Relative lift interval.</b> {@code L = m_t / m_c - 1}; by the delta method on the ratio
 *       of two independent means (Casella &amp; Berger, <i>Statistical Inference</i>, 2nd ed.,
 *       2002, §5.5.4; Deng, Knoblich &amp; Lu, "Applying the Delta Method in Metric Analytics",
 *       KDD 2018)
 *       <pre>Var(L) ≈ b/m_c² + m_t² a/m_c⁴</pre>
 *       and the interval is {@code L ± t*_ν sqrt(Var(L))}. The same t quantile as the difference
 *       (not the normal one) so that, when the control mean is known almost exactly
 *       ({@code a → 0}), the lift's interval is the difference's divided by {@code m_c}. It is a
 *       large-sample approximation; it is poor when the control mean's own interval comes near 0.</li>
 * </ul>
 *
 * <p><b>Degenerate data</b> (never an exception):
 * <ul>
 *   <li>An arm with fewer than 2 values has no sample variance: t, ν, the p-value and both
 *       intervals are {@code NaN}. The difference and lift are still given when each arm has at
 *       least 1 value.</li>
 *   <li>Both variances 0 (each arm constant): ν is {@code NaN} (0/0); the intervals have zero
 *       width; {@code t = 0, p = 1} when the means are equal, and {@code t = ±∞, p = 0} when they
 *       differ — every value of one arm is above every value of the other, the limit of the test
 *       as the spread goes to 0.</li>
 *   <li>Control mean 0: the relative lift and its interval are {@code NaN}.</li>
 * </ul>
 */
public final class WelchTest {

    private WelchTest() {
    }

    /**
     * Compares {@code treatment} against {@code control}.
     *
     * @param confidence the intervals' coverage, in (0, 1), e.g. 0.95
     * @throws IllegalArgumentException if {@code confidence} is outside (0, 1) or an arm is null
     */
    public static MeanComparison compare(Summary control, Summary treatment, double confidence) {
        TwoProportionTest.requireArms(control, treatment);
        Tails.checkConfidence(confidence);

        double difference = treatment.mean() - control.mean();
        double ratio = treatment.mean() / control.mean();
        double relativeLift = control.mean() == 0 ? Double.NaN : ratio - 1;

        if (control.n() < 2 || treatment.n() < 2) {
            return new MeanComparison(Double.NaN, Double.NaN, Double.NaN, difference, Interval.UNDEFINED,
                    relativeLift, Interval.UNDEFINED);
        }

        double a = control.varianceOfMean();
        double b = treatment.varianceOfMean();
        double standardError = Math.sqrt(a + b);
        double degreesOfFreedom = (a + b) * (a + b)
                / (a * a / (control.n() - 1) + b * b / (treatment.n() - 1));
        double liftStandardError = Math.sqrt(b + ratio * ratio * a) / Math.abs(control.mean());

        if (standardError == 0) {
            double t = difference == 0 ? 0 : Math.copySign(Double.POSITIVE_INFINITY, difference);
            return new MeanComparison(t, Double.NaN, difference == 0 ? 1 : 0, difference,
                    Interval.around(difference, 0), relativeLift, Interval.around(relativeLift, 0));
        }

        double t = difference / standardError;
        double critical = Tails.studentCritical(confidence, degreesOfFreedom);
        return new MeanComparison(
                t,
                degreesOfFreedom,
                Tails.studentTwoSided(t, degreesOfFreedom),
                difference,
                Interval.around(difference, critical * standardError),
                relativeLift,
                Interval.around(relativeLift, critical * liftStandardError));
    }
}
