package io.flagplane.command;

import io.flagplane.testkit.MovableClock;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.avro.ActorKind;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.GuardrailVerdict;
import io.flagplane.avro.PlanRolledBack;
import io.flagplane.avro.PlanStepStarted;
import io.flagplane.contract.FlagStateFold;
import io.flagplane.contract.RolloutPlanFold;
import io.flagplane.testkit.http.Api;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The release controller in a real command-service on a controllable clock, reading verdicts the
 * test publishes to the real {@code release-signals} topic: seed 001's plan runs from internal to
 * general by itself when healthy, and rolls back at beta with the breach as the reason when the new
 * variant fails 7 % of requests; seed 000's four phases move only with a person's go.
 */
@ExtendWith(SharedTestStack.class)
class ReleaseControllerIT {

    private static final String ENV = "/api/v1/environments/production";
    private static final String FLAGS = ENV + "/flags";
    private static final String PLANS = ENV + "/plans";
    private static final String FLAG = "action_plan.customization";
    private static final Instant T0 = Instant.parse("2026-12-01T09:00:00Z");
    private static final String BREACH = "http_error rate 7.2 % > 5 % over 10 min on variant on";

    private final MovableClock clock = new MovableClock(T0);
    private CommandServiceFixture fixture;
    private SignalPublisher signals;
    private Api alice;
    private Api bob;

    @BeforeEach
    void start(TestStack stack) {
        fixture = new CommandServiceFixture(stack, "release", Map.of(), clock);
        signals = new SignalPublisher(stack, fixture.topics.releaseSignals());
        alice = fixture.admin();
        bob = fixture.api(fixture.tokens.editor());
    }

    @AfterEach
    void stop() {
        signals.close();
        fixture.close();
    }

    private static JsonNode ok(Api.Response response) {
        assertThat(response.status()).as(response.raw()).isBetween(200, 201);
        return response.body();
    }

    private JsonNode plan(String key) {
        return alice.get(PLANS + "/" + key).body();
    }

