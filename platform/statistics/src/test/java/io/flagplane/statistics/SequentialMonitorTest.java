package io.flagplane.statistics;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SequentialMonitorTest {

    private static final double ALPHA = 0.05;

    @Test
    void before_any_look_nothing_is_known() {
        SequentialMonitor monitor = SequentialMonitor.start(ALPHA);

        assertThat(monitor.looks()).isZero();
        assertThat(monitor.pValue()).isEqualTo(1);
        assertThat(monitor.differenceCi()).isEqualTo(Interval.EVERYTHING);
        assertThat(monitor.significant()).isFalse();
    }

    @Test
    void the_p_value_is_the_running_minimum_so_significance_once_reached_stays() {
        SequentialMonitor monitor = SequentialMonitor.start(ALPHA)
                .observe(look(0.40, -1, 3))
                .observe(look(0.03, 0.5, 2.5))
                .observe(look(0.20, -0.2, 2));

        assertThat(monitor.looks()).isEqualTo(3);
        assertThat(monitor.pValue()).isEqualTo(0.03);
        assertThat(monitor.significant()).isTrue();
        assertThat(monitor.result()).isEqualTo(new SequentialResult(0.03, new Interval(0.5, 2), true));
    }

    @Test
    void the_interval_is_the_running_intersection() {
        SequentialMonitor monitor = SequentialMonitor.start(ALPHA)
                .observe(look(0.5, -1, 3))
                .observe(look(0.5, -2, 2))
                .observe(look(0.5, -0.5, 4));

        assertThat(monitor.differenceCi()).isEqualTo(new Interval(-0.5, 2));
        assertThat(monitor.significant()).isFalse();
    }

    @Test
    void a_look_that_defines_nothing_counts_but_changes_nothing() {
        SequentialMonitor before = SequentialMonitor.start(ALPHA).observe(look(0.3, -1, 1));
        SequentialMonitor after = before.observe(SequentialResult.UNDEFINED);

        assertThat(after.looks()).isEqualTo(2);
        assertThat(after.pValue()).isEqualTo(before.pValue());
        assertThat(after.differenceCi()).isEqualTo(before.differenceCi());
    }

    @Test
    void a_look_that_misses_the_running_interval_entirely_replaces_it() {
        SequentialMonitor monitor = SequentialMonitor.start(ALPHA)
                .observe(look(0.5, -1, 1))
                .observe(look(0.01, 2, 3));

        assertThat(monitor.differenceCi()).isEqualTo(new Interval(2, 3));
        assertThat(monitor.pValue()).isEqualTo(0.01);
    }

    @Test
    void the_monitor_is_a_value_each_look_returns_a_new_one() {
        SequentialMonitor start = SequentialMonitor.start(ALPHA);
        start.observe(look(0.01, 1, 2));

        assertThat(start).isEqualTo(SequentialMonitor.start(ALPHA));
    }

    @Test
    void impossible_states_are_refused() {
        assertThatThrownBy(() -> new SequentialMonitor(ALPHA, -1, 1, Interval.EVERYTHING))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SequentialMonitor(ALPHA, 0, Double.NaN, Interval.EVERYTHING))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SequentialMonitor(ALPHA, 0, 1, Interval.UNDEFINED))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SequentialMonitor.start(ALPHA).observe(null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Interval(2, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Interval(Double.NaN, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    private static SequentialResult look(double pValue, double lower, double upper) {
        return new SequentialResult(pValue, new Interval(lower, upper), pValue <= ALPHA);
    }
}
