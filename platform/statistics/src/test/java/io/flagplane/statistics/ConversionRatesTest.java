package io.flagplane.statistics;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Proportion} and {@link TwoProportionTest} beyond the golden values: validation and degenerate data. */
class ConversionRatesTest {

    @ParameterizedTest(name = "{0} users, {1} conversions")
    @CsvSource({"-1, 0", "10, -1", "10, 11"})
    void a_proportion_refuses_impossible_counts(long users, long conversions) {
        assertThatThrownBy(() -> new Proportion(users, conversions))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(users < 0 ? "users" : "conversions");
    }

    @Test
    void a_proportion_with_no_users_has_no_rate() {
        assertThat(new Proportion(0, 0).rate()).isNaN();
        assertThat(new Proportion(8, 2).rate()).isEqualTo(0.25);
    }

    @ParameterizedTest(name = "confidence {0}")
    @ValueSource(doubles = {0, 1, -0.5, 1.5, Double.NaN})
    void a_confidence_outside_zero_to_one_is_refused(double confidence) {
        assertThatThrownBy(() -> TwoProportionTest.compare(new Proportion(10, 1), new Proportion(10, 2), confidence))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("confidence");
    }

    @Test
    void missing_arms_are_refused() {
        assertThatThrownBy(() -> TwoProportionTest.compare(null, new Proportion(10, 2), 0.95))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void z_is_positive_when_the_treatment_converts_more_and_negative_when_less() {
        Proportion low = new Proportion(1000, 100);
        Proportion high = new Proportion(1000, 130);

        assertThat(TwoProportionTest.compare(low, high, 0.95).z()).isPositive();
        assertThat(TwoProportionTest.compare(high, low, 0.95).z()).isNegative();
        assertThat(TwoProportionTest.compare(high, low, 0.95).pValue())
                .isEqualTo(TwoProportionTest.compare(low, high, 0.95).pValue());
    }

    @Test
    void a_higher_confidence_gives_wider_intervals_around_the_same_estimates() {
        Proportion control = new Proportion(5000, 500);
        Proportion treatment = new Proportion(5000, 560);
        ProportionComparison at95 = TwoProportionTest.compare(control, treatment, 0.95);
        ProportionComparison at99 = TwoProportionTest.compare(control, treatment, 0.99);

        assertThat(at99.differenceCi().lower()).isLessThan(at95.differenceCi().lower());
        assertThat(at99.differenceCi().upper()).isGreaterThan(at95.differenceCi().upper());
        assertThat(at99.relativeLiftCi().lower()).isLessThan(at95.relativeLiftCi().lower());
        assertThat(at99.relativeLiftCi().upper()).isGreaterThan(at95.relativeLiftCi().upper());
        assertThat(at99.z()).isEqualTo(at95.z());
        assertThat(at99.difference()).isEqualTo(at95.difference());
    }

    @Test
    void an_arm_without_users_makes_everything_comparative_nan_without_throwing() {
        ProportionComparison result = TwoProportionTest.compare(new Proportion(0, 0), new Proportion(100, 7), 0.95);

        assertThat(result.rateControl()).isNaN();
        assertThat(result.rateTreatment()).isEqualTo(0.07);
        assertThat(result.z()).isNaN();
        assertThat(result.pValue()).isNaN();
        assertThat(result.difference()).isNaN();
        assertThat(result.differenceCi()).isEqualTo(Interval.UNDEFINED);
        assertThat(result.relativeLift()).isNaN();
        assertThat(result.relativeLiftCi()).isEqualTo(Interval.UNDEFINED);
    }

    @ParameterizedTest(name = "both arms at rate {0}")
    @ValueSource(ints = {0, 1})
    void both_arms_at_rate_zero_or_both_at_one_show_no_difference(int rate) {
        ProportionComparison result = TwoProportionTest.compare(
                new Proportion(400, 400L * rate), new Proportion(300, 300L * rate), 0.95);

        assertThat(result.z()).isZero();
        assertThat(result.pValue()).isEqualTo(1);
        assertThat(result.difference()).isZero();
        assertThat(result.differenceCi()).isEqualTo(new Interval(0, 0));
    }

    @Test
    void a_control_that_never_converts_has_a_difference_but_no_relative_lift() {
        ProportionComparison result = TwoProportionTest.compare(new Proportion(500, 0), new Proportion(500, 10), 0.95);

        assertThat(result.difference()).isEqualTo(0.02);
        assertThat(result.z()).isPositive().isFinite();
        assertThat(result.pValue()).isBetween(0.0, 0.05);
        assertThat(result.differenceCi().isDefined()).isTrue();
        assertThat(result.relativeLift()).isNaN();
        assertThat(result.relativeLiftCi()).isEqualTo(Interval.UNDEFINED);
    }

    @Test
    void counts_near_the_top_of_long_do_not_overflow() {
        long users = Long.MAX_VALUE - 1;
        ProportionComparison result = TwoProportionTest.compare(
                new Proportion(users, users / 2), new Proportion(users, users / 2), 0.95);

        assertThat(result.z()).isZero();
        assertThat(result.pValue()).isEqualTo(1);
    }
}
