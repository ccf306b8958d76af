package io.flagplane.ruleset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RestartBackoffTest {

    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    private final RestartBackoff backoff = RestartBackoff.standard();

    private Instant clock = T0;

    /** Fails a run that lasted {@code ran}, started where the last wait ended; returns the wait before the next. */
    private Duration failAfter(Duration ran) {
        Instant started = clock;
        Instant failed = started.plus(ran);
        Duration wait = backoff.after(started, failed);
        clock = failed.plus(wait);
        return wait;
    }

    @Test
    void failures_in_a_row_wait_100_ms_doubling_up_to_30_s() {
        List<Duration> waits = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            waits.add(failAfter(Duration.ofMillis(10)));
        }

        assertThat(waits).extracting(Duration::toMillis).containsExactly(100L, 200L, 400L, 800L, 1_600L, 3_200L,
                6_400L, 12_800L, 25_600L, 30_000L, 30_000L, 30_000L);
    }

    @Test
    void a_run_that_stayed_up_a_minute_starts_the_doubling_over() {
        for (int i = 0; i < 5; i++) {
            failAfter(Duration.ofSeconds(1));
        }

        assertThat(failAfter(Duration.ofMinutes(1))).isEqualTo(Duration.ofMillis(100));
        assertThat(failAfter(Duration.ofSeconds(59))).as("a shorter run keeps doubling").isEqualTo(Duration.ofMillis(200));
    }

    @Test
    void the_cap_holds_however_long_the_failures_go_on() {
        for (int i = 0; i < 1_000; i++) {
            failAfter(Duration.ZERO);
        }

        assertThat(failAfter(Duration.ZERO)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void a_cap_below_the_first_wait_is_refused() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new RestartBackoff(Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofMinutes(1)));
    }
}
