package io.flagplane.statistics;

/**
 * Always-valid inference for a difference between two arms: a p-value and a confidence interval
 * that may be looked at after every user, and the experiment stopped the moment they say so,
 * without the false-positive rate rising above {@code alpha}.
 *
 * <p>A fixed-horizon p-value is valid for one look at a sample size fixed in advance. Looked at
 * again and again, and stopped at the first {@code p < 0.05}, it declares a difference in an A/A
 * test far more often than 5% of the time (PeekingSimulationTest measures it: about 31% of A/A
 * experiments over 50 looks, against about 1–2% for this class). This class uses the <b>mixture sequential probability ratio test (mSPRT)</b> of
 * Johari, Koomen, Pekelis &amp; Walsh ("Peeking at A/B Tests: Why it matters, and what to do about
 * it", KDD 2017; "Always Valid Inference: Continuous Monitoring of A/B Tests", <i>Operations
 * Research</i> 70(3), 2022), with a normal mixing distribution (Robbins, "Statistical Methods
 * Related to the Law of the Iterated Logarithm", <i>Annals of Mathematical Statistics</i> 41(5),
 * 1970).
 *
 * <h2>The statistic</h2>
 * Let {@code d} be the observed difference (of rates or of means) and {@code V} its variance,
 * estimated without pooling: {@code V = p_c(1-p_c)/n_c + p_t(1-p_t)/n_t} for rates,
 * {@code V = s_c²/n_c + s_t²/n_t} for means. By the central limit theorem {@code d ≈ N(θ, V)} for
 * the true difference θ. Mixing the likelihood ratio of {@code θ} against {@code θ₀} over
 * {@code θ ~ N(θ₀, τ²)} gives, in closed form,
 * <pre>Λ(θ₀) = sqrt(V / (V + τ²)) · exp( τ² (d - θ₀)² / (2 V (V + τ²)) )</pre>
 * Under {@code θ = θ₀} the mixture likelihood ratio is a nonnegative martingale with mean 1 in the
 * number of users, so by Ville's inequality {@code P(Λ ever reaches 1/α) <= α}. Hence:
 * <ul>
 *   <li>the <b>always-valid p-value</b> at a look is {@code min(1, 1/Λ(0))};</li>
 *   <li>the <b>always-valid interval</b> is every θ₀ with {@code Λ(θ₀) < 1/α}:
 *       <pre>d ± sqrt( V (V + τ²)/τ² · (-2 ln α + ln((V + τ²)/V)) )</pre></li>
 *   <li><b>significant</b> means {@code p <= α}, exactly when the interval leaves out 0 (both
 *       use the same V).</li>
 * </ul>
 * Johari et al. use the same statistic for A/B tests, with the variances estimated from the data
 * and the normal approximation taken as exact: the guarantee is asymptotic. It is sound once each
 * arm has a few hundred users (and, for rates, some conversions); it is not an exact small-sample
 * test.
 *
 * <h2>Per look, and across looks</h2>
 * The methods here are stateless: they return the p-value and interval of one look, from the
 * cumulative counts. Their guarantee holds for every look at once, so a caller may act on any of
 * them; but a per-look p-value can rise again after dipping. Johari et al.'s p-value is the running
 * minimum over looks, and their interval the running intersection, so that a result once
 * significant stays so; that needs the earlier looks, which a stateless function over today's
 * counts does not have. {@link SequentialMonitor} keeps them — two numbers and an interval, an
 * immutable value a fold can store beside the counts. Both are offered because the running form is
 * what a dashboard should show, and the per-look form is what a replay or a one-off query can
 * compute from counts alone.
 *
 * <h2>The mixing variance</h2>
 * τ² is the spread of effects the test is tuned to find. Johari et al. put the mixture on the
 * effect θ itself; here {@code mixingVariance} is on the <em>standardised</em> effect θ/σ, with σ²
 * the pooled per-user variance of the two arms (the pooled rate's {@code p(1-p)} for rates, the
 * pooled sample variance for means), so τ² = {@code mixingVariance} · σ². One value then fits a
 * conversion rate of 0.5% and a revenue metric in cents alike.
 *
 * <p>The test is valid for every τ²; the choice only moves where it is most sensitive. The
 * interval's width at a given V is smallest when {@code r = τ²/V} solves {@code r = -2 ln α + ln(1 + r)}
 * (set the derivative of the width in r to 0; Howard, Ramdas, McAuliffe &amp; Sekhon,
 * "Time-uniform, nonparametric, nonasymptotic confidence sequences", <i>Annals of Statistics</i>
 * 49(2), 2021, tune their normal mixture the same way). With equal arms V = 2σ²/n, so
 * {@link #mixingVarianceFor(long, double)} gives the mixing variance for which the test is
 * sharpest at {@code n} users per arm. {@link #DEFAULT_MIXING_VARIANCE} is that value for 10,000
 * users per arm at α = 0.05 (r ≈ 8.2, mixing variance ≈ 1.64e-3, a standardised effect of about
 * 0.04 standard deviations): the middle, on a log scale, of the experiments a flag platform runs,
 * and the width grows only slowly on either side of the optimum.
 *
 * <h2>Degenerate data</h2>
 * An arm without users (or, for means, with fewer than 2 values): p-value {@code NaN}, interval
 * undefined, not significant. A variance of 0 ({@code V = 0}: every user of both arms converted, or
 * none did, or each arm's metric is constant): the normal approximation has no scale to stand on,
 * and an all-or-nothing start (0 of 3 against 3 of 3) must not end an experiment, so the p-value is
 * 1, the interval undefined, not significant.
 */
public final class AlwaysValid {

