package io.flagplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.openqa.selenium.By;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Rollout plans, evaluators and the live event stream in a real browser: a plan started from the
 * seed-002-percent preset, a go pressed on its manual gate and the step seen moving, then a roll
 * back; the stack's edge node listed as live; a change made through the API appearing on the open
 * live-events screen, and held while the screen is paused.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PlansEvaluatorsEventsIT extends BrowserTestBase {

    private static final String ENV = "/api/v1/environments/production";
    private static final String PLAN = "search-rollout";
    private static final String FLAG = "search.v2";
    private static final List<String> INTERNAL = List.of("u-1", "u-2", "u-3", "u-4", "u-5", "u-6", "u-7", "u-8", "u-9", "u-10");

    /** Guardrails read every second (not 10), so a breach is acted on while the test watches. */
    @Override
    protected Map<String, String> stackSettings() {
        return Map.of("projection.guardrails.interval.ms", "1000", "command.release.signal.interval.ms", "1000");
    }

    @Test
    @Order(1)
    void a_plan_from_a_preset_moves_on_a_go_and_rolls_back() {
        assertThat(command.post(ENV + "/flags", Map.of("key", FLAG, "type", "boolean", "enabled", false)).status()).isEqualTo(201);
        login();
        open("#/production/plans");
        waitFor("plans-list");
        click("plan-new");
        type("plan-key", PLAN);
        type("plan-flags", FLAG);
        js("document.querySelector('[data-testid=plan-preset]').value = 'seed-002-percent';");
        type("plan-hold", "0");
        screenshot("plan-form");
        click("plan-create");
        waitText("plan-status", "RUNNING");
        waitText("plan-current-step", "1-percent");
        // the release controller sees the step's gates pass and waits for a person's go
        waitText("plan-step-state-0", "awaiting-go");
        screenshot("plan-awaiting-go");

        click("plan-go");
        waitFor("confirm-dialog");
        type("confirm-reason", "1 % looks fine");
        click("confirm-ok");
        waitText("plan-current-step", "10-percent");
        waitText("plan-step-state-0", "done");
        JsonNode plan = command.get(ENV + "/plans/" + PLAN).body();
        assertThat(plan.path("currentStep").asInt()).isEqualTo(1);
        assertThat(plan.path("currentStepName").asText()).isEqualTo("10-percent");
        waitText("plan-events", "PlanStep");
        screenshot("plan-moved-on");

        click("plan-rollback");
        waitFor("confirm-dialog");
        type("confirm-reason", "rolled back from the console");
        click("confirm-ok");
        waitText("plan-status", "ROLLED_BACK");
        assertThat(command.get(ENV + "/plans/" + PLAN).body().path("status").asText()).isEqualTo("ROLLED_BACK");
        waitText("plan-events", "PlanRolledBack");
        assertThat(command.get(ENV + "/flags/" + FLAG).body().path("enabled").asBoolean()).isFalse(); // restored: off as before
        screenshot("plan-rolled-back");
        open("#/production/plans");
        assertThat(waitText("plan-status-" + PLAN, "ROLLED_BACK")).isEqualTo("ROLLED_BACK");
    }

    @Test
    @Order(2)
    void a_guardrail_breach_and_the_automatic_rollback_show_as_they_happen() {
        String flag = "profile.redesign";
        assertThat(command.post(ENV + "/flags", Map.of("key", flag, "type", "boolean", "enabled", false)).status()).isEqualTo(201);
        open("#/production/plans");
        click("plan-new");
        type("plan-key", "profile-rollout");
        type("plan-flags", flag);
        js("document.querySelector('[data-testid=plan-preset]').value = 'seed-001';");
        type("plan-internal-users", String.join(",", INTERNAL));
        type("plan-guardrail-name", "error-rate");
        type("plan-guardrail-event", "http_error");
        type("plan-guardrail-limit", "0.05");
        click("plan-create");
        waitText("plan-status", "RUNNING");
        waitText("plan-current-step", "internal");
        waitFor("guardrail-chart-error-rate");

        // the internal users get the new profile and every one of them hits an error
        until(d -> "on".equals(edge.post("/ofrep/v1/evaluate/flags/" + flag + "?environment=production",
                Map.of("context", Map.of("targetingKey", INTERNAL.get(0)))).body().path("variant").asText()) ? Boolean.TRUE : null);
        StringBuilder errors = new StringBuilder("{\"events\":[");
        for (String user : INTERNAL) {
            assertThat(edge.post("/ofrep/v1/evaluate/flags/" + flag + "?environment=production",
                    Map.of("context", Map.of("targetingKey", user))).body().path("variant").asText()).isEqualTo("on");
            errors.append(errors.charAt(errors.length() - 1) == '[' ? "" : ",")
                    .append("{\"eventKey\":\"http_error\",\"targetingKey\":\"").append(user).append("\"}");
        }
        assertThat(edge.post("/api/v1/track?environment=production", errors.append("]}").toString()).status()).isEqualTo(202);

        waitText("plan-status", "ROLLED_BACK");
        waitText("plan-events", "PlanRolledBack");
        waitText("plan-status-reason", "error-rate");
        waitText("guardrail-verdict-error-rate", "BREACHED");
        until(d -> d.findElements(By.cssSelector("[data-testid=\"guardrail-chart-error-rate\"] .chart-breached")).isEmpty()
                ? null : Boolean.TRUE); // the breached reading is drawn as such
        assertThat(command.get(ENV + "/plans/profile-rollout").body().path("status").asText()).isEqualTo("ROLLED_BACK");
        screenshot("plan-breach-rolled-back");
        js("arguments[0].scrollIntoView({block: 'start'})", find("plan-guardrails"));
        screenshot("plan-breach-guardrail-chart");
    }

    @Test
    @Order(3)
    void the_evaluators_screen_lists_the_stacks_edge_node_as_live() {
        String nodeId = until(d -> {
            for (JsonNode node : projection.get("/api/v1/evaluators").body().path("evaluators")) {
                if ("edge_node".equals(node.path("kind").asText())) {
                    return node.path("nodeId").asText();
                }
            }
            return null;
        });
        open("#/production/evaluators");
        waitText("evaluator-liveness-" + nodeId, "live");
        assertThat(find("evaluator-kind-" + nodeId).getText()).isEqualTo("edge_node");
        assertThat(find("evaluator-status-" + nodeId).getText()).startsWith("current");
        assertThat(find("evaluators-count-live").getText()).startsWith("1 ");
        screenshot("evaluators");
    }

    @Test
    @Order(4)
    void the_live_events_screen_shows_a_change_made_through_the_api_while_it_is_open() {
        open("#/production/events");
        waitText("events-state", "live");
        assertThat(command.post(ENV + "/flags", Map.of("key", "ops.banner", "type", "boolean")).status()).isEqualTo(201);
        waitText("events-list", "ops.banner");
        screenshot("live-events");

        click("events-pause");
        assertThat(command.post(ENV + "/flags/ops.banner/kill", Map.of("reason", "noisy")).status()).isEqualTo(200);
        waitText("events-state", "held");
        assertThat(find("events-list").getText()).doesNotContain("FlagKilled");
        click("events-resume");
        waitText("events-list", "FlagKilled");
        screenshot("live-events-resumed");
    }

    @Test
    @Order(5)
    void the_live_events_screen_filters_by_flag() {
        open("#/production/events");
        waitText("events-state", "live");
        type("events-filter-flag", "ops.filtered");
        assertThat(command.post(ENV + "/flags", Map.of("key", "ops.other", "type", "boolean")).status()).isEqualTo(201);
        assertThat(command.post(ENV + "/flags/ops.other/kill", Map.of("reason", "not this one")).status()).isEqualTo(200);
        assertThat(command.post(ENV + "/flags", Map.of("key", "ops.filtered", "type", "boolean")).status()).isEqualTo(201);
        assertThat(command.post(ENV + "/flags/ops.filtered/kill", Map.of("reason", "this one")).status()).isEqualTo(200);
        // the filtered stream (from a minute back) holds the filtered flag's events and nothing else
        until("only ops.filtered's events, its kill among them", d -> {
            List<String> keys = all("event-row").stream().map(e -> e.getAttribute("data-key")).toList();
            List<String> types = all("event-row").stream().map(e -> e.getAttribute("data-type")).toList();
            return !keys.isEmpty() && keys.stream().allMatch("ops.filtered"::equals) && types.contains("FlagKilled")
                    ? Boolean.TRUE : null;
        });
        screenshot("live-events-filtered");
        assertThat(find("events-list").getText()).doesNotContain("ops.other");

        // and without the filter the other flag's events were there all along
        find("events-filter-flag").sendKeys(org.openqa.selenium.Keys.chord(org.openqa.selenium.Keys.CONTROL, "a"),
                org.openqa.selenium.Keys.BACK_SPACE);
        until("ops.other's events once the filter is cleared", d -> all("event-row").stream()
                .anyMatch(e -> "ops.other".equals(e.getAttribute("data-key"))) ? Boolean.TRUE : null);
    }

    @Test
    @Order(6)
    void a_plan_is_paused_resumed_and_cancelled_from_the_ui() {
        String flag = "search.pausable";
        assertThat(command.post(ENV + "/flags", Map.of("key", flag, "type", "boolean", "enabled", false)).status()).isEqualTo(201);
        open("#/production/plans");
        click("plan-new");
        type("plan-key", "pausable-rollout");
        type("plan-flags", flag);
        js("document.querySelector('[data-testid=plan-preset]').value = 'seed-002-percent';");
        type("plan-hold", "0");
        click("plan-create");
        waitText("plan-status", "RUNNING");
        waitText("plan-step-state-0", "awaiting-go");   // settled: the release controller has had its say

        click("plan-pause");
        waitFor("confirm-dialog");
        type("confirm-reason", "holding for the weekend");
        click("confirm-ok");
        waitText("plan-status", "PAUSED");
        assertThat(command.get(ENV + "/plans/pausable-rollout").body().path("status").asText()).isEqualTo("PAUSED");
        waitText("plan-events", "PlanPaused");
        screenshot("plan-paused");

        click("plan-resume");
        waitFor("confirm-dialog");
        click("confirm-ok");
        waitText("plan-status", "RUNNING");
        assertThat(command.get(ENV + "/plans/pausable-rollout").body().path("status").asText()).isEqualTo("RUNNING");
        waitText("plan-events", "PlanResumed");

        click("plan-cancel");
        waitFor("confirm-dialog");
        type("confirm-reason", "not this quarter");
        click("confirm-ok");
        waitText("plan-status", "CANCELLED");
        JsonNode cancelled = command.get(ENV + "/plans/pausable-rollout").body();
        assertThat(cancelled.path("status").asText()).isEqualTo("CANCELLED");
        assertThat(all("plan-resume")).isEmpty();
        assertThat(all("plan-cancel")).isEmpty();
        screenshot("plan-cancelled");
    }
}
