package io.flagplane.projection.guardrails;

import static io.flagplane.projection.guardrails.Plans.STEP_STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.GuardrailReading;
import io.flagplane.avro.GuardrailVerdict;
import io.flagplane.fixtures.States;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** SAMPLE_RATIO guardrails through the whole topology: a percentage step's users against its split. */
class SampleRatioTopologyTest {

    private final GuardrailDriver driver = new GuardrailDriver();

    @AfterEach
    void close() {
        driver.close();
    }

    private void firstExposed(String variant, int users) {
        for (int u = 0; u < users; u++) {
            driver.send(Plans.exposure(variant + "-" + u, variant, STEP_STARTED.plusSeconds(1 + u % 600)));
        }
    }

    private GuardrailReading read() {
        driver.clock.set(STEP_STARTED.plus(Duration.ofMinutes(15)));
        return driver.signal().getReadings().get(0);
    }

    @Test
    void sixty_one_to_thirty_nine_on_a_fifty_fifty_split_is_a_mismatch() {
        driver.publish(Plans.flagAt(5_000));
        driver.send(Plans.seed001().sampleRatio("srm", 100).runningAtBeta());
        firstExposed("on", 610);
        firstExposed("off", 390);

        GuardrailReading reading = read();

        assertThat(reading.getVerdict()).isEqualTo(GuardrailVerdict.BREACHED);
        assertThat(reading.getSample()).isEqualTo(1_000);
        assertThat(reading.getObserved()).isLessThan(0.001);
        assertThat(reading.getSummary()).isEqualTo("sample ratio mismatch: on 61 % / off 39 % expected 50 / 50 (p < 0.001)");
    }

    @Test
    void a_split_that_matches_its_weights_is_healthy_and_users_from_before_the_step_are_left_out() {
        driver.publish(Plans.flagAt(1_000));
        driver.send(Plans.seed001().sampleRatio("srm", 100).runningAtBeta());
        firstExposed("on", 100);
        firstExposed("off", 900);
        for (int u = 0; u < 500; u++) {   // seen at the internal step: their first exposure is not this step's assignment
            driver.send(Plans.exposure("early-" + u, "on", STEP_STARTED.minus(Duration.ofMinutes(30))));
        }

        GuardrailReading reading = read();

        assertThat(reading.getVerdict()).isEqualTo(GuardrailVerdict.HEALTHY);
        assertThat(reading.getSummary()).isEqualTo("sample ratio on 10 % / off 90 % expected 10 / 90 (p = 1)");
    }

    @Test
    void a_step_whose_flag_serves_one_variant_to_everyone_is_not_checked_and_passes() {
        driver.publish(io.flagplane.avro.FlagState.newBuilder(States.booleanState(Plans.ENV, Plans.FLAG, 8)).setPlan(Plans.PLAN).build());
        driver.send(Plans.seed001().sampleRatio("srm", 100).runningAtBeta());
        firstExposed("on", 200);

        GuardrailReading reading = read();

        assertThat(reading.getVerdict()).as("the release controller advances only on HEALTHY").isEqualTo(GuardrailVerdict.HEALTHY);
        assertThat(reading.getSummary()).isEqualTo("sample ratio not checked: not a percentage step (the fallthrough serves variant on"
                + " to everyone)");
    }

    @Test
    void below_the_minimum_sample_it_waits() {
        driver.publish(Plans.flagAt(5_000));
        driver.send(Plans.seed001().sampleRatio("srm", 1_000).runningAtBeta());
        firstExposed("on", 90);
        firstExposed("off", 10);

        GuardrailReading reading = read();

        assertThat(reading.getVerdict()).isEqualTo(GuardrailVerdict.INSUFFICIENT);
        assertThat(reading.getSummary()).isEqualTo("sample ratio: 100 users first exposed since step beta started, needs 1,000");
    }
}
