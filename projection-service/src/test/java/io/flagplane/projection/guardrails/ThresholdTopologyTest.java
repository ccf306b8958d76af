package io.flagplane.projection.guardrails;

import static io.flagplane.projection.guardrails.Plans.STEP_STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.GuardrailKind;
import io.flagplane.avro.GuardrailReading;
import io.flagplane.avro.GuardrailVerdict;
import io.flagplane.avro.PlanStatus;
import io.flagplane.avro.ReleaseSignal;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * THRESHOLD guardrails through the whole topology: plan events in, exposures and tracked events in,
 * a release signal out — seed 000's "error rate > 5 % for 10 minutes" as seed 001's plan runs its beta
 * step, with the treatment variant failing some share of requests.
 */
class ThresholdTopologyTest {

    private final GuardrailDriver driver = new GuardrailDriver();

    @AfterEach
    void close() {
        driver.close();
    }

    /**
     * {@code users} users on each variant, exposed a minute after the step started; each sends
     * {@code requestsEach} requests between minutes 11 and 19 of the step, and the first
     * {@code failing} requests of a variant (counted over all its users) also send {@code http_error}.
     */
    private void traffic(String variant, int users, int requestsEach, int failing, Instant from) {
        int sent = 0;
        for (int u = 0; u < users; u++) {
            String user = variant + "-user-" + u;
            driver.send(Plans.exposure(user, variant, STEP_STARTED.plusSeconds(60)));
            for (int r = 0; r < requestsEach; r++) {
                Instant at = from.plusMillis((u * requestsEach + r) * 97L % 480_000);
                driver.send(Plans.event(user, "request", at));
                if (sent++ < failing) {
                    driver.send(Plans.event(user, "http_error", at.plusMillis(5)));
                }
            }
        }
    }

