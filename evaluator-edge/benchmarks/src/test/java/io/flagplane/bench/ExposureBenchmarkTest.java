package io.flagplane.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The exposure benchmark measures what it says: every evaluation an exposure, logged once per user when on. */
class ExposureBenchmarkTest {

    @Test
    void with_logging_on_each_user_is_logged_once_and_repeats_are_de_duplicated() {
        ExposureBenchmark.On on = new ExposureBenchmark.On();
        on.users = 1_024;
        on.setUp();
        try {
            for (int i = 0; i < 2 * 1_024 - 1; i++) {
                assertThat(on.evaluate(on.nextContext()).experiment()).isEqualTo("bench-test");
            }
            assertThat(on.exposures.stats().logged()).isEqualTo(1_024);
            assertThat(on.exposures.stats().deduplicated()).isEqualTo(1_024);
        } finally {
            on.tearDown();
        }
    }

    @Test
    void with_logging_off_nothing_is_logged() {
        ExposureBenchmark.Off off = new ExposureBenchmark.Off();
        off.users = 1_024;
        off.setUp();
        off.evaluate(off.nextContext());
        assertThat(off.exposures.stats().logged()).isZero();
        off.tearDown();
    }
}