    private void awaitPlan(String key, String what, java.util.function.Predicate<JsonNode> condition) {
        Awaitility.await(what).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> condition.test(plan(key)));
    }

    /** Seed 001's plan on {@link #FLAG}, with seed 000's error-rate guardrail (> 5 % rolls back), started at T0 by bob. */
    private void startSeed001() {
        ok(alice.post(FLAGS, "{\"key\":\"" + FLAG + "\",\"type\":\"boolean\"}"));
        ok(bob.post(PLANS, "{\"key\":\"action-plan\",\"flagKeys\":[\"" + FLAG + "\"],\"preset\":\"seed-001\",\"presetParameters\":"
                + "{\"internalUsers\":[\"1\",\"2\",\"3\"]},\"guardrails\":[{\"name\":\"error-rate\",\"kind\":\"threshold\",\"eventKey\":"
                + "\"http_error\",\"perEventKey\":\"request\",\"limit\":0.05,\"windowSeconds\":600}]}"));
        ok(bob.post(PLANS + "/action-plan/start", "{\"reason\":\"deploy internal\"}"));
    }

    /** Moves the clock to the end of the current step's hold and publishes a verdict for the step. */
    private void holdAndReport(GuardrailVerdict verdict, String summary) {
        JsonNode plan = plan("action-plan");
        JsonNode step = plan.get("definition").get("steps").get(plan.get("currentStep").asInt());
        clock.set(Instant.parse(plan.get("stepStartedAt").asText()).plusSeconds(step.get("holdSeconds").asLong()));
        signals.publish("production", plan, verdict, summary, clock.instant(), Map.of("on", 2_000L, "off", 3_000L));
    }

    @Test
    void seed_001_runs_from_internal_to_general_by_itself_when_healthy() {
        startSeed001();

        for (int step = 0; step < 3; step++) {
            holdAndReport(GuardrailVerdict.HEALTHY, "http_error rate 0.4 % <= 5 % over 10 min on variant on");
            int next = step + 1;
            awaitPlan("action-plan", "step " + next, p -> p.get("currentStep").asInt() == next);
        }
        holdAndReport(GuardrailVerdict.HEALTHY, "http_error rate 0.3 % <= 5 % over 10 min on variant on");
        awaitPlan("action-plan", "completed", p -> p.get("status").asText().equals("COMPLETED"));

        JsonNode flag = alice.get(FLAGS + "/" + FLAG).body();
        assertThat(flag.get("rules")).isEmpty();
        assertThat(flag.get("fallthrough").get("split").get(0).get("weight").decimalValue()).isEqualByComparingTo("100");
        assertThat(flag.has("plan")).as("the marker is cleared").isFalse();
        List<FlagEvent> events = fixture.events(1).stream().filter(RolloutPlanFold::isPlanEvent).toList();
        assertThat(events.stream().map(e -> FlagStateFold.typeOf(e) + " by " + e.getActor().getId())).containsExactly(
                "PlanCreated by bob@example.com", "PlanStarted by bob@example.com", "PlanStepStarted by bob@example.com",
                "PlanStepStarted by release-controller", "PlanStepStarted by release-controller",
                "PlanStepStarted by release-controller", "PlanCompleted by release-controller");
        FlagEvent beta = events.get(3);
        assertThat(beta.getOccurredAt()).as("on the service's clock").isEqualTo(T0.plus(Duration.ofDays(3)));
        assertThat(beta.getReason()).isEqualTo("release controller: step internal passed its gates (held 3 d (needs 3 d);"
                + " error-rate: http_error rate 0.4 % <= 5 % over 10 min on variant on); starting step beta");
        String metrics = alice.get("/metrics").raw();
        assertThat(metrics).contains("flagplane_plan_steps_started_total 4.0", "flagplane_plans{status=\"completed\"} 1.0");
    }

    @Test
    void seed_001_rolls_back_at_beta_when_the_new_variant_fails_7_percent_of_requests() {
        startSeed001();
        holdAndReport(GuardrailVerdict.HEALTHY, "http_error rate 0.4 % <= 5 % over 10 min on variant on");
        awaitPlan("action-plan", "beta", p -> p.get("currentStepName").asText().equals("beta"));

        clock.advance(Duration.ofMinutes(12));
        signals.publish("production", plan("action-plan"), GuardrailVerdict.BREACHED, BREACH, clock.instant(), Map.of("on", 480L));
        awaitPlan("action-plan", "rolled back", p -> p.get("status").asText().equals("ROLLED_BACK"));

        JsonNode plan = plan("action-plan");
        assertThat(plan.get("statusReason").asText()).isEqualTo("step beta: error-rate: " + BREACH + "; rolled back (RESTORE)");
        JsonNode flag = alice.get(FLAGS + "/" + FLAG).body();
        assertThat(flag.get("enabled").asBoolean()).as("as before the plan: off for everyone").isFalse();
        assertThat(flag.get("rules")).isEmpty();
        assertThat(flag.get("allowList")).isEmpty();
        FlagEvent rolledBack = fixture.events(1).stream().filter(e -> e.getPayload() instanceof PlanRolledBack).findFirst().orElseThrow();
        assertThat(rolledBack.getActor().getKind()).isEqualTo(ActorKind.SYSTEM);
        assertThat(((PlanRolledBack) rolledBack.getPayload()).getStep()).isEqualTo(1);
        assertThat(((PlanRolledBack) rolledBack.getPayload()).getGuardrail()).isEqualTo("error-rate");
        String metrics = alice.get("/metrics").raw();
        assertThat(metrics).contains("flagplane_plan_rollbacks_total{trigger=\"guardrail\"} 1.0",
                "flagplane_plan_breaches_total{action=\"rollback\"} 1.0");
    }

    @Test
    void seed_000s_phases_move_only_with_a_persons_go_at_each_step() {
        for (String key : List.of("charges.engine", "charges.ui", "referrer.fuzzy", "auto_compute.charges")) {
            ok(alice.post(FLAGS, "{\"key\":\"" + key + "\",\"type\":\"boolean\",\"tags\":[\"charges\"]}"));
        }
        ok(bob.post(PLANS, "{\"key\":\"charges\",\"tag\":\"charges\",\"preset\":\"seed-000-roles\"}"));
        ok(bob.post(PLANS + "/charges/start", "{\"reason\":\"OP-02 phase 1\"}"));
        List<String> phases = List.of("pilot", "finance", "broader-org", "fuzzy-match");

        for (int phase = 0; phase < phases.size(); phase++) {
            JsonNode plan = plan("charges");
            assertThat(plan.get("currentStepName").asText()).isEqualTo(phases.get(phase));
            clock.set(Instant.parse(plan.get("stepStartedAt").asText()).plus(Duration.ofDays(7)));
            awaitPlan("charges", "waiting at " + phases.get(phase), p -> p.get("awaitingApproval").asBoolean());
            clock.advance(Duration.ofHours(4));   // nobody said go yet: it keeps waiting, and says so once
            assertThat(plan("charges").get("currentStep").asInt()).isEqualTo(phase);
            ok(bob.post(PLANS + "/charges/approve", "{\"comment\":\"OP-02 go\"}"));
            int next = phase + 1;
            awaitPlan("charges", "after the go at " + phases.get(phase), p -> next == phases.size()
                    ? p.get("status").asText().equals("COMPLETED") : p.get("currentStep").asInt() == next);
        }

        JsonNode fuzzy = alice.get(FLAGS + "/referrer.fuzzy").body();
        assertThat(fuzzy.get("enabled").asBoolean()).isTrue();
        assertThat(fuzzy.get("rules").get(0).get("conditions").get(0).get("values").toString()).isEqualTo("[\"admin\"]");
        JsonNode ui = alice.get(FLAGS + "/charges.ui").body();
        assertThat(ui.get("rules").get(0).get("conditions").get(0).get("values").toString())
                .isEqualTo("[\"finance\",\"ops\",\"manager\",\"admin\"]");
        List<FlagEvent> events = fixture.events(1);
        assertThat(events.stream().filter(e -> FlagStateFold.typeOf(e).equals("PlanStepAwaitingApproval"))).hasSize(4)
                .allSatisfy(e -> assertThat(e.getActor().getId()).isEqualTo("release-controller"));
        assertThat(events.stream().filter(e -> FlagStateFold.typeOf(e).equals("PlanStepApproved"))).hasSize(4)
                .allSatisfy(e -> assertThat(e.getActor().getId()).isEqualTo("bob@example.com"));
        assertThat(events.stream().filter(e -> e.getPayload() instanceof PlanStepStarted s && s.getStep() > 0)).hasSize(3);
    }
}
