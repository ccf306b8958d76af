package io.flagplane.reporting;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When reports are due: heartbeats, coalesced changes, and the cap on reports per second. */
class ReportScheduleTest {

    /** Start at 0 ms; heartbeat 5 s, coalesce 50 ms, at most 10 a second (100 ms apart). */
    private final ReportSchedule schedule = new ReportSchedule(0, 5_000, 50, 10);

    @Test
    void with_nothing_happening_a_heartbeat_is_due_every_interval_after_the_last_report() {
        assertThat(schedule.isDue(4_999)).isFalse();
        assertThat(schedule.isDue(5_000)).isTrue();
        schedule.reported(5_003);
        assertThat(schedule.nextDue()).isEqualTo(10_003);
    }

    @Test
    void a_change_is_reported_after_the_coalescing_delay_and_a_burst_within_it_is_one_report() {
        schedule.changed(1_000);
        for (long t = 1_001; t < 1_050; t += 7) {
            schedule.changed(t);
            assertThat(schedule.isDue(t)).isFalse();
        }
        assertThat(schedule.nextDue()).isEqualTo(1_050);
        schedule.reported(1_050);

        assertThat(schedule.nextDue()).as("nothing pending: the next heartbeat").isEqualTo(6_050);
    }

    @Test
    void changes_arriving_faster_than_the_cap_wait_for_the_gap_and_keep_coalescing() {
        schedule.changed(1_000);
        schedule.reported(1_050);
        schedule.changed(1_060);

        assertThat(schedule.nextDue()).as("100 ms after the last report, not 50 ms after the change").isEqualTo(1_150);
    }

    @Test
    void a_steady_stream_of_changes_never_makes_more_reports_than_the_cap() {
        int reports = 0;
        for (long now = 0; now < 10_000; now++) {
            schedule.changed(now);   // a change every millisecond for 10 s
            if (schedule.isDue(now)) {
                schedule.reported(now);
                reports++;
            }
        }
        assertThat(reports).isBetween(90, 100);
    }

    @Test
    void the_first_change_is_not_held_back_by_the_gap() {
        schedule.changed(10);
        assertThat(schedule.nextDue()).isEqualTo(60);
    }

    @Test
    void a_change_after_a_heartbeat_is_reported_after_the_gap_too() {
        schedule.reported(5_000);
        schedule.changed(5_010);
        assertThat(schedule.nextDue()).isEqualTo(5_100);
    }
}
