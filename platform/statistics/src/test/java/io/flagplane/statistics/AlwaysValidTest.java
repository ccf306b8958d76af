package io.flagplane.statistics;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * {@link AlwaysValid}: the closed form against the mixture computed apart, the tuning of the mixing
 * variance, and degenerate data. The guarantee itself is simulated in {@link PeekingSimulationTest}.
 */
class AlwaysValidTest {

    private static final double ALPHA = 0.05;

    /**
     * Expected values computed apart with SciPy from the definition, not the closed form: Λ(θ₀) as the
     * numerical integral (quad) of the normal likelihood ratio over θ ~ N(θ₀, τ²), the p-value as
     * 1/Λ(0), and the interval's ends as the roots (brentq) of Λ(θ₀) = 1/α.
     */
    @ParameterizedTest(name = "{1}/{0} vs {3}/{2}")
    @CsvSource({
            "10000, 1000, 10000, 1100, 0.28313660723084055, -0.0031564767502203976, 0.023156476750220388",
            "10000, 1000, 10000, 1200, 0.00033369310864824896, 0.006576658225428184, 0.0334233417745718",
            "5000, 250, 6000, 330, 1, -0.008068967422888736, 0.018068967422888733"})
    void proportions_match_the_mixture_integrated_numerically(long controlUsers, long controlConversions,
                                                             long treatmentUsers, long treatmentConversions,
                                                             double pValue, double lower, double upper) {
        SequentialResult result = AlwaysValid.proportions(new Proportion(controlUsers, controlConversions),
                new Proportion(treatmentUsers, treatmentConversions), ALPHA, AlwaysValid.DEFAULT_MIXING_VARIANCE);

        Close.pValue("always-valid p", pValue, result.pValue());
        Close.interval("always-valid interval", new double[] {lower, upper}, result.differenceCi());
        assertThat(result.significant()).isEqualTo(pValue <= ALPHA);
    }

    @ParameterizedTest(name = "n={0} mean={1} var={2} vs n={3} mean={4} var={5}")
    @CsvSource({
            "4000, 52.0, 900.0, 4100, 53.5, 1000.0, 0.32878886481032943, -0.6323027960090032, 3.6323027960090033",
            "20000, 10.0, 100.0, 20000, 10.4, 110.0, 0.0031737215112363423, 0.0860331093287966, 0.7139668906712041"})
    void means_match_the_mixture_integrated_numerically(long nc, double mc, double vc, long nt, double mt, double vt,
                                                       double pValue, double lower, double upper) {
        SequentialResult result = AlwaysValid.means(new Summary(nc, mc, vc), new Summary(nt, mt, vt), ALPHA,
                AlwaysValid.DEFAULT_MIXING_VARIANCE);

        Close.pValue("always-valid p", pValue, result.pValue());
        Close.interval("always-valid interval", new double[] {lower, upper}, result.differenceCi());
        assertThat(result.significant()).isEqualTo(pValue <= ALPHA);
    }

    @Test
    void significant_exactly_when_the_interval_leaves_out_zero() {
        for (long conversions = 900; conversions <= 1300; conversions += 5) {
            SequentialResult result = AlwaysValid.proportions(new Proportion(10_000, 1000),
                    new Proportion(10_000, conversions), ALPHA, AlwaysValid.DEFAULT_MIXING_VARIANCE);
            assertThat(result.significant())
                    .as("treatment %d/10000", conversions)
                    .isEqualTo(!result.differenceCi().contains(0));
        }
    }

    @Test
    void the_always_valid_interval_is_wider_than_the_fixed_horizon_one() {
        Proportion control = new Proportion(10_000, 1000);
        Proportion treatment = new Proportion(10_000, 1100);

        Interval fixed = TwoProportionTest.compare(control, treatment, 1 - ALPHA).differenceCi();
        Interval alwaysValid = AlwaysValid.proportions(control, treatment, ALPHA, AlwaysValid.DEFAULT_MIXING_VARIANCE)
                .differenceCi();

        assertThat(alwaysValid.lower()).isLessThan(fixed.lower());
        assertThat(alwaysValid.upper()).isGreaterThan(fixed.upper());
    }