    private static GuardrailReading reading(ReleaseSignal signal, String name) {
        return signal.getReadings().stream().filter(r -> r.getGuardrail().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void the_treatment_failing_7_percent_of_requests_breaches_a_5_percent_threshold_per_request() {
        driver.send(Plans.seed001().threshold("error-rate", "http_error", "request", 0.05, 600, 100).runningAtBeta());
        Instant window = STEP_STARTED.plus(Duration.ofMinutes(11));
        traffic("on", 200, 5, 72, window);     // 72 of 1,000 requests fail: 7.2 %
        traffic("off", 100, 5, 5, window);     // 1 %
        driver.clock.set(STEP_STARTED.plus(Duration.ofMinutes(20)));

        ReleaseSignal signal = driver.signal();

        GuardrailReading errors = reading(signal, "error-rate");
        assertThat(errors.getKind()).isEqualTo(GuardrailKind.THRESHOLD);
        assertThat(errors.getVerdict()).isEqualTo(GuardrailVerdict.BREACHED);
        assertThat(errors.getObserved()).isEqualTo(0.072);
        assertThat(errors.getLimit()).isEqualTo(0.05);
        assertThat(errors.getSample()).isEqualTo(1_000);
        assertThat(errors.getSummary()).isEqualTo("http_error rate 7.2 % > 5 % over 10 min on variant on");
        assertThat(signal.getEnvironment()).isEqualTo(Plans.ENV);
        assertThat(signal.getPlanKey()).isEqualTo(Plans.PLAN);
        assertThat(signal.getStep()).isEqualTo(1);
        assertThat(signal.getStepStartedAt()).isEqualTo(STEP_STARTED);
        assertThat(signal.getEvaluatedAt()).isEqualTo(STEP_STARTED.plus(Duration.ofMinutes(20)));
        assertThat(signal.getExposedUsers()).isEqualTo(Map.of("on", 200L, "off", 100L));
        assertThat(driver.foldedPlan().getStatus()).isEqualTo(PlanStatus.RUNNING);
        assertThat(driver.fold.rejected()).isZero();
        assertThat(driver.experiments.refused()).as("plan exposures are the guardrails', not refused by the experiments").isZero();
    }

    @Test
    void the_treatment_failing_4_percent_is_healthy_and_the_control_is_not_what_is_measured() {
        driver.send(Plans.seed001().threshold("error-rate", "http_error", "request", 0.05, 600, 100).runningAtBeta());
        Instant window = STEP_STARTED.plus(Duration.ofMinutes(11));
        traffic("on", 200, 5, 40, window);     // 4 %
        traffic("off", 100, 5, 100, window);   // 20 % on the control: not the treatment
        driver.clock.set(STEP_STARTED.plus(Duration.ofMinutes(20)));

        GuardrailReading errors = reading(driver.signal(), "error-rate");

        assertThat(errors.getVerdict()).isEqualTo(GuardrailVerdict.HEALTHY);
        assertThat(errors.getSummary()).isEqualTo("http_error rate 4 % <= 5 % over 10 min on variant on");
    }

    @Test
    void errors_before_the_window_do_not_count() {
        driver.send(Plans.seed001().threshold("error-rate", "http_error", "request", 0.05, 600, 100).runningAtBeta());
        traffic("on", 100, 5, 500, STEP_STARTED.plus(Duration.ofMinutes(1)));   // every request failed, 19 to 11 minutes ago
        traffic("on-later", 0, 0, 0, STEP_STARTED);
        for (int u = 0; u < 100; u++) {
            for (int r = 0; r < 2; r++) {
                driver.send(Plans.event("on-user-" + u, "request", STEP_STARTED.plus(Duration.ofMinutes(15)).plusSeconds(r)));
            }
        }
        driver.clock.set(STEP_STARTED.plus(Duration.ofMinutes(20)).plusSeconds(30));

        GuardrailReading errors = reading(driver.signal(), "error-rate");

        assertThat(errors.getVerdict()).isEqualTo(GuardrailVerdict.HEALTHY);
        assertThat(errors.getSample()).isEqualTo(200);
        assertThat(errors.getSummary()).isEqualTo("http_error rate 0 % <= 5 % over 10 min on variant on");
    }

    @Test
    void below_the_minimum_sample_it_is_insufficient_whatever_the_rate() {
        driver.send(Plans.seed001().threshold("error-rate", "http_error", "request", 0.05, 600, 1_000).runningAtBeta());
        traffic("on", 20, 5, 50, STEP_STARTED.plus(Duration.ofMinutes(11)));   // half the requests fail, but only 100 of them
        driver.clock.set(STEP_STARTED.plus(Duration.ofMinutes(20)));

        GuardrailReading errors = reading(driver.signal(), "error-rate");

        assertThat(errors.getVerdict()).isEqualTo(GuardrailVerdict.INSUFFICIENT);
        assertThat(errors.getSummary()).isEqualTo("http_error rate 50 % over 10 min on variant on: 100 request events, needs 1,000");
    }

    @Test
    void per_exposed_user_the_rate_is_the_share_of_the_variants_active_users_who_sent_the_event() {
        driver.send(Plans.seed001().threshold("error-users", "http_error", null, 0.05, 600, 50).runningAtBeta());
        traffic("on", 100, 1, 10, STEP_STARTED.plus(Duration.ofMinutes(11)));   // 10 of 100 users see an error
        driver.send(Plans.event("on-user-0", "http_error", STEP_STARTED.plus(Duration.ofMinutes(12))));   // a second one: still one user
        driver.clock.set(STEP_STARTED.plus(Duration.ofMinutes(20)));

        GuardrailReading errors = reading(driver.signal(), "error-users");

        assertThat(errors.getVerdict()).isEqualTo(GuardrailVerdict.BREACHED);
        assertThat(errors.getSample()).isEqualTo(100);
        assertThat(errors.getSummary()).isEqualTo("http_error rate 10 % of users > 5 % over 10 min on variant on");
    }

    @Test
    void a_lower_is_worse_rate_breaches_below_its_limit() {
        driver.send(Plans.seed001().guardrail(io.flagplane.avro.Guardrail.newBuilder().setName("checkouts")
                .setKind(GuardrailKind.THRESHOLD).setEventKey("checkout").setPerEventKey("request").setLimit(0.2)
                .setHigherIsWorse(false).build()).runningAtBeta());
        for (int u = 0; u < 10; u++) {
            driver.send(Plans.exposure("u" + u, "on", STEP_STARTED.plusSeconds(30)));
            driver.send(Plans.event("u" + u, "request", STEP_STARTED.plusSeconds(60)));
        }
        driver.send(Plans.event("u0", "checkout", STEP_STARTED.plusSeconds(61)));
        driver.clock.set(STEP_STARTED.plus(Duration.ofMinutes(5)));

        GuardrailReading checkouts = reading(driver.signal(), "checkouts");

        assertThat(checkouts.getVerdict()).isEqualTo(GuardrailVerdict.BREACHED);
        assertThat(checkouts.getSummary()).isEqualTo("checkout rate 10 % < 20 % since the step started (5 min) on variant on");
    }
}
