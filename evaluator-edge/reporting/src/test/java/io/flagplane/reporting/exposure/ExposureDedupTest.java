package io.flagplane.reporting.exposure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The de-duplication table's bound: what it remembers, what it forgets, and that forgetting only repeats. */
class ExposureDedupTest {

    private static final long HOUR = 3_600_000;

    @Test
    void the_capacity_is_rounded_up_to_a_power_of_two_and_never_exceeded() {
        assertThat(new ExposureDedup(HOUR, 4).capacity()).isEqualTo(4);
        assertThat(new ExposureDedup(HOUR, 5).capacity()).isEqualTo(8);
        assertThat(new ExposureDedup(HOUR, 131_072).capacity()).isEqualTo(131_072);
        assertThat(new ExposureDedup(HOUR, 100_000).capacity()).isEqualTo(131_072);
        assertThat(new ExposureDedup(0, 100_000).capacity()).as("no window, no table").isZero();
    }

    @Test
    void a_full_table_forgets_the_oldest_so_the_forgotten_users_next_exposure_is_logged_again_and_counted() {
        ExposureDedup dedup = new ExposureDedup(HOUR, 64);
        for (int i = 0; i < 64 * 8; i++) {
            assertThat(dedup.admit("production", "exp", "user-" + i, 1_000 + i)).isNotEqualTo(ExposureDedup.DUPLICATE);
        }

        int remembered = 0;
        int admittedAgain = 0;
        for (int i = 0; i < 64 * 8; i++) {
            if (dedup.admit("production", "exp", "user-" + i, 5_000) == ExposureDedup.DUPLICATE) {
                remembered++;
            } else {
                admittedAgain++;
            }
        }
        assertThat(remembered).as("never more remembered than the table holds").isLessThanOrEqualTo(64);
        assertThat(admittedAgain).isGreaterThanOrEqualTo(64 * 7);
        assertThat(dedup.evictions()).isPositive();
    }

    @Test
    void a_plan_exposure_is_remembered_per_plan_user_and_variant_so_a_user_moved_to_another_variant_is_admitted_again() {
        ExposureDedup dedup = new ExposureDedup(HOUR, 1_024);

        assertThat(dedup.admit("production", "rollout", "off", "user-1", 0)).isNotEqualTo(ExposureDedup.DUPLICATE);
        assertThat(dedup.admit("production", "rollout", "off", "user-1", 10)).isEqualTo(ExposureDedup.DUPLICATE);
        assertThat(dedup.admit("production", "rollout", "on", "user-1", 20)).as("a step moved the user to on")
                .isNotEqualTo(ExposureDedup.DUPLICATE);
        assertThat(dedup.admit("production", "rollout", "on", "user-1", 30)).isEqualTo(ExposureDedup.DUPLICATE);
        assertThat(dedup.admit("production", "rollout", "off", "user-1", 40)).as("off is still remembered within the window")
                .isEqualTo(ExposureDedup.DUPLICATE);
        assertThat(dedup.admit("production", "other-plan", "on", "user-1", 50)).isNotEqualTo(ExposureDedup.DUPLICATE);
        assertThat(dedup.admit("production", "rollout", "on", "user-1", HOUR + 20)).as("past the window")
                .isNotEqualTo(ExposureDedup.DUPLICATE);
    }

    @Test
    void an_experiment_and_a_plan_with_the_same_key_never_stand_for_each_other() {
        ExposureDedup dedup = new ExposureDedup(HOUR, 1_024);

        assertThat(dedup.admit("production", "checkout", "user-1", 0)).isNotEqualTo(ExposureDedup.DUPLICATE);
        assertThat(dedup.admit("production", "checkout", "on", "user-1", 1)).isNotEqualTo(ExposureDedup.DUPLICATE);
        assertThat(dedup.admit("production", "checkout", "user-1", 2)).isEqualTo(ExposureDedup.DUPLICATE);
        assertThat(dedup.admit("production", "checkout", "on", "user-1", 3)).isEqualTo(ExposureDedup.DUPLICATE);
    }

    @Test
    void forgetting_a_plan_exposure_forgets_only_that_variant() {
        ExposureDedup dedup = new ExposureDedup(HOUR, 1_024);
        int on = dedup.admit("production", "rollout", "on", "user-1", 0);
        dedup.admit("production", "rollout", "off", "user-1", 0);

        dedup.forget(on, "production", "rollout", "off", "user-1");   // not the entry at that slot: nothing happens
        assertThat(dedup.admit("production", "rollout", "on", "user-1", 1)).isEqualTo(ExposureDedup.DUPLICATE);
        dedup.forget(on, "production", "rollout", "on", "user-1");

        assertThat(dedup.admit("production", "rollout", "on", "user-1", 2)).isNotEqualTo(ExposureDedup.DUPLICATE);
        assertThat(dedup.admit("production", "rollout", "off", "user-1", 3)).isEqualTo(ExposureDedup.DUPLICATE);
    }

    @Test
    void within_a_set_the_most_recently_logged_users_are_kept() {
        ExposureDedup dedup = new ExposureDedup(HOUR, 4);   // one set of four
        for (int i = 0; i < 8; i++) {
            dedup.admit("production", "exp", "user-" + i, i);
        }

        for (int i = 4; i < 8; i++) {
            assertThat(dedup.admit("production", "exp", "user-" + i, 100)).as("user-" + i).isEqualTo(ExposureDedup.DUPLICATE);
        }
        assertThat(dedup.evictions()).isEqualTo(4);
    }

    @Test
    void an_entry_past_its_window_is_reused_without_counting_an_eviction() {
        ExposureDedup dedup = new ExposureDedup(HOUR, 4);
        for (int i = 0; i < 4; i++) {
            dedup.admit("production", "exp", "user-" + i, 0);
        }

        assertThat(dedup.admit("production", "exp", "user-9", HOUR)).isGreaterThanOrEqualTo(0);
        assertThat(dedup.evictions()).isZero();
    }

    @Test
    void forgetting_an_entry_lets_the_user_be_logged_again() {
        ExposureDedup dedup = new ExposureDedup(HOUR, 1_024);
        int slot = dedup.admit("production", "exp", "user-1", 0);

        dedup.forget(slot, "production", "exp", "user-1");

        assertThat(dedup.admit("production", "exp", "user-1", 1)).isNotEqualTo(ExposureDedup.DUPLICATE);
    }

    @Test
    void threads_logging_the_same_users_at_once_never_lose_one() throws Exception {
        ExposureDedup dedup = new ExposureDedup(HOUR, 1 << 16);
        Set<String> admitted = ConcurrentHashMap.newKeySet();
        AtomicInteger admissions = new AtomicInteger();
        int threads = 4;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < 5_000; i++) {
                    String user = "user-" + i;
                    if (dedup.admit("production", "exp", user, 10) != ExposureDedup.DUPLICATE) {
                        admitted.add(user);
                        admissions.incrementAndGet();
                    }
                }
            });
            worker.start();
            workers.add(worker);
        }
        go.countDown();
        for (Thread worker : workers) {
            worker.join(TimeUnit.SECONDS.toMillis(30));
        }

        assertThat(admitted).hasSize(5_000);
        assertThat(admissions.get()).as("a race may repeat an exposure, rarely").isBetween(5_000, 5_000 + 5_000 / 10);
    }
}