    /** The users per arm at which {@link #DEFAULT_MIXING_VARIANCE} makes the test sharpest. */
    public static final long DEFAULT_TUNED_USERS_PER_ARM = 10_000;

    /** The α at which {@link #DEFAULT_MIXING_VARIANCE} is tuned. */
    public static final double DEFAULT_TUNED_ALPHA = 0.05;

    /**
     * The standardised mixing variance for which the test is sharpest at 10,000 users per arm and
     * α = 0.05: about 1.64e-3. See the class comment for why.
     */
    public static final double DEFAULT_MIXING_VARIANCE =
            mixingVarianceFor(DEFAULT_TUNED_USERS_PER_ARM, DEFAULT_TUNED_ALPHA);

    private AlwaysValid() {
    }

    /**
     * The always-valid result for the difference of conversion rates at this look.
     *
     * @param control        the control arm's cumulative counts so far
     * @param treatment      the treatment arm's cumulative counts so far
     * @param alpha          the false-positive rate to hold over all looks, in (0, 1)
     * @param mixingVariance standardised mixing variance, finite and above 0, e.g.
     *                       {@link #DEFAULT_MIXING_VARIANCE}
     * @throws IllegalArgumentException for an argument outside those ranges
     */
    public static SequentialResult proportions(Proportion control, Proportion treatment, double alpha,
                                               double mixingVariance) {
        TwoProportionTest.requireArms(control, treatment);
        checkAlpha(alpha);
        checkMixingVariance(mixingVariance);
        if (control.users() == 0 || treatment.users() == 0) {
            return SequentialResult.UNDEFINED;
        }
        double difference = treatment.rate() - control.rate();
        double variance = control.rateVariance() + treatment.rateVariance();
        double pooled = ((double) control.conversions() + treatment.conversions())
                / ((double) control.users() + treatment.users());
        return mixture(difference, variance, mixingVariance * pooled * (1 - pooled), alpha);
    }

    /**
     * The always-valid result for the difference of means at this look.
     *
     * @param control        the control arm's cumulative summary so far
     * @param treatment      the treatment arm's cumulative summary so far
     * @param alpha          the false-positive rate to hold over all looks, in (0, 1)
     * @param mixingVariance standardised mixing variance, finite and above 0, e.g.
     *                       {@link #DEFAULT_MIXING_VARIANCE}
     * @throws IllegalArgumentException for an argument outside those ranges
     */
    public static SequentialResult means(Summary control, Summary treatment, double alpha, double mixingVariance) {
        TwoProportionTest.requireArms(control, treatment);
        checkAlpha(alpha);
        checkMixingVariance(mixingVariance);
        if (control.n() < 2 || treatment.n() < 2) {
            return SequentialResult.UNDEFINED;
        }
        double difference = treatment.mean() - control.mean();
        double variance = control.varianceOfMean() + treatment.varianceOfMean();
        double pooledVariance = ((control.n() - 1) * control.variance() + (treatment.n() - 1) * treatment.variance())
                / ((double) control.n() + treatment.n() - 2);
        return mixture(difference, variance, mixingVariance * pooledVariance, alpha);
    }

    /**
     * The standardised mixing variance for which the always-valid interval is narrowest at
     * {@code usersPerArm} users in each of two equal arms: {@code 2 r / usersPerArm}, with r the
     * root of {@code r = -2 ln α + ln(1 + r)}.
     *
     * @throws IllegalArgumentException if {@code usersPerArm < 1} or α is outside (0, 1)
     */
    public static double mixingVarianceFor(long usersPerArm, double alpha) {
        if (usersPerArm < 1) {
            throw new IllegalArgumentException("usersPerArm must be at least 1, got " + usersPerArm);
        }
        checkAlpha(alpha);
        double c = -2 * Math.log(alpha);
        // r ↦ c + ln(1 + r) is a contraction (slope 1/(1 + r) < 1) with its fixed point above c
        double r = c;
        for (int i = 0; i < 200; i++) {
            double next = c + Math.log1p(r);
            if (Math.abs(next - r) <= 1e-15 * next) {
                r = next;
                break;
            }
            r = next;
        }
        return 2 * r / usersPerArm;
    }

    /** The mSPRT at one look: {@code d ~ N(θ, V)}, mixture {@code θ ~ N(0, τ²)}. */
    private static SequentialResult mixture(double difference, double variance, double tauSquared, double alpha) {
        if (Double.isNaN(difference) || Double.isNaN(variance) || Double.isNaN(tauSquared)) {
            return SequentialResult.UNDEFINED;
        }
        if (!(variance > 0) || !(tauSquared > 0)) {
            return new SequentialResult(1, Interval.UNDEFINED, false);
        }
        double r = tauSquared / variance;
        // ln Λ(0) = -½ ln(1 + r) + r d² / (2 V (1 + r)), since τ²/(V (V + τ²)) = r / (V (1 + r))
        double logLikelihoodRatio = -0.5 * Math.log1p(r) + r * difference * difference / (2 * variance * (1 + r));
        double pValue = Math.min(1, Math.exp(-logLikelihoodRatio));
        double halfWidth = Math.sqrt(variance * (1 + r) / r * (-2 * Math.log(alpha) + Math.log1p(r)));
        return new SequentialResult(pValue, Interval.around(difference, halfWidth), pValue <= alpha);
    }

    static void checkAlpha(double alpha) {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1), e.g. 0.05; got " + alpha);
        }
    }

    private static void checkMixingVariance(double mixingVariance) {
        if (!(Double.isFinite(mixingVariance) && mixingVariance > 0)) {
            throw new IllegalArgumentException("mixingVariance must be a finite number above 0, got " + mixingVariance);
        }
    }
}
