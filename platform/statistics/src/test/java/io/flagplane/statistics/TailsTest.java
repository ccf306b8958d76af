package io.flagplane.statistics;

import org.hipparchus.distribution.continuous.ChiSquaredDistribution;
import org.hipparchus.distribution.continuous.TDistribution;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The tails keep their digits where {@code 1 - cdf} or Hipparchus' own subtraction would lose them. */
class TailsTest {

    @ParameterizedTest(name = "t = {0}, df = {1}")
    @CsvSource({
            "0.01, 1", "0.5, 2", "1.0, 5", "2.0, 30", "5.0, 30", "20.0, 3", "1.5, 1000", "3.0, 1000", "0.0, 10"})
    void student_tail_is_the_t_distribution_of_hipparchus_where_that_is_accurate(double t, double df) {
        double hipparchus = 2 * new TDistribution(df).cumulativeProbability(-Math.abs(t));
        assertThat(Tails.studentTwoSided(t, df)).isCloseTo(hipparchus, within(1e-12 * hipparchus + 1e-300));
        assertThat(Tails.studentTwoSided(-t, df)).isEqualTo(Tails.studentTwoSided(t, df));
    }

    @Test
    void a_small_t_with_many_degrees_of_freedom_keeps_its_digits() {
        double t = -0.014060047669627566;
        double df = 306359.66978986235;
        double scipy = 0.9887820837993683; // golden Welch case 5

        assertThat(Tails.studentTwoSided(t, df)).isCloseTo(scipy, within(1e-15));
        // what the subtraction inside TDistribution leaves, and why Tails does not use it here
        double hipparchus = 2 * new TDistribution(df).cumulativeProbability(t);
        assertThat(Math.abs(hipparchus - scipy)).isGreaterThan(1e-10);
    }

    @ParameterizedTest(name = "chi-square {0} with {1} degrees of freedom")
    @CsvSource({
            "1403.8646428031534, 3, 4.271474832595332e-304",
            "1122.6608160078067, 1, 3.924018735357393e-246",
            "164.7111541584626, 1, 1.0578109152909029e-37"})
    void a_chi_squared_tail_far_below_1e16_keeps_its_relative_digits(double x, int df, double scipy) {
        assertThat(Tails.chiSquaredUpper(x, df)).isCloseTo(scipy, within(1e-9 * scipy));
        assertThat(1 - new ChiSquaredDistribution(df).cumulativeProbability(x)).isZero();
    }

    @ParameterizedTest(name = "z = {0}")
    @CsvSource({
            "-12.966218277202051, 1.90184509651154e-38",
            "25.236035294536553, 1.6121133121897074e-140",
            "1.959963984540054, 0.05"})
    void a_normal_tail_keeps_its_relative_digits(double z, double scipy) {
        assertThat(Tails.normalTwoSided(z)).isCloseTo(scipy, within(1e-9 * scipy));
    }

    @Test
    void critical_values_are_the_textbook_ones() {
        assertThat(Tails.normalCritical(0.95)).isCloseTo(1.959963984540054, within(1e-15));
        assertThat(Tails.normalCritical(0.99)).isCloseTo(2.5758293035489004, within(1e-14));
        // scipy.stats.t.ppf(0.975, 10) and (0.975, 8091.671753786404)
        assertThat(Tails.studentCritical(0.95, 10)).isCloseTo(2.228138851986274, within(1e-13));
        assertThat(Tails.studentCritical(0.95, 8091.671753786404)).isCloseTo(1.9602572020798648, within(1e-12));
    }

    @Test
    void undefined_arguments_give_nan_and_extreme_ones_their_limits() {
        assertThat(Tails.normalTwoSided(Double.NaN)).isNaN();
        assertThat(Tails.studentTwoSided(Double.NaN, 5)).isNaN();
        assertThat(Tails.studentTwoSided(1, Double.NaN)).isNaN();
        assertThat(Tails.studentTwoSided(1, 0)).isNaN();
        assertThat(Tails.studentCritical(0.95, Double.NaN)).isNaN();
        assertThat(Tails.studentTwoSided(Double.NEGATIVE_INFINITY, 5)).isZero();
        assertThat(Tails.chiSquaredUpper(Double.NaN, 1)).isNaN();
        assertThat(Tails.chiSquaredUpper(0, 1)).isEqualTo(1);
        assertThat(Tails.chiSquaredUpper(Double.POSITIVE_INFINITY, 1)).isZero();
    }
}