    @Test
    void the_default_mixing_variance_is_tuned_for_ten_thousand_users_per_arm_at_five_percent() {
        // r = -2 ln 0.05 + ln(1 + r) → r = 8.211968062068253; 2 r / 10,000 (computed apart)
        assertThat(AlwaysValid.DEFAULT_MIXING_VARIANCE).isCloseTo(0.0016423936124136506, within(1e-15));
        assertThat(AlwaysValid.mixingVarianceFor(10_000, 0.05)).isEqualTo(AlwaysValid.DEFAULT_MIXING_VARIANCE);
        assertThat(AlwaysValid.mixingVarianceFor(1_000, 0.05)).isCloseTo(10 * AlwaysValid.DEFAULT_MIXING_VARIANCE,
                within(1e-15));
    }

    @Test
    void the_tuned_mixing_variance_gives_the_narrowest_interval_at_its_sample_size() {
        Summary control = new Summary(10_000, 10, 100);
        Summary treatment = new Summary(10_000, 10.2, 100);
        double tuned = AlwaysValid.mixingVarianceFor(10_000, ALPHA);

        double width = width(AlwaysValid.means(control, treatment, ALPHA, tuned));
        for (double factor : new double[] {0.25, 0.5, 0.8, 1.25, 2, 4}) {
            assertThat(width(AlwaysValid.means(control, treatment, ALPHA, tuned * factor)))
                    .as("mixing variance × %s", factor)
                    .isGreaterThan(width);
        }
    }

    @Test
    void an_arm_without_users_defines_nothing() {
        SequentialResult result = AlwaysValid.proportions(new Proportion(0, 0), new Proportion(10, 1), ALPHA,
                AlwaysValid.DEFAULT_MIXING_VARIANCE);

        assertThat(result.pValue()).isNaN();
        assertThat(result.differenceCi()).isEqualTo(Interval.UNDEFINED);
        assertThat(result.significant()).isFalse();

        SequentialResult means = AlwaysValid.means(new Summary(1, 3, Double.NaN), new Summary(10, 4, 1), ALPHA,
                AlwaysValid.DEFAULT_MIXING_VARIANCE);
        assertThat(means.pValue()).isNaN();
        assertThat(means.significant()).isFalse();
    }

    @Test
    void an_all_or_nothing_start_is_not_significant() {
        // every control user failed to convert, every treatment user converted: no variance to scale by
        SequentialResult result = AlwaysValid.proportions(new Proportion(3, 0), new Proportion(3, 3), ALPHA,
                AlwaysValid.DEFAULT_MIXING_VARIANCE);

        assertThat(result.pValue()).isEqualTo(1);
        assertThat(result.differenceCi()).isEqualTo(Interval.UNDEFINED);
        assertThat(result.significant()).isFalse();

        SequentialResult constant = AlwaysValid.means(new Summary(5, 1, 0), new Summary(5, 2, 0), ALPHA,
                AlwaysValid.DEFAULT_MIXING_VARIANCE);
        assertThat(constant.pValue()).isEqualTo(1);
        assertThat(constant.significant()).isFalse();
    }

    @ParameterizedTest(name = "alpha {0}")
    @ValueSource(doubles = {0, 1, -0.05, Double.NaN})
    void an_alpha_outside_zero_to_one_is_refused(double alpha) {
        assertThatThrownBy(() -> AlwaysValid.proportions(new Proportion(10, 1), new Proportion(10, 2), alpha,
                AlwaysValid.DEFAULT_MIXING_VARIANCE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alpha");
        assertThatThrownBy(() -> SequentialMonitor.start(alpha)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "mixing variance {0}")
    @ValueSource(doubles = {0, -1e-3, Double.NaN, Double.POSITIVE_INFINITY})
    void a_mixing_variance_that_is_not_a_positive_number_is_refused(double mixingVariance) {
        assertThatThrownBy(() -> AlwaysValid.means(new Summary(10, 1, 1), new Summary(10, 2, 1), ALPHA, mixingVariance))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mixingVariance");
    }

    @Test
    void tuning_for_no_users_is_refused() {
        assertThatThrownBy(() -> AlwaysValid.mixingVarianceFor(0, ALPHA)).isInstanceOf(IllegalArgumentException.class);
    }

    private static double width(SequentialResult result) {
        return result.differenceCi().upper() - result.differenceCi().lower();
    }
}
