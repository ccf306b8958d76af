package io.flagplane.statistics;

import org.hipparchus.distribution.continuous.NormalDistribution;
import org.hipparchus.distribution.continuous.TDistribution;
import org.hipparchus.special.Beta;
import org.hipparchus.special.Gamma;

/**
 * Tail probabilities and critical values, read from Hipparchus so that a small p-value keeps its
 * digits.
 *
 * <p>A two-sided p-value is twice the <em>lower</em> tail at {@code -|statistic|}, never
 * {@code 1 - cdf(|statistic|)}: the subtraction leaves nothing below about 1e-16, while the lower
 * tail (Hipparchus evaluates it through {@code erfc} and the regularized incomplete beta function)
 * keeps its relative precision down to the smallest double. Where a Hipparchus distribution would
 * itself subtract nearly equal numbers, the same special function is called with the complementary
 * argument computed directly; each such place says why.
 */
final class Tails {

    private static final NormalDistribution STANDARD_NORMAL = new NormalDistribution();

    /**
     * Absolute accuracy asked of the solver behind {@link TDistribution#inverseCumulativeProbability}.
     * Hipparchus' default (1e-9) moves a 95% interval's bounds in the ninth digit; this is the
     * solver's own floor.
     */
    private static final double T_QUANTILE_ACCURACY = 1e-15;

    private Tails() {
    }

    /** {@code P(|Z| >= |z|)} for a standard normal Z; {@code NaN} for {@code NaN}. */
    static double normalTwoSided(double z) {
        if (Double.isNaN(z)) {
            return Double.NaN;
        }
        return 2 * STANDARD_NORMAL.cumulativeProbability(-Math.abs(z));
    }

    /** The {@code 1 - (1 - confidence) / 2} quantile of the standard normal (1.959963984540054 at 95%). */
    static double normalCritical(double confidence) {
        return -STANDARD_NORMAL.inverseCumulativeProbability((1 - confidence) / 2);
    }

    /**
     * {@code P(|T| >= |t|)} for Student's t with {@code degreesOfFreedom}; {@code NaN} when either
     * argument is {@code NaN} or the degrees of freedom are not positive, 0 for an infinite t.
     */
    static double studentTwoSided(double t, double degreesOfFreedom) {
        if (Double.isNaN(t) || !(degreesOfFreedom > 0)) {
            return Double.NaN;
        }
        if (Double.isInfinite(t)) {
            return 0;
        }
        return 2 * studentLowerTail(Math.abs(t), degreesOfFreedom);
    }

    /** The {@code 1 - (1 - confidence) / 2} quantile of Student's t; {@code NaN} for unusable degrees of freedom. */
    static double studentCritical(double confidence, double degreesOfFreedom) {
        if (!(degreesOfFreedom > 0)) {
            return Double.NaN;
        }
        TDistribution t = new TDistribution(degreesOfFreedom, T_QUANTILE_ACCURACY);
        return -t.inverseCumulativeProbability((1 - confidence) / 2);
    }

    /**
     * {@code P(T <= -t)} for {@code t >= 0}: half the regularized incomplete beta function
     * {@code I_x(ν/2, 1/2)} at {@code x = ν / (ν + t²)}, which is how {@link TDistribution} computes
     * its distribution function too (Abramowitz &amp; Stegun, <i>Handbook of Mathematical Functions</i>, §26.7).
     *
     * <p>For small t, x is close to 1 and {@link Beta#regularizedBeta} evaluates the symmetric form
     * {@code 1 - I_{1-x}(1/2, ν/2)}; handed x, it must form {@code 1 - x} by subtraction, losing as
     * many digits as {@code t²/ν} is small (a p-value of 0.98878208 came out 4e-10 off with
     * 300,000 degrees of freedom). Here both arguments are computed directly, {@code x = ν/(ν + t²)}
     * and {@code 1 - x = t²/(ν + t²)}, and the same switch is made, so no argument is ever the
     * difference of two nearly equal numbers. What remains is the beta function's own error: with
     * ν in the hundreds of thousands its {@code (ν/2) ln x} term turns the last bit of x into about
     * 1e-10 relative error (the worst golden case, ν = 659,807), ten times inside the golden tolerance.
     */
    private static double studentLowerTail(double t, double degreesOfFreedom) {
        double halfDf = degreesOfFreedom / 2;
        double squared = t * t;
        double x = degreesOfFreedom / (degreesOfFreedom + squared);
        if (x <= (halfDf + 1) / (halfDf + 2.5)) {
            return 0.5 * Beta.regularizedBeta(x, halfDf, 0.5);
        }
        return 0.5 * (1 - Beta.regularizedBeta(squared / (degreesOfFreedom + squared), 0.5, halfDf));
    }

    /**
     * {@code P(X >= x)} for a chi-squared X with {@code degreesOfFreedom}: the regularized upper
     * incomplete gamma function {@code Q(k/2, x/2)}.
     *
     * <p>Hipparchus' {@code ChiSquaredDistribution} offers only the lower tail, which it computes as
     * {@code P(k/2, x/2)}; its complement is read here from the same special function directly
     * ({@link Gamma#regularizedGammaQ}, a continued fraction in the tail) rather than as
     * {@code 1 - P}, which would round every p-value below 1e-16 to 0.
     */
    static double chiSquaredUpper(double x, int degreesOfFreedom) {
        if (Double.isNaN(x)) {
            return Double.NaN;
        }
        if (x <= 0) {
            return 1;
        }
        if (Double.isInfinite(x)) {
            return 0;
        }
        return Gamma.regularizedGammaQ(degreesOfFreedom / 2.0, x / 2);
    }

    /** Refuses a confidence level outside the open interval (0, 1). */
    static void checkConfidence(double confidence) {
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("confidence must be in (0, 1), e.g. 0.95; got " + confidence);
        }
    }
}
