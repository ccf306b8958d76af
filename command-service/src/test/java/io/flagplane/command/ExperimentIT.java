package io.flagplane.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.avro.ActorKind;
import io.flagplane.avro.FlagEvent;
import io.flagplane.contract.FlagStateFold;
import io.flagplane.testkit.http.Api;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Experiments through HTTP against the real broker: seed 003's pricing test from draft to a winner,
 * what a running experiment refuses its flag and what it never refuses (a kill), and the flag
 * routes' conventions (If-Match, Idempotency-Key, roles, the approval gate, change sets and change
 * requests) on experiment commands. The rules themselves are proven case by case in
 * {@code ExperimentRulesTest}; this proves the routes, the status of each kind of refusal and what
 * lands on the log.
 */
@ExtendWith(SharedTestStack.class)
class ExperimentIT {

    private static final String ENV = "/api/v1/environments/production";
    private static final String FLAGS = ENV + "/flags";
    private static final String EXPERIMENTS = ENV + "/experiments";
    private static final String PRICING = EXPERIMENTS + "/pricing-display-test";
    private static final String PRICING_FLAG = FLAGS + "/experiment.pricing-display-test";

    private CommandServiceFixture fixture;
    private Api api;

    @BeforeEach
    void start(TestStack stack) {
        fixture = new CommandServiceFixture(stack, "experiments");
        api = fixture.admin();
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private static JsonNode ok(Api.Response response) {
        assertThat(response.status()).as(response.raw()).isBetween(200, 201);
        return response.body();
    }

    private static Api.Response refused(Api.Response response, int status, String code) {
        assertThat(response.status()).as(response.raw()).isEqualTo(status);
        assertThat(response.errorCode()).as(response.raw()).isEqualTo(code);
        return response;
    }

    @Test
    void seed_003s_pricing_display_test_runs_from_a_draft_to_a_winner_and_a_kill_works_while_it_runs() {
        Api.Response created = api.post(EXPERIMENTS, """
                {"key": "pricing-display-test", "description": "Test showing fees upfront vs at checkout",
                 "variants": [{"name": "control", "weight": 50}, {"name": "upfront-fees", "weight": 50}],
                 "reason": "seed 003"}""");
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        assertThat(created.headers().get("location")).isEqualTo(PRICING);
        assertThat(created.body().get("changeSetId").asText()).isNotEmpty();
        assertThat(created.body().get("version").asLong()).isEqualTo(2);
        JsonNode draft = created.body().get("experiment");
        assertThat(draft.get("status").asText()).isEqualTo("DRAFT");
        assertThat(draft.get("flagKey").asText()).isEqualTo("experiment.pricing-display-test");
        assertThat(draft.get("definition").get("primaryMetric").get("eventKey").asText()).isEqualTo("conversion");
        JsonNode flag = ok(api.get(PRICING_FLAG));
        assertThat(flag.get("enabled").asBoolean()).as("nobody gets a variant before the launch").isFalse();
        assertThat(flag.get("kind").asText()).isEqualTo("experiment");
        assertThat(flag.get("fallthrough").get("split").get(1).get("weight").decimalValue()).isEqualByComparingTo("50");
        assertThat(flag.get("experiments").get(0).get("key").asText()).isEqualTo("pricing-display-test");

        ok(api.put(PRICING, """
                {"description": "fees upfront", "primaryMetric": {"eventKey": "booking_confirmed", "kind": "conversion"},
                 "secondaryMetrics": [{"eventKey": "revenue", "kind": "value", "aggregation": "sum", "minimumSample": 500}]}"""));
        JsonNode launched = ok(api.post(PRICING + "/launch", "{\"reason\": \"go\"}")).get("experiment");
        assertThat(launched.get("status").asText()).isEqualTo("RUNNING");
        assertThat(launched.get("measuring").asBoolean()).isTrue();
        assertThat(launched.get("arms")).hasSize(2);
        assertThat(ok(api.get(PRICING_FLAG)).get("enabled").asBoolean()).as("the launch enabled the flag").isTrue();

        refused(api.put(PRICING, "{\"primaryMetric\": {\"eventKey\": \"x\", \"kind\": \"conversion\"}}"), 409, "EXPERIMENT_NOT_DRAFT");
        Api.Response ramp = refused(api.patch(PRICING_FLAG + "/rollout", "{\"percentage\": 90, \"variant\": \"upfront-fees\"}"), 409,
                "EXPERIMENT_RUNNING");
        assertThat(ramp.body().get("error").get("details")).extracting(JsonNode::asText).containsExactly("pricing-display-test");
        refused(api.post(PRICING_FLAG + "/archive", ""), 409, "EXPERIMENT_RUNNING");

        ok(api.post(PRICING_FLAG + "/kill", "{\"reason\": \"checkout errors\"}"));
        JsonNode killed = ok(api.get(PRICING));
        assertThat(killed.get("status").asText()).as("the experiment itself is untouched").isEqualTo("RUNNING");
        assertThat(killed.get("measuring").asBoolean()).as("but nothing is measured while killed").isFalse();
        ok(api.post(PRICING_FLAG + "/revive", ""));
        assertThat(ok(api.post(PRICING + "/pause", "")).get("experiment").get("status").asText()).isEqualTo("PAUSED");
        assertThat(ok(api.post(PRICING + "/resume", "")).get("experiment").get("measuring").asBoolean()).isTrue();

        Api.Response notAnArm = refused(api.post(PRICING + "/stop", "{\"winner\": \"nope\"}"), 422, "INVALID_FIELD");
        assertThat(notAnArm.errorField()).isEqualTo("winner");
        JsonNode stopped = ok(api.post(PRICING + "/stop", "{\"winner\": \"upfront-fees\", \"reason\": \"significant\"}")).get("experiment");
        assertThat(stopped.get("status").asText()).isEqualTo("STOPPED");
        assertThat(stopped.get("winner").asText()).isEqualTo("upfront-fees");
        assertThat(ok(api.get(PRICING_FLAG)).get("fallthrough").get("variant").asText()).isEqualTo("upfront-fees");
        refused(api.post(PRICING + "/launch", ""), 409, "EXPERIMENT_STOPPED");
        assertThat(ok(api.post(PRICING + "/stop", "")).get("changed").asBoolean()).as("a repeat writes nothing").isFalse();
        ok(api.patch(PRICING_FLAG + "/rollout", "{\"percentage\": 90, \"variant\": \"upfront-fees\"}"));

        assertThat(ok(api.get(EXPERIMENTS + "?status=stopped")).get("experiments")).hasSize(1);
        assertThat(ok(api.get(EXPERIMENTS + "?status=running")).get("experiments")).isEmpty();
        List<FlagEvent> events = fixture.events(12);
        assertThat(events).extracting(FlagStateFold::typeOf).containsExactly("FlagCreated", "ExperimentCreated",
                "ExperimentUpdated", "ExperimentLaunched", "FlagEnabled", "FlagKilled", "FlagRevived", "ExperimentPaused",
                "ExperimentResumed", "ExperimentStopped", "RolloutChanged");
        assertThat(events.get(0).getChangeSetId()).isNotNull().isEqualTo(events.get(1).getChangeSetId());
        assertThat(events.get(3).getChangeSetId()).isNotNull().isEqualTo(events.get(4).getChangeSetId());
        assertThat(events).allSatisfy(e -> assertThat(e.getFlagKey()).isEqualTo("experiment.pricing-display-test"));
        assertThat(events).extracting(FlagEvent::getVersion).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
    }

    @Test
    void experiment_commands_keep_the_flag_routes_conventions_and_go_through_change_sets_and_change_requests() {
        ok(api.post(FLAGS, """
                {"key": "checkout.new_ui", "type": "boolean", "enabled": true, "tags": ["checkout"],
                 "rules": [{"id": "beta", "conditions": [{"attribute": "tier", "operator": "in", "values": ["beta"]}],
                            "serve": {"split": [{"variant": "on", "weight": 50}, {"variant": "off", "weight": 50}]}}]}"""));
        String create = """
                {"key": "checkout-redesign", "flagKey": "checkout.new_ui", "ruleId": "beta", "controlVariant": "off",
                 "primaryMetric": {"eventKey": "booking_confirmed", "kind": "conversion", "windowHours": 72}}""";
        assertThat(api.post(EXPERIMENTS, create).status()).isEqualTo(201);
        refused(api.post(EXPERIMENTS, create), 409, "EXPERIMENT_ALREADY_EXISTS");
        refused(api.post(EXPERIMENTS, create.replace("checkout-redesign", "other-test").replace("checkout.new_ui", "no.such")), 404,
                "FLAG_NOT_FOUND");
        refused(api.post(EXPERIMENTS, "{\"key\": \"x\", \"flagKey\": \"checkout.new_ui\"}"), 422, "INVALID_FIELD");
        refused(api.get(EXPERIMENTS + "/ghost"), 404, "EXPERIMENT_NOT_FOUND");
        refused(api.get(EXPERIMENTS + "/Not_A_Key"), 422, "INVALID_FIELD");
        refused(api.post(EXPERIMENTS + "/ghost/launch", ""), 404, "EXPERIMENT_NOT_FOUND");
        refused(fixture.api(fixture.tokens.viewer()).post(EXPERIMENTS + "/checkout-redesign/launch", ""), 403, "FORBIDDEN");

        Api.Response read = api.get(EXPERIMENTS + "/checkout-redesign");
        assertThat(read.headers().get("etag")).isEqualTo("\"2\"");
        refused(api.with("If-Match", "\"1\"").post(EXPERIMENTS + "/checkout-redesign/launch", ""), 409, "VERSION_CONFLICT");
        Api.Response launched = api.with("If-Match", "\"2\"").with("Idempotency-Key", "launch-1")
                .post(EXPERIMENTS + "/checkout-redesign/launch", "");
        assertThat(launched.status()).as(launched.raw()).isEqualTo(200);
        Api.Response again = api.with("If-Match", "\"2\"").with("Idempotency-Key", "launch-1").post(EXPERIMENTS + "/checkout-redesign/launch", "");
        assertThat(again.headers().get("idempotent-replayed")).isEqualTo("true");
        assertThat(again.body().get("experiment").get("status").asText()).isEqualTo("RUNNING");
        assertThat(api.post(EXPERIMENTS, create.replace("checkout-redesign", "second-test")).status()).isEqualTo(201);

        // a second experiment on the same flag waits for the first to stop
        refused(api.post(EXPERIMENTS + "/second-test/launch", ""), 409, "EXPERIMENT_ALREADY_RUNNING");
        refused(api.put(FLAGS + "/checkout.new_ui/rules", "{\"rules\": []}"), 409, "EXPERIMENT_RUNNING");
        ok(api.patch(FLAGS + "/checkout.new_ui/rollout", "{\"percentage\": 30}"));   // the fallthrough is not measured

        // protected by the approval policy of its flag's tags: a direct change waits for a change request, a kill never does
        ok(api.put(ENV + "/approval-policy", "{\"requiredApprovals\": 1, \"approverRole\": \"editor\", \"tags\": [\"checkout\"]}"));
        refused(api.post(EXPERIMENTS + "/checkout-redesign/stop", ""), 403, "CHANGE_REQUEST_REQUIRED");
        Api.Response opened = api.post(ENV + "/change-requests", """
                {"title": "end the redesign test", "reason": "significant", "submit": true,
                 "commands": [{"action": "stopExperiment", "experiment": "checkout-redesign"},
                              {"action": "launchExperiment", "experiment": "second-test"}]}""");
        assertThat(opened.status()).as(opened.raw()).isEqualTo(201);
        String request = ENV + "/change-requests/" + opened.body().get("changeRequest").get("id").asText();
        assertThat(opened.body().get("changeRequest").get("draftedAgainst").get("checkout.new_ui").asLong()).isEqualTo(5);
        ok(fixture.api(fixture.tokens.editor()).post(request + "/approve", ""));
        ok(api.post(request + "/apply", ""));
        assertThat(ok(api.get(EXPERIMENTS + "/checkout-redesign")).get("status").asText()).isEqualTo("STOPPED");
        assertThat(ok(api.get(EXPERIMENTS + "/second-test")).get("status").asText()).isEqualTo("RUNNING");
        ok(api.post(FLAGS + "/checkout.new_ui/kill", "{\"reason\": \"never waits\"}"));
        ok(api.send("DELETE", ENV + "/approval-policy", null));

        // a change set creates and launches in one transaction, finding the new experiment by its key
        ok(api.post(FLAGS, "{\"key\": \"search.ranking\", \"type\": \"boolean\", \"enabled\": true,"
                + " \"fallthrough\": {\"split\": [{\"variant\": \"on\", \"weight\": 50}, {\"variant\": \"off\", \"weight\": 50}]}}"));
        JsonNode set = ok(api.post("/api/v1/changesets", """
                {"commands": [
                  {"action": "createExperiment", "environment": "production", "key": "ranking-test", "flagKey": "search.ranking",
                   "primaryMetric": {"eventKey": "search:click", "kind": "conversion"}},
                  {"action": "launchExperiment", "environment": "production", "experiment": "ranking-test"}]}"""));
        assertThat(set.get("changes")).extracting(c -> c.get("version").asLong()).containsExactly(2L, 3L);
        assertThat(ok(api.get(EXPERIMENTS + "/ranking-test")).get("status").asText()).isEqualTo("RUNNING");

        List<FlagEvent> events = fixture.events(14);
        assertThat(events.stream().filter(e -> FlagStateFold.typeOf(e).equals("ExperimentStopped")))
                .singleElement().satisfies(e -> assertThat(e.getActor().getKind()).isEqualTo(ActorKind.USER));
    }
}
