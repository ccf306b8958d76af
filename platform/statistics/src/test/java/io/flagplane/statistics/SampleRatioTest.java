package io.flagplane.statistics;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link SampleRatio} beyond the golden values. */
class SampleRatioTest {

    @Test
    void weights_are_relative() {
        long[] observed = {10_200, 9_800};

        SampleRatioVerdict percent = SampleRatio.check(observed, new double[] {50, 50});
        assertThat(SampleRatio.check(observed, new double[] {1, 1})).isEqualTo(percent);
        assertThat(SampleRatio.check(observed, new double[] {0.5, 0.5})).isEqualTo(percent);
    }

    @Test
    void a_split_that_follows_uneven_weights_is_no_mismatch_and_the_even_split_would_be() {
        long[] observed = {90_000, 10_000};

        assertThat(SampleRatio.check(observed, new double[] {9, 1})).satisfies(v -> {
            assertThat(v.chiSquare()).isZero();
            assertThat(v.pValue()).isEqualTo(1);
            assertThat(v.mismatch()).isFalse();
        });
        assertThat(SampleRatio.check(observed, new double[] {1, 1}).mismatch()).isTrue();
    }

    @Test
    void the_threshold_is_one_in_a_thousand() {
        assertThat(SampleRatio.THRESHOLD).isEqualTo(0.001);
    }

    @Test
    void no_users_at_all_is_no_verdict_and_no_mismatch() {
        SampleRatioVerdict verdict = SampleRatio.check(new long[] {0, 0, 0}, new double[] {1, 1, 2});

        assertThat(verdict.chiSquare()).isNaN();
        assertThat(verdict.pValue()).isNaN();
        assertThat(verdict.degreesOfFreedom()).isEqualTo(2);
        assertThat(verdict.mismatch()).isFalse();
    }

    @Test
    void arrays_that_do_not_describe_a_split_are_refused() {
        assertThatThrownBy(() -> SampleRatio.check(null, new double[] {1, 1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SampleRatio.check(new long[] {1, 2}, new double[] {1, 1, 1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("arms");
        assertThatThrownBy(() -> SampleRatio.check(new long[] {5}, new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 2");
        assertThatThrownBy(() -> SampleRatio.check(new long[] {5, -1}, new double[] {1, 1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("observed[1]");
    }

    @ParameterizedTest(name = "weight {0}")
    @ValueSource(doubles = {0, -1, Double.NaN, Double.POSITIVE_INFINITY})
    void a_weight_that_is_not_a_positive_number_is_refused(double weight) {
        assertThatThrownBy(() -> SampleRatio.check(new long[] {5, 5}, new double[] {1, weight}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weights[1]");
    }
}
