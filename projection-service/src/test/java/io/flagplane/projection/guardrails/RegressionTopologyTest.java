package io.flagplane.projection.guardrails;

import static io.flagplane.projection.guardrails.Plans.STEP_STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.GuardrailReading;
import io.flagplane.avro.GuardrailVerdict;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** REGRESSION guardrails through the whole topology: the treatment's per-user rate against the control's, always-valid. */
class RegressionTopologyTest {

    private final GuardrailDriver driver = new GuardrailDriver();

    @AfterEach
    void close() {
        driver.close();
    }

    /** {@code users} users on the variant, each exposed and sending a request; the first {@code failing} also an error. */
    private void users(String variant, int users, int failing) {
        for (int u = 0; u < users; u++) {
            String user = variant + "-" + u;
            driver.send(Plans.exposure(user, variant, STEP_STARTED.plusSeconds(10 + u % 300)));
            driver.send(Plans.event(user, "request", STEP_STARTED.plusSeconds(20 + u % 300)));
            if (u < failing) {
                driver.send(Plans.event(user, "http_error", STEP_STARTED.plusSeconds(21 + u % 300)));
            }
        }
    }

    private GuardrailReading read() {
        driver.clock.set(STEP_STARTED.plus(Duration.ofMinutes(30)));
        return driver.signal().getReadings().get(0);
    }

    @Test
    void a_treatment_clearly_worse_than_the_control_by_more_than_the_tolerance_breaches() {
        driver.send(Plans.seed001().regression("errors-vs-control", "http_error", 0.01, 500).runningAtBeta());
        users("on", 2_000, 160);    // 8 %
        users("off", 2_000, 40);    // 2 %

        GuardrailReading reading = read();

        assertThat(reading.getVerdict()).isEqualTo(GuardrailVerdict.BREACHED);
        assertThat(reading.getObserved()).isCloseTo(0.06, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(reading.getSample()).isEqualTo(2_000);
        assertThat(reading.getSummary()).startsWith("http_error rate 8 % of users on variant on vs 2 % on off since step beta started: variant on worse by ")
                .endsWith("points (always-valid 95 % interval), more than the 1 point tolerated");
    }

    @Test
    void equal_rates_with_enough_users_are_healthy_within_the_tolerance() {
        driver.send(Plans.seed001().regression("errors-vs-control", "http_error", 0.02, 500).runningAtBeta());
        users("on", 2_000, 40);
        users("off", 2_000, 40);

        GuardrailReading reading = read();

        assertThat(reading.getVerdict()).isEqualTo(GuardrailVerdict.HEALTHY);
        assertThat(reading.getSummary()).contains("within the 2 points tolerated");
    }

    @Test
    void a_small_sample_is_undecided_however_far_apart_the_rates_are() {
        driver.send(Plans.seed001().regression("errors-vs-control", "http_error", 0.01, 500).runningAtBeta());
        users("on", 100, 50);
        users("off", 100, 0);

        GuardrailReading reading = read();

        assertThat(reading.getVerdict()).isEqualTo(GuardrailVerdict.INSUFFICIENT);
        assertThat(reading.getSummary()).isEqualTo("http_error rate 50 % of users on variant on vs 0 % on off since step beta started: "
                + "100 users on variant on and 100 on off, needs 500 each");
    }

    @Test
    void an_always_valid_interval_that_straddles_the_tolerance_is_not_yet_decided() {
        driver.send(Plans.seed001().regression("errors-vs-control", "http_error", 0.01, 100).runningAtBeta());
        users("on", 600, 24);    // 4 %
        users("off", 600, 18);   // 3 %

        GuardrailReading reading = read();

        assertThat(reading.getVerdict()).isEqualTo(GuardrailVerdict.INSUFFICIENT);
        assertThat(reading.getSummary()).contains("not yet decided against the 1 point tolerated");
    }

    @Test
    void a_step_that_serves_everyone_the_treatment_has_no_control_to_compare_with_and_passes() {
        driver.send(Plans.seed001().regression("errors-vs-control", "http_error", 0.01, 100).runningAtBeta());
        users("on", 300, 3);

        GuardrailReading reading = read();

        assertThat(reading.getVerdict()).isEqualTo(GuardrailVerdict.HEALTHY);
        assertThat(reading.getSummary()).isEqualTo("http_error not compared: no users on variant off since step beta started "
                + "(300 users on on)");
    }
}
