package io.flagplane.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.avro.ActorKind;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.PlanPaused;
import io.flagplane.contract.FlagStateFold;
import io.flagplane.contract.RolloutPlanFold;
import io.flagplane.testkit.http.Api;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Rollout plans through HTTP against the real broker: a plan drafted from seed 001's preset,
 * edited, started, paused, resumed and rolled back by hand; what lands on the log (one change set
 * per move, the actor from the credentials); a kill that pauses the plan in its own change set;
 * the flag routes' conventions (If-Match, roles, 4xx with a code and a field, nothing written);
 * and a protected flag, where a plan is drafted and started only through an approved change
 * request. The rules are proven case by case in PlanDeciderTest and PlanValidationTest; the
 * controller in ReleaseControllerIT.
 */
@ExtendWith(SharedTestStack.class)
class PlanIT {

    private static final String ENV = "/api/v1/environments/production";
    private static final String FLAGS = ENV + "/flags";
    private static final String PLANS = ENV + "/plans";
    private static final String PLAN = PLANS + "/action-plan-rollout";
    private static final String FLAG = "action_plan.customization";
    /** Seed 001's preset, held a day per step at least, so the controller leaves the plan to the test. */
    private static final String SEED_001 = "{\"key\":\"action-plan-rollout\",\"description\":\"seed 001\",\"flagKeys\":[\"" + FLAG
            + "\"],\"preset\":\"seed-001\",\"presetParameters\":{\"internalUsers\":[\"1\",\"2\",\"3\"]},\"guardrails\":[{\"name\":"
            + "\"error-rate\",\"kind\":\"threshold\",\"eventKey\":\"http_error\",\"perEventKey\":\"request\",\"limit\":0.05}]}";

    private CommandServiceFixture fixture;
    private Api alice;   // admin
    private Api bob;     // production editor

    @BeforeEach
    void start(TestStack stack) {
        fixture = new CommandServiceFixture(stack, "plans");
        alice = fixture.admin();
        bob = fixture.api(fixture.tokens.editor());
        ok(alice.post(FLAGS, "{\"key\":\"" + FLAG + "\",\"type\":\"boolean\",\"tags\":[\"actions\"]}"));
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private static JsonNode ok(Api.Response response) {
        assertThat(response.status()).as(response.raw()).isBetween(200, 201);
        return response.body();
    }

    private static Api.Response refused(Api.Response response, int status, String code, String field) {
        assertThat(response.status()).as(response.raw()).isEqualTo(status);
        assertThat(response.errorCode()).as(response.raw()).isEqualTo(code);
        assertThat(response.errorField()).as(response.raw()).isEqualTo(field);
        return response;
    }

    @Test
    void a_preset_plan_is_drafted_edited_started_paused_resumed_and_rolled_back_by_hand() {
        Api.Response created = bob.post(PLANS, SEED_001);
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        assertThat(created.headers().get("location")).isEqualTo(PLAN);
        JsonNode plan = created.body().get("plan");
        assertThat(plan.get("status").asText()).isEqualTo("DRAFT");
        assertThat(plan.get("definition").get("preset").asText()).isEqualTo("seed-001");
        assertThat(plan.get("definition").get("steps")).extracting(s -> s.get("name").asText())
                .containsExactly("internal", "beta", "expanded", "general");
        assertThat(plan.get("definition").get("steps").get(1).get("commands").get(0).get("rules").get(0).get("conditions").get(0)
                .get("values").toString()).as("the preset's commands are visible").isEqualTo("[\"pro\",\"enterprise\"]");

        Api.Response read = alice.get(PLAN);
        assertThat(read.headers().get("etag")).isEqualTo("\"1\"");
        assertThat(alice.get(PLANS + "?status=draft").body().get("plans")).hasSize(1);
        assertThat(alice.get(PLANS + "?status=running").body().get("plans")).isEmpty();

        JsonNode edit = read.body().get("definition").deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) edit).put("description", "seed 001, edited");
        refused(bob.with("If-Match", "\"7\"").put(PLAN, edit.toString()), 409, "VERSION_CONFLICT", "expectedVersion");
        assertThat(ok(bob.with("If-Match", "\"1\"").put(PLAN, edit.toString())).get("plan").get("definition").get("description")
                .asText()).isEqualTo("seed 001, edited");

        JsonNode started = ok(bob.post(PLAN + "/start", "{\"reason\":\"seed 001 day 1\"}"));
        assertThat(started.get("plan").get("status").asText()).isEqualTo("RUNNING");
        assertThat(started.get("plan").get("currentStepName").asText()).isEqualTo("internal");
        assertThat(started.get("changes")).extracting(c -> c.get("kind").asText()).startsWith("plan", "flag", "plan");
        JsonNode flag = alice.get(FLAGS + "/" + FLAG).body();
        assertThat(flag.get("plan").asText()).isEqualTo("action-plan-rollout");
        assertThat(flag.get("enabled").asBoolean()).isTrue();
        assertThat(flag.get("allowList").get(0).get("keys").toString()).isEqualTo("[\"1\",\"2\",\"3\"]");

