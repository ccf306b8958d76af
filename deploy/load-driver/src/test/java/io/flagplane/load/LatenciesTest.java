package io.flagplane.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatenciesTest {

    @Test
    void percentiles_are_nearest_rank_over_every_sample() {
        Latencies latencies = new Latencies();
        for (int i = 100_000; i >= 1; i--) {   // out of order, and more than the initial capacity
            latencies.record(i);
        }
        Latencies.Summary summary = latencies.summary();
        assertThat(summary.count()).isEqualTo(100_000);
        assertThat(summary.p50()).isEqualTo(50_000);
        assertThat(summary.p90()).isEqualTo(90_000);
        assertThat(summary.p99()).isEqualTo(99_000);
        assertThat(summary.p999()).isEqualTo(99_900);
        assertThat(summary.max()).isEqualTo(100_000);
    }

    @Test
    void small_and_empty_sets() {
        assertThat(Latencies.percentile(new long[0], 99)).isZero();
        assertThat(Latencies.percentile(new long[] {7}, 50)).isEqualTo(7);
        assertThat(Latencies.percentile(new long[] {1, 2}, 50)).isEqualTo(1);
        assertThat(Latencies.percentile(new long[] {1, 2}, 51)).isEqualTo(2);
        assertThat(Latencies.percentile(new long[] {1, 2, 3}, 99.9)).isEqualTo(3);
    }
}
