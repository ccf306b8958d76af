package io.flagplane.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import io.flagplane.testkit.http.Api;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The OpenAPI document describes the API the service really has: every request below and its
 * real response (successes and refusals) are validated against the document the service serves.
 */
@ExtendWith(SharedTestStack.class)
class OpenApiConformanceIT {

    private CommandServiceFixture fixture;
    private OpenApiInteractionValidator validator;
    private final List<String> problems = new ArrayList<>();
    private int checked;

    @BeforeEach
    void start(TestStack stack) {
        fixture = new CommandServiceFixture(stack, "openapi");
        String document = fixture.api(null).get("/api/v1/openapi.yaml").raw();
        // the validator would otherwise treat every allOf part as closed to the other parts' properties
        validator = OpenApiInteractionValidator.createForInlineApiSpecification(document)
                .withLevelResolver(LevelResolver.create()
                        .withLevel("validation.schema.additionalProperties", ValidationReport.Level.IGNORE).build())
                .build();
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    /** A request the document must accept, and its response. */
    private Api.Response call(Api api, String method, String path, String body) {
        return call(api, method, path, body, true);
    }

    /** A request meant to be refused: only the refusal is checked against the document. */
    private Api.Response refused(Api api, String method, String path, String body) {
        Api.Response response = call(api, method, path, body, false);
        assertThat(response.status()).as(method + " " + path).isGreaterThanOrEqualTo(400);
        return response;
    }

    private Api.Response call(Api api, String method, String path, String body, boolean checkRequest) {
        Api.Response response = api.send(method, path, body);
        SimpleRequest.Builder request = new SimpleRequest.Builder(Request.Method.valueOf(method), path.replaceAll("\\?.*", ""))
                .withContentType("application/json");
        request.withHeader("Authorization", "Bearer x");
        if (body != null) {
            request.withBody(body);
        }
        if (path.contains("?")) {
            for (String pair : path.substring(path.indexOf('?') + 1).split("&")) {
                String[] kv = pair.split("=");
                request.withQueryParam(kv[0], kv.length > 1 ? kv[1] : "");
            }
        }
        SimpleResponse.Builder actual = SimpleResponse.Builder.status(response.status());
        response.headers().forEach(actual::withHeader);
        actual.withBody(response.raw());
        ValidationReport report = checkRequest ? validator.validate(request.build(), actual.build())
                : validator.validateResponse(path.replaceAll("\\?.*", ""), Request.Method.valueOf(method), actual.build());
        checked++;
        if (report.hasErrors()) {
            problems.add(method + " " + path + " -> " + response.status() + ": " + report.getMessages());
        }
        return response;
    }

    @Test
    void real_responses_match_the_document() {
        Api admin = fixture.admin();
        String flags = "/api/v1/environments/production/flags";
        String segments = "/api/v1/environments/production/segments";
        call(admin, "POST", flags, "{\"key\":\"checkout.new_ui\",\"type\":\"boolean\",\"tags\":[\"checkout\"]}");
        call(admin, "POST", flags, "{\"key\":\"ui.theme\",\"type\":\"string\",\"variants\":[{\"key\":\"a\",\"value\":\"x\"},"
                + "{\"key\":\"b\",\"value\":\"y\"}],\"offVariant\":\"a\",\"fallthrough\":{\"split\":[{\"variant\":\"a\",\"weight\":50},"
                + "{\"variant\":\"b\",\"weight\":50}]}}");
        call(admin, "POST", flags, "{\"key\":\"ui.banner\",\"type\":\"string\",\"variants\":[{\"key\":\"a\",\"value\":\"x\"}],"
                + "\"fallthrough\":{\"variant\":\"a\"},\"metadata\":{\"ticket\":\"JIRA-1\",\"count\":2,\"ratio\":0.5,\"beta\":true}}");
        call(admin, "GET", flags + "/ui.banner", null);
        call(admin, "GET", flags, null);
        call(admin, "GET", flags + "?tag=checkout", null);
        call(admin, "GET", flags + "/checkout.new_ui", null);
        for (String lifecycle : List.of("enable", "disable", "kill", "revive")) {
            call(admin, "POST", flags + "/checkout.new_ui/" + lifecycle, "{\"reason\":\"openapi\"}");
        }
        call(admin, "PATCH", flags + "/checkout.new_ui/rollout", "{\"percentage\":12.5}");
        call(admin, "POST", flags + "/checkout.new_ui/allow-list", "{\"add\":[\"u1\"]}");
        call(admin, "POST", flags + "/checkout.new_ui/deny-list", "{\"add\":[\"u2\"]}");
        call(admin, "POST", segments, "{\"key\":\"beta-users\",\"included\":[\"u1\",\"u3\"]}");
        call(admin, "GET", segments, null);
        call(admin, "GET", segments + "/beta-users", null);
        call(admin, "PUT", flags + "/checkout.new_ui/rules", "{\"rules\":[{\"id\":\"beta\",\"conditions\":[{\"attribute\":"
                + "\"targetingKey\",\"operator\":\"in_segment\",\"values\":[\"beta-users\"]}],\"serve\":{\"variant\":\"on\"}}]}");
        call(admin, "PUT", flags + "/checkout.new_ui/metadata", "{\"description\":\"d\",\"tags\":[\"checkout\"],\"owner\":\"me\"}");
        call(admin, "PUT", flags + "/ui.theme", "{\"type\":\"string\",\"variants\":[{\"key\":\"a\",\"value\":\"x\"},"
                + "{\"key\":\"b\",\"value\":\"y\"}],\"offVariant\":\"a\",\"fallthrough\":{\"variant\":\"b\"}}");
        call(admin, "PUT", segments + "/beta-users", "{\"included\":[\"u9\"]}");
        call(admin, "POST", "/api/v1/changesets", "{\"commands\":[{\"action\":\"kill\",\"environment\":\"production\","
                + "\"flag\":\"ui.theme\"},{\"action\":\"archive\",\"environment\":\"production\",\"flag\":\"ui.theme\"}]}");
        call(admin, "POST", "/api/v1/environments/production/kill-by-tag", "{\"tag\":\"checkout\"}");
        String env = "/api/v1/environments/staging";
        call(admin, "POST", env + "/flags", "{\"key\":\"checkout.guarded\",\"type\":\"boolean\"}");
        call(admin, "PUT", env + "/approval-policy", "{\"requiredApprovals\":1,\"approverRole\":\"editor\",\"adminBypass\":false}");
        call(admin, "GET", env + "/approval-policy", null);
        Api.Response opened = call(admin, "POST", env + "/change-requests", "{\"title\":\"t\",\"reason\":\"r\",\"submit\":true,"
                + "\"commands\":[{\"action\":\"enable\",\"flag\":\"checkout.guarded\"}]}");
        String request = env + "/change-requests/" + opened.body().get("changeRequest").get("id").asText();
        call(admin, "GET", env + "/change-requests?state=IN_REVIEW", null);
        call(admin, "GET", request, null);
        call(admin, "POST", request + "/comment", "{\"comment\":\"ok\"}");
        refused(admin, "POST", request + "/approve", "");
        refused(admin, "POST", env + "/flags/checkout.guarded/enable", "");
        call(admin, "DELETE", env + "/approval-policy", null);
        call(admin, "POST", flags, "{\"key\":\"charges.engine\",\"type\":\"boolean\",\"enabled\":true}");
        call(admin, "POST", flags, "{\"key\":\"charges.ui\",\"type\":\"boolean\",\"enabled\":true,"
                + "\"prerequisites\":[{\"flagKey\":\"charges.engine\",\"variants\":[\"on\"]}]}");
        call(admin, "GET", flags + "/charges.ui", null);
        refused(admin, "POST", flags + "/charges.engine/archive", "");
        refused(admin, "PUT", flags + "/charges.engine", "{\"type\":\"boolean\",\"prerequisites\":[{\"flagKey\":\"charges.ui\","
                + "\"variants\":[\"on\"]}]}");
        refused(admin, "POST", flags, "{\"key\":\"charges.nav\",\"type\":\"boolean\",\"prerequisites\":[{\"flagKey\":"
                + "\"charges.ghost\",\"variants\":[\"on\"]}]}");
        call(admin, "GET", "/api/v1/tokens", null);
        call(admin, "GET", "/api/v1/whoami", null);
        call(admin, "GET", "/health/ready", null);
        call(fixture.api(null), "GET", "/metrics", null);
        String experiments = "/api/v1/environments/production/experiments";
        call(admin, "POST", experiments, "{\"key\":\"pricing-display-test\",\"description\":\"seed 003\",\"variants\":["
                + "{\"key\":\"control\",\"weight\":50},{\"name\":\"upfront-fees\",\"weight\":50}]}");
        call(admin, "POST", experiments, "{\"key\":\"banner-test\",\"flagKey\":\"ui.banner\",\"primaryMetric\":{\"eventKey\":"
                + "\"click\",\"kind\":\"conversion\"},\"launchAt\":\"2030-01-01T00:00:00Z\"}");
        call(admin, "PUT", experiments + "/pricing-display-test", "{\"description\":\"fees\",\"primaryMetric\":{\"eventKey\":"
                + "\"booking_confirmed\",\"kind\":\"conversion\",\"windowHours\":72},\"secondaryMetrics\":[{\"eventKey\":"
                + "\"revenue\",\"kind\":\"value\",\"aggregation\":\"mean\",\"minimumSample\":100}]}");
        call(admin, "GET", experiments, null);
        call(admin, "GET", experiments + "?status=draft", null);
        call(admin, "POST", experiments + "/pricing-display-test/launch", "{\"reason\":\"go\"}");
        call(admin, "GET", experiments + "/pricing-display-test", null);
        call(admin, "GET", flags + "/experiment.pricing-display-test", null);
        call(admin, "POST", experiments + "/pricing-display-test/pause", "");
        call(admin, "POST", experiments + "/pricing-display-test/resume", "");
        refused(admin, "PATCH", flags + "/experiment.pricing-display-test/rollout", "{\"percentage\":90,\"variant\":\"upfront-fees\"}");
        refused(admin, "PUT", experiments + "/pricing-display-test", "{\"primaryMetric\":{\"eventKey\":\"x\",\"kind\":\"conversion\"}}");
        refused(admin, "POST", experiments + "/banner-test/launch", "");
        refused(admin, "POST", experiments + "/pricing-display-test/stop", "{\"winner\":\"nope\"}");
        call(admin, "POST", experiments + "/pricing-display-test/stop", "{\"winner\":\"upfront-fees\"}");
        refused(admin, "POST", experiments + "/pricing-display-test/launch", "");
        refused(admin, "GET", experiments + "/ghost", null);
        refused(admin, "POST", experiments, "{\"key\":\"pricing-display-test\",\"flagKey\":\"ui.banner\",\"primaryMetric\":"
                + "{\"eventKey\":\"click\",\"kind\":\"conversion\"}}");
        call(admin, "POST", "/api/v1/changesets", "{\"commands\":[{\"action\":\"updateExperiment\",\"environment\":\"production\","
                + "\"experiment\":\"banner-test\",\"primaryMetric\":{\"eventKey\":\"click\",\"kind\":\"conversion\"}}]}");
        String schedules = "/api/v1/environments/production/schedules";
        String tomorrow = java.time.Instant.now().plus(java.time.Duration.ofDays(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                .toString();
        Api.Response scheduled = call(admin, "POST", schedules, "{\"applyAt\":\"" + tomorrow + "\",\"title\":\"t\",\"reason\":\"r\","
                + "\"applyIfMoved\":true,\"commands\":[{\"action\":\"setRollout\",\"flag\":\"ui.banner\",\"percentage\":0}]}");
        String schedule = schedules + "/" + scheduled.body().get("schedule").get("id").asText();
        call(admin, "GET", schedules, null);
        call(admin, "GET", schedules + "?status=pending", null);
        call(admin, "GET", schedule, null);
        call(admin, "POST", flags + "/ui.banner/evaluate", "{\"context\":{\"targetingKey\":\"u1\"}}");
        call(admin, "POST", flags + "/ui.banner/evaluate?asOf=" + tomorrow, "{\"context\":{\"targetingKey\":\"u1\"}}");
        call(admin, "POST", schedule + "/cancel", "{\"reason\":\"not tomorrow\"}");
        refused(admin, "POST", schedule + "/cancel", "");
        refused(admin, "GET", schedules + "/sc-ghost", null);
        refused(admin, "POST", schedules, "{\"applyAt\":\"2020-01-01T00:00:00Z\",\"title\":\"t\",\"reason\":\"r\","
                + "\"commands\":[{\"action\":\"kill\",\"flag\":\"ui.banner\"}]}");
        refused(admin, "POST", flags + "/no.such/evaluate?asOf=" + tomorrow, "");
        String plans = "/api/v1/environments/production/plans";
        call(admin, "POST", flags, "{\"key\":\"action_plan.customization\",\"type\":\"boolean\",\"tags\":[\"actions\"]}");
        call(admin, "POST", plans, "{\"key\":\"action-plan\",\"tag\":\"actions\",\"preset\":\"seed-001\",\"presetParameters\":"
                + "{\"internalUsers\":[\"1\",\"2\"],\"holdSeconds\":{\"internal\":86400}},\"guardrails\":[{\"name\":\"error-rate\","
                + "\"kind\":\"threshold\",\"eventKey\":\"http_error\",\"perEventKey\":\"request\",\"limit\":0.05},{\"name\":\"p99\","
                + "\"kind\":\"prometheus\",\"prometheusUrl\":\"http://prometheus:9090\",\"query\":\"up\",\"limit\":1,\"onBreach\":"
                + "\"pause\"}],\"rollbackAction\":\"previous_step\",\"startAt\":\"2030-01-01T00:00:00Z\"}");
        call(admin, "GET", plans, null);
        call(admin, "GET", plans + "?status=draft", null);
        Api.Response plan = call(admin, "GET", plans + "/action-plan", null);
        call(admin.with("If-Match", "\"1\""), "PUT", plans + "/action-plan", plan.body().get("definition").toString());
        call(admin, "POST", plans + "/action-plan/start", "{\"reason\":\"deploy internal\"}");
        refused(admin, "POST", plans + "/action-plan/approve", "{\"comment\":\"go\"}");
        call(admin, "POST", plans + "/action-plan/pause", "{\"reason\":\"tickets\"}");
        call(admin, "POST", plans + "/action-plan/resume", "");
        call(admin, "GET", flags + "/action_plan.customization", null);
        call(admin, "POST", plans + "/action-plan/rollback", "{\"rollbackAction\":\"kill\",\"reason\":\"error rate\"}");
        call(admin, "POST", "/api/v1/changesets", "{\"commands\":[{\"action\":\"revive\",\"environment\":\"production\","
                + "\"flag\":\"action_plan.customization\"},{\"action\":\"createPlan\",\"environment\":\"production\",\"key\":"
                + "\"manual-plan\",\"flagKeys\":[\"action_plan.customization\"],\"steps\":[{\"name\":\"all\",\"manualApproval\":true,"
                + "\"holdSeconds\":86400,\"commands\":[{\"action\":\"setRollout\",\"flag\":\"action_plan.customization\","
                + "\"percentage\":100}]}]},{\"action\":\"startPlan\",\"environment\":\"production\",\"plan\":\"manual-plan\"}]}");
        call(admin, "POST", plans + "/manual-plan/approve", "{\"approved\":false,\"comment\":\"not yet\"}");
        call(admin, "POST", plans + "/manual-plan/cancel", "");
        refused(admin, "GET", plans + "/ghost", null);
        refused(admin, "POST", plans, "{\"key\":\"bad\",\"flagKeys\":[\"action_plan.customization\"],\"steps\":[]}");
        refused(admin, "POST", plans + "/manual-plan/resume", "");
        // refusals
        refused(admin, "POST", flags, "{not json");
        refused(admin, "POST", flags, "{\"key\":\"NoDots\",\"type\":\"boolean\"}");
        refused(admin, "POST", flags, "{\"key\":\"a.meta\",\"type\":\"boolean\",\"metadata\":{\"team\":[1]}}");
        refused(admin, "POST", flags, "{\"key\":\"checkout.new_ui\",\"type\":\"boolean\"}");
        refused(admin, "GET", flags + "/no.such", null);
        refused(admin.with("If-Match", "\"1\""), "POST", flags + "/checkout.new_ui/enable", "");
        refused(fixture.api(null), "GET", flags, null);
        refused(fixture.api(fixture.tokens.viewer()), "POST", flags + "/checkout.new_ui/kill", "");
        refused(admin, "POST", "/api/v1/environments/production/kill-by-tag", "{\"tag\":\"nothing\"}");
        refused(admin, "POST", segments + "/beta-users/archive", "");

        assertThat(checked).isGreaterThan(30);
        assertThat(problems).isEmpty();
    }

    @Test
    void the_document_lists_every_action_a_change_set_accepts() {
        String document = fixture.api(null).get("/api/v1/openapi.yaml").raw();
        for (String action : io.flagplane.command.http.Actions.names()) {
            assertThat(document).as(action).contains(action);
        }
        assertThat(document.toLowerCase(Locale.ROOT)).contains("openapi: 3.0.3");
    }
}
