package io.flagplane.projection.guardrails;

import static io.flagplane.projection.guardrails.Plans.STEP_STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.GuardrailReading;
import io.flagplane.avro.GuardrailVerdict;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** NO_TRAFFIC guardrails through the whole topology: a step that sees no exposures. */
class NoTrafficTopologyTest {

    private final GuardrailDriver driver = new GuardrailDriver();

    @AfterEach
    void close() {
        driver.close();
    }

    private GuardrailReading readAt(Duration intoTheStep) {
        driver.clock.set(STEP_STARTED.plus(intoTheStep));
        return driver.signal().getReadings().get(0);
    }

    @Test
    void a_step_with_no_exposures_for_a_whole_window_breaches() {
        driver.send(Plans.seed001().noTraffic("traffic", 300).runningAtBeta());

        GuardrailReading reading = readAt(Duration.ofMinutes(10));

        assertThat(reading.getVerdict()).isEqualTo(GuardrailVerdict.BREACHED);
        assertThat(reading.getSummary()).isEqualTo("no exposures for 5 min");
    }

    @Test
    void a_step_younger_than_the_window_is_given_time() {
        driver.send(Plans.seed001().noTraffic("traffic", 300).runningAtBeta());

        GuardrailReading reading = readAt(Duration.ofMinutes(2));

        assertThat(reading.getVerdict()).isEqualTo(GuardrailVerdict.INSUFFICIENT);
        assertThat(reading.getSummary()).isEqualTo("no exposures yet; step beta started 2 min ago, 5 min allowed");
    }

    @Test
    void one_exposure_inside_the_window_is_traffic() {
        driver.send(Plans.seed001().noTraffic("traffic", 300).runningAtBeta());
        driver.send(Plans.exposure("u1", "on", STEP_STARTED.plus(Duration.ofMinutes(8))));

        GuardrailReading reading = readAt(Duration.ofMinutes(10));

        assertThat(reading.getVerdict()).isEqualTo(GuardrailVerdict.HEALTHY);
        assertThat(reading.getSummary()).isEqualTo("1 user exposed over 5 min");
    }

    @Test
    void exposures_from_before_the_step_or_the_window_are_not_traffic() {
        driver.send(Plans.seed001().noTraffic("traffic", 300).runningAtBeta());
        driver.send(Plans.exposure("before-the-step", "off", STEP_STARTED.minus(Duration.ofMinutes(1))));
        driver.send(Plans.exposure("before-the-window", "on", STEP_STARTED.plus(Duration.ofMinutes(2))));

        GuardrailReading reading = readAt(Duration.ofMinutes(10));

        assertThat(reading.getVerdict()).isEqualTo(GuardrailVerdict.BREACHED);
    }
}
