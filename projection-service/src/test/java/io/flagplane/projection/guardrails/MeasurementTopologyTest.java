package io.flagplane.projection.guardrails;

import static io.flagplane.projection.guardrails.Plans.STEP_STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.RolloutPlanState;
import io.flagplane.contract.RecordKeys;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the guardrails measure, per plan and variant, from plan exposures and tracked events on their
 * topics: exposed users since the step started, users who sent an event and event counts over a
 * trailing window, attributed to the variant a user's latest exposure put them on.
 */
class MeasurementTopologyTest {

    private final GuardrailDriver driver = new GuardrailDriver();

    @BeforeEach
    void plan() {
        driver.send(Plans.seed001().threshold("error-rate", "http_error", "request", 0.05, 600, 0).runningAtBeta());
    }

    @AfterEach
    void close() {
        driver.close();
    }

    private Measurement measureAt(Duration intoTheStep) {
        driver.flush();
        driver.clock.set(STEP_STARTED.plus(intoTheStep));
        return driver.measurement();
    }

    private static Instant at(int minutes) {
        return STEP_STARTED.plus(Duration.ofMinutes(minutes));
    }

    @Test
    void exposed_users_are_counted_per_variant_once_each_since_the_step_started() {
        driver.send(Plans.exposure("a", "on", at(1)));
        driver.send(Plans.exposure("a", "on", at(1)));   // redelivered
        driver.send(Plans.exposure("a", "on", at(3)));   // exposed again later: still one user
        driver.send(Plans.exposure("b", "on", at(2)));
        driver.send(Plans.exposure("c", "off", at(2)));
        driver.send(Plans.exposure("early", "off", at(-5)));   // at the previous step

        Measurement m = measureAt(Duration.ofMinutes(10));

        long stepStart = STEP_STARTED.toEpochMilli();
        assertThat(m.exposedSince("on", stepStart)).isEqualTo(2);
        assertThat(m.exposedSince("off", stepStart)).isEqualTo(1);
        assertThat(m.exposedSince("off", at(-10).toEpochMilli())).isEqualTo(2);
        assertThat(driver.signal().getExposedUsers()).containsEntry("on", 2L).containsEntry("off", 1L);
    }

    @Test
    void a_users_events_count_for_the_variant_their_latest_exposure_put_them_on_when_they_occurred() {
        driver.send(Plans.exposure("u", "off", at(1)));
        driver.send(Plans.exposure("u", "on", at(5)));   // moved by a step change
        driver.send(Plans.event("u", "http_error", at(3)));
        driver.send(Plans.event("u", "http_error", at(6)));
        driver.send(Plans.event("u", "http_error", at(7)));

        Measurement m = measureAt(Duration.ofMinutes(10));

        long from = STEP_STARTED.toEpochMilli();
        assertThat(m.since("off", from).events("http_error")).isEqualTo(1);
        assertThat(m.since("on", from).events("http_error")).isEqualTo(2);
        assertThat(m.since("on", from).users("http_error")).as("one user, however many events").isEqualTo(1);
        assertThat(m.since("off", from).users("http_error")).isEqualTo(1);
        assertThat(m.exposedSince("on", from)).as("the latest exposure decides").isEqualTo(1);
        assertThat(m.exposedSince("off", from)).isZero();
    }

    @Test
    void the_window_counts_events_that_occurred_inside_it_by_event_time_against_the_clock() {
        driver.send(Plans.exposure("u", "on", at(1)));
        driver.send(Plans.event("u", "request", at(2)));
        driver.send(Plans.event("u", "request", at(14)));
        driver.send(Plans.event("u", "request", at(15)));

        Measurement m = measureAt(Duration.ofMinutes(20));

        assertThat(m.since("on", at(10).toEpochMilli()).events("request")).isEqualTo(2);
        assertThat(m.since("on", at(10).toEpochMilli()).users("request")).isEqualTo(1);
        assertThat(m.since("on", at(0).toEpochMilli()).events("request")).isEqualTo(3);
        assertThat(m.since("on", at(16).toEpochMilli()).events("request")).isZero();
    }

    @Test
    void events_of_users_no_plan_exposed_are_not_even_read_and_events_before_a_users_exposure_are_not_counted() {
        driver.send(Plans.event("stranger", "http_error", at(2)));
        driver.send(Plans.exposure("late", "on", at(5)));
        driver.send(Plans.event("late", "http_error", at(4)));   // before the user was in the plan

        Measurement m = measureAt(Duration.ofMinutes(10));

        assertThat(m.since("on", STEP_STARTED.toEpochMilli()).events("http_error")).isZero();
        assertThat(driver.metrics.tracked()).as("the stranger's event was not decoded").isEqualTo(1);
        assertThat(driver.metrics.unattributed()).isEqualTo(1);
    }

    @Test
    void while_a_plan_runs_a_users_events_that_arrive_before_their_first_exposure_count_once_it_comes() {
        driver.send(Plans.exposure("someone", "on", at(1)));   // a plan runs here
        driver.send(Plans.event("early", "request", at(3)));
        driver.send(Plans.event("early", "http_error", at(3)));
        driver.send(Plans.event("early", "request", at(1)));   // happened before the exposure: outside the plan
        driver.send(Plans.exposure("early", "on", at(2)));

        Measurement m = measureAt(Duration.ofMinutes(10));

        Cell on = m.since("on", STEP_STARTED.toEpochMilli());
        assertThat(on.events("request")).isEqualTo(1);
        assertThat(on.events("http_error")).isEqualTo(1);
        assertThat(on.users("http_error")).isEqualTo(1);
        assertThat(driver.metrics.unattributed()).isEqualTo(1);
    }

    @Test
    void a_held_event_waits_the_grace_period_and_no_longer() {
        driver.send(Plans.exposure("someone", "on", at(1)));
        driver.clock.set(at(2));
        driver.send(Plans.event("slow", "request", at(2)));
        driver.clock.set(at(8));   // six minutes: past the five-minute grace
        driver.send(Plans.event("slow", "request", at(8)));
        driver.send(Plans.exposure("slow", "on", at(1)));

        Measurement m = measureAt(Duration.ofMinutes(10));

        assertThat(m.since("on", STEP_STARTED.toEpochMilli()).events("request")).isEqualTo(1);
        assertThat(driver.metrics.unattributed()).isEqualTo(1);
    }

    @Test
    void plan_events_are_folded_into_the_plans_state_and_handed_to_the_guardrails() {
        RolloutPlanState folded = driver.foldedPlan();
        KeyValueStore<String, RolloutPlanState> evaluated = driver.driver.getKeyValueStore(GuardrailStores.PLANS);

        assertThat(folded.getVersion()).isEqualTo(4);
        assertThat(folded.getCurrentStep()).isEqualTo(1);
        assertThat(folded.getStepStartedAt()).isEqualTo(STEP_STARTED);
        assertThat(evaluated.get(RecordKeys.ofPlanEvents(Plans.ENV, Plans.PLAN))).isEqualTo(folded);
        assertThat(driver.fold.applied()).isEqualTo(4);
        assertThat(driver.fold.rejected()).isZero();
    }
}