        refused(bob.post(PLAN + "/approve", ""), 409, "INVALID_STATE", null);
        assertThat(ok(bob.post(PLAN + "/pause", "{\"reason\":\"support tickets\"}")).get("plan").get("statusReason").asText())
                .isEqualTo("paused by bob@example.com: support tickets");
        assertThat(ok(bob.post(PLAN + "/resume", "")).get("plan").get("status").asText()).isEqualTo("RUNNING");
        JsonNode rolledBack = ok(bob.post(PLAN + "/rollback", "{\"reason\":\"seed 001 rollback\"}"));
        assertThat(rolledBack.get("plan").get("status").asText()).isEqualTo("ROLLED_BACK");
        assertThat(rolledBack.get("plan").get("statusReason").asText()).isEqualTo("rolled back by bob@example.com: seed 001 rollback");
        flag = alice.get(FLAGS + "/" + FLAG).body();
        assertThat(flag.get("enabled").asBoolean()).as("restored as before the plan").isFalse();
        assertThat(flag.get("allowList")).isEmpty();
        assertThat(flag.has("plan")).isFalse();
        refused(bob.post(PLAN + "/resume", ""), 409, "INVALID_STATE", null);

        List<FlagEvent> events = fixture.events(1);
        FlagEvent start = events.stream().filter(e -> FlagStateFold.typeOf(e).equals("PlanStarted")).findFirst().orElseThrow();
        List<String> startSet = events.stream().filter(e -> Objects.equals(e.getChangeSetId(), start.getChangeSetId()))
                .sorted(java.util.Comparator.comparing(FlagEvent::getChangeSetIndex)).map(FlagStateFold::typeOf).toList();
        assertThat(startSet).as("the flag had no rules to clear").containsExactly("PlanStarted", "FlagPlanSet", "PlanStepStarted",
                "RolloutChanged", "TargetsChanged", "FlagEnabled");
        assertThat(events.stream().filter(RolloutPlanFold::isPlanEvent).map(e -> FlagStateFold.typeOf(e) + " by " + e.getActor().getId()))
                .containsExactly("PlanCreated by bob@example.com", "PlanUpdated by bob@example.com", "PlanStarted by bob@example.com",
                        "PlanStepStarted by bob@example.com", "PlanPaused by bob@example.com", "PlanResumed by bob@example.com",
                        "PlanRolledBack by bob@example.com");
        assertThat(start.getReason()).isEqualTo("seed 001 day 1");
    }

    @Test
    void a_kill_is_never_blocked_by_a_plan_and_pauses_it_in_the_kills_own_change_set() {
        ok(bob.post(PLANS, SEED_001));
        ok(bob.post(PLAN + "/start", ""));

        JsonNode killed = ok(bob.post(FLAGS + "/" + FLAG + "/kill", "{\"reason\":\"error rate above 5 %\"}"));

        assertThat(killed.get("flag").get("killed").asBoolean()).isTrue();
        JsonNode plan = alice.get(PLAN).body();
        assertThat(plan.get("status").asText()).isEqualTo("PAUSED");
        assertThat(plan.get("statusReason").asText()).isEqualTo("flag action_plan.customization was killed");
        List<FlagEvent> events = fixture.events(1);
        FlagEvent pause = events.stream().filter(e -> e.getPayload() instanceof PlanPaused).findFirst().orElseThrow();
        FlagEvent kill = events.stream().filter(e -> FlagStateFold.typeOf(e).equals("FlagKilled")).findFirst().orElseThrow();
        assertThat(pause.getChangeSetId()).as("one transaction, one change set").isNotNull().isEqualTo(kill.getChangeSetId());
        assertThat(pause.getReason()).isEqualTo("error rate above 5 %");
        refused(bob.post(PLAN + "/resume", ""), 409, "INVALID_STATE", null);
        ok(bob.post(FLAGS + "/" + FLAG + "/revive", ""));
        assertThat(ok(bob.post(PLAN + "/resume", "")).get("plan").get("status").asText()).isEqualTo("RUNNING");
    }

    @Test
    void bad_requests_get_a_code_and_a_field_and_write_nothing() {
        refused(bob.post(PLANS, "{\"key\":\"p\",\"flagKeys\":[\"" + FLAG + "\"],\"steps\":[{\"name\":\"a\",\"commands\":[{\"action\":"
                + "\"setRollout\",\"flag\":\"" + FLAG + "\",\"percentage\":150}]}]}"), 422, "INVALID_FIELD", "steps[0].commands[0].percentage");
        refused(bob.post(PLANS, "{\"key\":\"p\",\"tag\":\"nothing\",\"preset\":\"seed-002-percent\"}"), 404, "NO_MATCHING_FLAGS", "tag");
        refused(bob.post(PLANS, "{\"key\":\"p\",\"flagKeys\":[\"" + FLAG + "\"],\"preset\":\"seed-001\"}"), 422, "INVALID_FIELD",
                "presetParameters.internalUsers");
        refused(bob.post(PLANS, "{\"key\":\"p\",\"flagKeys\":[\"" + FLAG + "\"],\"preset\":\"seed-002-percent\",\"guardrails\":"
                + "[{\"name\":\"x\",\"kind\":\"threshold\",\"limit\":0.05}]}"), 422, "INVALID_FIELD", "guardrails[0].eventKey");
        refused(bob.post(PLANS, "not json"), 400, "MALFORMED_REQUEST", null);
        refused(bob.get(PLANS + "/ghost"), 404, "PLAN_NOT_FOUND", null);
        refused(bob.post(PLANS + "/ghost/start", ""), 404, "PLAN_NOT_FOUND", null);
        refused(bob.get(PLANS + "?status=finished"), 422, "INVALID_FIELD", "status");
        refused(fixture.api(fixture.tokens.viewer()).post(PLANS, SEED_001), 403, "FORBIDDEN", null);
        ok(bob.post(PLANS, SEED_001));
        refused(bob.post(PLANS, SEED_001), 409, "PLAN_ALREADY_EXISTS", "key");
        refused(bob.post(PLAN + "/approve", "{\"step\":-1}"), 422, "INVALID_FIELD", "step");
        refused(fixture.api(fixture.tokens.ci()).post(PLAN + "/approve", ""), 409, "INVALID_STATE", null);

        List<FlagEvent> events = fixture.events(2);
        assertThat(events.stream().filter(RolloutPlanFold::isPlanEvent)).as("only the one plan created").hasSize(1);
    }

    @Test
    void on_a_protected_flag_a_plan_is_drafted_and_started_through_an_approved_change_request_and_then_runs_as_system() {
        ok(alice.put(ENV + "/approval-policy", "{\"requiredApprovals\":1,\"approverRole\":\"editor\",\"tags\":[\"actions\"]}"));

        Api.Response direct = bob.post(PLANS, SEED_001);
        refused(direct, 403, "CHANGE_REQUEST_REQUIRED", null);
        assertThat(direct.body().get("error").get("message").asText()).contains("rollout plan 'action-plan-rollout'", "change-requests");

        String commands = "[{\"action\":\"createPlan\",\"key\":\"action-plan-rollout\",\"tag\":\"actions\",\"preset\":\"seed-002-percent\","
                + "\"presetParameters\":{\"manualApproval\":false,\"holdSeconds\":{\"1-percent\":0}}},"
                + "{\"action\":\"startPlan\",\"plan\":\"action-plan-rollout\"}]";
        JsonNode opened = ok(alice.post(ENV + "/change-requests", "{\"title\":\"Ramp the action plans\",\"reason\":\"seed 002\","
                + "\"submit\":true,\"commands\":" + commands + "}"));
        JsonNode held = opened.get("changeRequest").get("commands");
        assertThat(held.get(0).get("flagKeys").toString()).as("the tag, resolved when the request was opened").isEqualTo("[\"" + FLAG + "\"]");
        assertThat(held.get(0).get("steps")).as("the preset's steps, explicit for the reviewer").hasSize(4);
        assertThat(held.get(0).has("presetParameters")).isFalse();
        String request = ENV + "/change-requests/" + opened.get("changeRequest").get("id").asText();
        ok(bob.post(request + "/approve", "{\"comment\":\"ramp it\"}"));

        JsonNode applied = ok(alice.post(request + "/apply", ""));
        assertThat(applied.get("changes")).extracting(c -> c.get("kind").asText()).contains("change-request", "plan", "flag");

        // 1-percent holds 0 s and needs no go: the controller moves on by itself, as SYSTEM, without another approval
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                .until(() -> alice.get(PLAN).body().get("currentStep").asInt() == 1);
        List<FlagEvent> events = fixture.events(1);
        FlagEvent advanced = events.stream().filter(e -> FlagStateFold.typeOf(e).equals("PlanStepStarted")
                && ((io.flagplane.avro.PlanStepStarted) e.getPayload()).getStep() == 1).findFirst().orElseThrow();
        assertThat(advanced.getActor().getKind()).isEqualTo(ActorKind.SYSTEM);
        assertThat(advanced.getActor().getId()).isEqualTo("release-controller");
        assertThat(advanced.getPolicyBypassed()).isFalse();
        FlagEvent started = events.stream().filter(e -> FlagStateFold.typeOf(e).equals("PlanStarted")).findFirst().orElseThrow();
        assertThat(started.getActor().getId()).as("the person who applied the request").isEqualTo("alice@example.com");
    }
}
