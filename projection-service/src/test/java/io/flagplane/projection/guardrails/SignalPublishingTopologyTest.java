package io.flagplane.projection.guardrails;

import static io.flagplane.projection.guardrails.Plans.STEP_STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.GuardrailKind;
import io.flagplane.avro.GuardrailVerdict;
import io.flagplane.avro.PlanCreated;
import io.flagplane.avro.ReleaseSignal;
import io.flagplane.contract.RecordKeys;
import io.flagplane.fixtures.Events;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** When signals are published, and keyed how: one per running plan per interval, none for a plan that is not running. */
class SignalPublishingTopologyTest {

    private static final String KEY = RecordKeys.ofPlanEvents(Plans.ENV, Plans.PLAN);

    private final GuardrailDriver driver = new GuardrailDriver();

    @AfterEach
    void close() {
        driver.close();
    }

    @Test
    void every_interval_each_running_plan_gets_one_signal_keyed_by_plan_with_a_reading_per_guardrail() {
        driver.send(Plans.seed001().noTraffic("traffic", 300).threshold("error-rate", "http_error", "request", 0.05, 600, 10)
                .runningAtBeta());
        driver.send(Events.on(Plans.ENV, "draft-plan").version(1).with(new PlanCreated(Plans.seed001().definition())));
        driver.clock.set(STEP_STARTED.plus(Duration.ofMinutes(1)));

        driver.evaluate();
        List<KeyValue<String, ReleaseSignal>> next = driver.evaluate();

        assertThat(next).extracting(kv -> kv.key).containsExactly(KEY);
        ReleaseSignal signal = next.get(0).value;
        assertThat(signal.getReadings()).extracting(r -> r.getGuardrail() + " " + r.getKind() + " " + r.getVerdict())
                .containsExactly("traffic NO_TRAFFIC INSUFFICIENT", "error-rate THRESHOLD INSUFFICIENT");
        assertThat(signal.getSignalId()).isNotBlank();
        assertThat(driver.metrics.signals()).isGreaterThanOrEqualTo(2);
        assertThat(driver.metrics.readings(GuardrailKind.NO_TRAFFIC, GuardrailVerdict.INSUFFICIENT)).isGreaterThanOrEqualTo(2);
    }

    @Test
    void a_paused_plan_gets_no_signal_until_it_runs_again() {
        driver.send(Plans.seed001().noTraffic("traffic", 300).runningAtBeta());
        driver.evaluate();
        driver.send(Plans.paused(5, STEP_STARTED.plusSeconds(30)));

        assertThat(driver.evaluate()).isEmpty();

        driver.send(Events.on(Plans.ENV, Plans.PLAN).version(6).at(STEP_STARTED.plusSeconds(60))
                .with(new io.flagplane.avro.PlanResumed()));
        assertThat(driver.evaluate()).extracting(kv -> kv.key).containsExactly(KEY);
    }

    @Test
    void a_rolled_back_plan_gets_no_more_signals() {
        driver.send(Plans.seed001().noTraffic("traffic", 300).runningAtBeta());
        driver.evaluate();
        driver.send(Plans.rolledBack(5, STEP_STARTED.plusSeconds(30), "no exposures for 5 min"));

        assertThat(driver.evaluate()).isEmpty();
        assertThat(driver.evaluate()).isEmpty();
    }

    @Test
    void a_signal_names_the_step_the_plan_is_at_now() {
        driver.send(Plans.seed001().noTraffic("traffic", 300).runningAtBeta());
        driver.send(Events.on(Plans.ENV, Plans.PLAN).version(5).at(STEP_STARTED.plus(Duration.ofHours(24)))
                .with(new io.flagplane.avro.PlanStepStarted(2, List.of())));
        driver.clock.set(STEP_STARTED.plus(Duration.ofHours(25)));

        ReleaseSignal signal = driver.signal();

        assertThat(signal.getStep()).isEqualTo(2);
        assertThat(signal.getStepStartedAt()).isEqualTo(STEP_STARTED.plus(Duration.ofHours(24)));
    }
}
