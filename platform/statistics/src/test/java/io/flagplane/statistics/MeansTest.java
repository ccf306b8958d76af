package io.flagplane.statistics;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** {@link Summary} and {@link WelchTest} beyond the golden values. */
class MeansTest {

    @ParameterizedTest(name = "n={0} mean={1} variance={2}")
    @CsvSource({
            "-1, NaN, NaN",
            "0, 1.0, NaN",
            "0, NaN, 0.0",
            "1, NaN, NaN",
            "1, 3.0, 0.0",
            "2, 3.0, NaN",
            "2, 3.0, -1.0",
            "2, Infinity, 1.0",
            "2, 3.0, Infinity"})
    void a_summary_refuses_values_its_n_cannot_have(long n, double mean, double variance) {
        assertThatThrownBy(() -> new Summary(n, mean, variance)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void a_summary_from_sums_handles_no_values_and_one_value() {
        assertThat(Summary.of(0, 0, 0)).satisfies(s -> {
            assertThat(s.mean()).isNaN();
            assertThat(s.variance()).isNaN();
        });
        assertThat(Summary.of(1, 7.5, 56.25)).satisfies(s -> {
            assertThat(s.mean()).isEqualTo(7.5);
            assertThat(s.variance()).isNaN();
        });
        assertThat(Summary.of(3, 6, 14)).isEqualTo(new Summary(3, 2, 1)); // 1, 2, 3
    }

    @Test
    void a_summary_from_sums_refuses_sums_that_cannot_be() {
        assertThatThrownBy(() -> Summary.of(0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Summary.of(-1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Summary.of(2, Double.NaN, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Summary.of(2, 1, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void a_summary_from_sums_keeps_the_variance_when_the_mean_dwarfs_the_spread() {
        // 4e7 + {1, 2, 3, 5}: both sums are exact doubles, but (Σx)² is not; variance 8.75 / 3.
        // The textbook (Σx² - (Σx)²/n) / (n - 1) gives 3.0 here, 3% off.
        double sum = 160_000_011;
        double sumOfSquares = 6_400_000_880_000_039.0;

        assertThat(Summary.of(4, sum, sumOfSquares).variance()).isCloseTo(8.75 / 3, within(1e-15));
        assertThat((sumOfSquares - sum * sum / 4) / 3).isEqualTo(3.0);
    }

    @Test
    void equal_values_whose_sums_rounded_give_variance_zero_not_a_negative_one() {
        // 0.1 three times: Σx² rounds below (Σx)²/n
        double sum = 0.1 + 0.1 + 0.1;
        double sumOfSquares = 0.1 * 0.1 + 0.1 * 0.1 + 0.1 * 0.1;

        assertThat(Summary.of(3, sum, sumOfSquares).variance()).isBetween(0.0, 1e-17);
    }

    @Test
    void an_arm_with_fewer_than_two_values_has_a_difference_but_no_test() {
        MeanComparison result = WelchTest.compare(new Summary(1, 10, Double.NaN), new Summary(50, 12, 4), 0.95);

        assertThat(result.difference()).isEqualTo(2);
        assertThat(result.relativeLift()).isCloseTo(0.2, within(1e-15));
        assertThat(result.t()).isNaN();
        assertThat(result.degreesOfFreedom()).isNaN();
        assertThat(result.pValue()).isNaN();
        assertThat(result.differenceCi()).isEqualTo(Interval.UNDEFINED);
        assertThat(result.relativeLiftCi()).isEqualTo(Interval.UNDEFINED);

        MeanComparison empty = WelchTest.compare(new Summary(0, Double.NaN, Double.NaN), new Summary(50, 12, 4), 0.95);
        assertThat(empty.difference()).isNaN();
        assertThat(empty.relativeLift()).isNaN();
    }

    @Test
    void constant_arms_with_equal_means_show_no_difference() {
        MeanComparison result = WelchTest.compare(new Summary(10, 5, 0), new Summary(20, 5, 0), 0.95);

        assertThat(result.t()).isZero();
        assertThat(result.pValue()).isEqualTo(1);
        assertThat(result.degreesOfFreedom()).isNaN();
        assertThat(result.differenceCi()).isEqualTo(new Interval(0, 0));
    }

    @Test
    void constant_arms_with_different_means_are_completely_separated() {
        MeanComparison up = WelchTest.compare(new Summary(10, 5, 0), new Summary(20, 6, 0), 0.95);
        MeanComparison down = WelchTest.compare(new Summary(10, 6, 0), new Summary(20, 5, 0), 0.95);

        assertThat(up.t()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(down.t()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(up.pValue()).isZero();
        assertThat(up.differenceCi()).isEqualTo(new Interval(1, 1));
        assertThat(up.relativeLift()).isCloseTo(0.2, within(1e-15));
        assertThat(up.relativeLiftCi()).isEqualTo(new Interval(up.relativeLift(), up.relativeLift()));
    }

    @Test
    void one_constant_arm_leaves_the_other_arms_degrees_of_freedom() {
        MeanComparison result = WelchTest.compare(new Summary(10, 5, 0), new Summary(20, 6, 4), 0.95);

        assertThat(result.degreesOfFreedom()).isCloseTo(19, within(1e-12));
        assertThat(result.t()).isCloseTo(1 / Math.sqrt(4.0 / 20), within(1e-12));
    }

    @Test
    void a_control_mean_of_zero_has_no_relative_lift() {
        MeanComparison result = WelchTest.compare(new Summary(100, 0, 1), new Summary(100, 0.3, 1), 0.95);

        assertThat(result.difference()).isEqualTo(0.3);
        assertThat(result.relativeLift()).isNaN();
        assertThat(result.relativeLiftCi()).isEqualTo(Interval.UNDEFINED);
        assertThat(result.differenceCi().isDefined()).isTrue();
    }

    @Test
    void relative_lift_interval_matches_the_delta_method_worked_by_hand() {
        // control n=400 mean 20 var 100, treatment n=500 mean 22 var 144, at 95%, computed apart with SciPy:
        // ν = 896.494352865..., t* = 1.962613664125887, L = 0.1,
        // Var(L) = 144/(500·20²) + 22²·100/(400·20⁴) = 0.00072 + 0.00075625, half-width t*·0.0384220...
        MeanComparison result = WelchTest.compare(new Summary(400, 20, 100), new Summary(500, 22, 144), 0.95);

        Close.relative("degrees of freedom", 896.4943528652027, result.degreesOfFreedom());
        Close.relative("relative lift", 0.10000000000000009, result.relativeLift());
        Close.interval("relative lift CI", new double[] {0.024592459942334846, 0.17540754005766535},
                result.relativeLiftCi());
        Close.interval("difference CI", new double[] {0.5604526446475826, 3.4395473553524174}, result.differenceCi());
    }

    @Test
    void relative_lift_interval_covers_the_true_lift_about_as_often_as_it_says() {
        // skewed, revenue-like data: exponential with means 10 and 11 (true lift 0.1), 400 users per arm
        SplittableRandom random = new SplittableRandom(13);
        int experiments = 2000;
        int covered = 0;
        for (int e = 0; e < experiments; e++) {
            Summary control = exponentialSample(random, 400, 10);
            Summary treatment = exponentialSample(random, 400, 11);
            if (WelchTest.compare(control, treatment, 0.95).relativeLiftCi().contains(0.1)) {
                covered++;
            }
        }
        double coverage = (double) covered / experiments;
        System.out.printf("relative lift CI coverage (delta method, exponential, 400 per arm): %.4f%n", coverage);
        // nominal 0.95; three standard errors of a proportion over 2,000 runs is about 0.015
        assertThat(coverage).isBetween(0.93, 0.97);
    }

    private static Summary exponentialSample(SplittableRandom random, int n, double mean) {
        double sum = 0;
        double sumOfSquares = 0;
        for (int i = 0; i < n; i++) {
            double x = -mean * Math.log(1 - random.nextDouble());
            sum += x;
            sumOfSquares += x * x;
        }
        return Summary.of(n, sum, sumOfSquares);
    }
}
