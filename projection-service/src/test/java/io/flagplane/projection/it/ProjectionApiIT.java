package io.flagplane.projection.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.testkit.http.Api;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** History, time travel, the audit log and exports through the real command-service, broker and projection. */
@ExtendWith(SharedTestStack.class)
class ProjectionApiIT {

    private static final String FLAGS = "/api/v1/environments/production/flags";
    private ProjectionFixture fixture;
    private Api commands;
    private Api projection;

    @BeforeEach
    void start(TestStack stack) throws Exception {
        fixture = new ProjectionFixture(stack, "papi", 1);
        commands = fixture.commands();
        projection = fixture.projection();
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private static JsonNode ok(Api.Response response) {
        assertThat(response.status()).as(response.raw()).isBetween(200, 201);
        return response.body();
    }

    private static String q(Instant instant) {
        return URLEncoder.encode(instant.toString(), StandardCharsets.UTF_8);
    }

    /** Seed 001's ramp: create, 10 %, 50 %, 100 %, then a kill; returns each version's time. */
    private List<Instant> ramp() {
        List<Instant> times = new ArrayList<>();
        times.add(Instant.parse(ok(commands.post(FLAGS, """
                {"key":"search.semantic","type":"boolean","enabled":true,"tags":["search"],"reason":"seed 001 milestone 1"}"""))
                .get("flag").get("lastChange").get("at").asText()));
        for (int percentage : new int[] {10, 50, 100}) {
            times.add(Instant.parse(ok(commands.patch(FLAGS + "/search.semantic/rollout",
                    "{\"percentage\":" + percentage + ",\"reason\":\"ramp to " + percentage + "%\"}"))
                    .get("flag").get("lastChange").get("at").asText()));
        }
        times.add(Instant.parse(ok(commands.as(fixture.ci).post(FLAGS + "/search.semantic/kill",
                "{\"reason\":\"guardrail: error rate above 5%\"}")).get("flag").get("lastChange").get("at").asText()));
        fixture.awaitApplied(5);
        return times;
    }

    @Test
    void history_pages_newest_first_with_who_why_and_what_changed() {
        ramp();

        JsonNode first = ok(projection.get(FLAGS + "/search.semantic/history?limit=2"));
        assertThat(first.get("entries")).extracting(e -> e.get("version").asLong()).containsExactly(5L, 4L);
        JsonNode kill = first.get("entries").get(0);
        assertThat(kill.get("type").asText()).isEqualTo("FlagKilled");
        assertThat(kill.get("actor").get("id").asText()).isEqualTo("ci-pipeline");
        assertThat(kill.get("reason").asText()).isEqualTo("guardrail: error rate above 5%");
        assertThat(kill.get("diff").get(0).get("field").asText()).isEqualTo("killed");
        JsonNode ramp = first.get("entries").get(1).get("diff");
        assertThat(ramp.get(0).get("field").asText()).isEqualTo("fallthrough.split[on].weight");
        assertThat(ramp.get(0).get("before").asDouble()).isEqualTo(50.0);
        assertThat(ramp.get(0).get("after").asDouble()).isEqualTo(100.0);

        JsonNode second = ok(projection.get(FLAGS + "/search.semantic/history?limit=2&cursor=" + first.get("nextCursor").asText()));
        assertThat(second.get("entries")).extracting(e -> e.get("version").asLong()).containsExactly(3L, 2L);
        JsonNode third = ok(projection.get(FLAGS + "/search.semantic/history?limit=2&cursor=" + second.get("nextCursor").asText()));
        assertThat(third.get("entries")).extracting(e -> e.get("version").asLong()).containsExactly(1L);
        assertThat(third.get("nextCursor").isNull()).isTrue();
    }

    @Test
    void the_flag_as_of_any_instant_and_the_diff_between_versions() {
        List<Instant> times = ramp();

        JsonNode atV3 = ok(projection.get(FLAGS + "/search.semantic?asOf=" + q(times.get(2).plusMillis(0))));
        assertThat(atV3.get("version").asLong()).isEqualTo(3);
        assertThat(atV3.get("fallthrough").get("split").get(0).get("weight").asDouble()).isEqualTo(50.0);
        assertThat(atV3.get("killed").asBoolean()).isFalse();
        assertThat(ok(projection.get(FLAGS + "/search.semantic?version=2")).get("fallthrough").get("split").get(0).get("weight")
                .asDouble()).isEqualTo(10.0);
        assertThat(ok(projection.get(FLAGS + "/search.semantic")).get("killed").asBoolean()).isTrue();

        Api.Response before = projection.get(FLAGS + "/search.semantic?asOf=" + q(times.get(0).minusSeconds(1)));
        assertThat(before.status()).isEqualTo(404);
        assertThat(before.errorCode()).isEqualTo("FLAG_NOT_FOUND");
        assertThat(before.body().get("error").get("message").asText()).contains("did not exist yet");

        JsonNode diff = ok(projection.get(FLAGS + "/search.semantic/diff?from=1&to=5"));
        assertThat(diff.get("changes")).extracting(c -> c.get("field").asText()).contains("killed", "fallthrough.split");
    }

    @Test
    void what_a_context_would_have_been_served_at_an_instant_segments_included() {
        String segments = "/api/v1/environments/production/segments";
        ok(commands.post(segments, "{\"key\":\"beta-users\",\"included\":[\"user-1\"]}"));
        JsonNode created = ok(commands.post(FLAGS, """
                {"key":"checkout.new_ui","type":"boolean","enabled":true,"fallthrough":{"variant":"off"},
                 "rules":[{"id":"beta","conditions":[{"attribute":"targetingKey","operator":"in_segment","values":["beta-users"]}],
                           "serve":{"variant":"on"}}]}"""));
        Instant whenUser1WasIn = Instant.parse(created.get("flag").get("lastChange").get("at").asText());
        ok(commands.put(segments + "/beta-users", "{\"included\":[\"user-2\"],\"reason\":\"beta rotated\"}"));
        fixture.awaitApplied(3);

        String user1 = "{\"context\":{\"targetingKey\":\"user-1\"}}";
        JsonNode then = ok(projection.post(FLAGS + "/checkout.new_ui/evaluate?asOf=" + q(whenUser1WasIn), user1));
        assertThat(then.get("value").asBoolean()).isTrue();
        assertThat(then.get("reason").asText()).isEqualTo("TARGETING_MATCH");
        JsonNode now = ok(projection.post(FLAGS + "/checkout.new_ui/evaluate", user1));
        assertThat(now.get("value").asBoolean()).isFalse();
        assertThat(now.get("reason").asText()).isEqualTo("DEFAULT");

        Api.Response badContext = projection.post(FLAGS + "/checkout.new_ui/evaluate", "{\"context\":{\"targetingKey\":7}}");
        assertThat(badContext.status()).isEqualTo(400);
        assertThat(badContext.errorField()).isEqualTo("context");
    }

    @Test
    void the_audit_log_filters_by_actor_type_tag_and_time_and_pages_across_flags() {
        List<Instant> times = ramp();
        ok(commands.post(FLAGS, "{\"key\":\"checkout.new_ui\",\"type\":\"boolean\",\"enabled\":true,\"tags\":[\"checkout\"]}"));
        ok(commands.post("/api/v1/environments/staging/flags", "{\"key\":\"checkout.new_ui\",\"type\":\"boolean\"}"));
        fixture.awaitApplied(7);

        JsonNode all = ok(projection.get("/api/v1/audit?limit=3"));
        assertThat(all.get("entries")).hasSize(3);
        assertThat(all.get("entries").get(0).get("environment").asText()).isEqualTo("staging");
        JsonNode rest = ok(projection.get("/api/v1/audit?limit=10&cursor=" + all.get("nextCursor").asText()));
        assertThat(rest.get("entries")).as("four more changes, then the two environments declared at start-up").hasSize(6);
        assertThat(rest.get("entries").get(5).get("kind").asText()).isEqualTo("environment");
        assertThat(rest.get("entries").get(5).get("type").asText()).isEqualTo("EnvironmentCreated");
        assertThat(rest.get("entries").get(5).get("actor").get("kind").asText()).isEqualTo("SYSTEM");
        assertThat(rest.get("nextCursor").isNull()).isTrue();

        assertThat(ok(projection.get("/api/v1/audit?actor=ci-pipeline")).get("entries")).extracting(e -> e.get("type").asText())
                .containsExactly("FlagKilled");
        assertThat(ok(projection.get("/api/v1/audit?type=RolloutChanged")).get("entries")).hasSize(3);
        assertThat(ok(projection.get("/api/v1/audit?tag=checkout")).get("entries")).extracting(e -> e.get("key").asText())
                .containsExactly("checkout.new_ui");
        assertThat(ok(projection.get("/api/v1/audit?environment=staging")).get("entries")).extracting(e -> e.get("type").asText())
                .containsExactly("FlagCreated", "EnvironmentCreated");
        JsonNode window = ok(projection.get("/api/v1/audit?since=" + q(times.get(1)) + "&until=" + q(times.get(3))));
        assertThat(window.get("entries")).extracting(e -> e.get("version").asLong()).containsExactly(4L, 3L, 2L);

        Api.Response staging = projection.as(fixture.stagingViewer).get("/api/v1/audit");
        assertThat(staging.body().get("entries")).as("a staging viewer sees only staging").hasSize(2);
    }

    @Test
    void every_step_of_a_change_request_is_in_the_audit_log_and_the_history_with_its_actor() {
        ok(commands.post(FLAGS, "{\"key\":\"checkout.new_ui\",\"type\":\"boolean\",\"tags\":[\"checkout\"]}"));
        ok(commands.put("/api/v1/environments/production/approval-policy", "{\"requiredApprovals\": 1, \"approverRole\": \"editor\"}"));
        JsonNode opened = ok(commands.post("/api/v1/environments/production/change-requests", "{\"title\": \"Enable\","
                + " \"reason\": \"seed 000\", \"submit\": true, \"commands\": [{\"action\": \"enable\", \"flag\": \"checkout.new_ui\"}]}"));
        String request = "/api/v1/environments/production/change-requests/" + opened.get("changeRequest").get("id").asText();
        ok(commands.as(fixture.tokens.editor()).post(request + "/approve", "{\"comment\": \"ok\"}"));
        ok(commands.as(fixture.tokens.editor()).post(request + "/apply", ""));
        fixture.awaitApplied(1 + 1 + 3 + 1);

        JsonNode audit = ok(projection.get("/api/v1/audit?environment=production&limit=20")).get("entries");
        assertThat(audit).extracting(e -> e.get("type").asText() + " by " + e.get("actor").get("id").asText() + " on " + e.get("kind").asText())
                .containsSubsequence("FlagEnabled by bob@example.com on flag", "ChangeRequestApplied by bob@example.com on change-request",
                        "ChangeRequestApproved by bob@example.com on change-request", "ChangeRequestOpened by alice@example.com on change-request",
                        "ApprovalPolicySet by alice@example.com on environment");
        JsonNode approved = audit.findParents("type").stream().filter(e -> e.get("type").asText().equals("ChangeRequestApproved"))
                .findFirst().orElseThrow();
        assertThat(approved.get("diff").toString()).as("the history folds the request: the diff shows the approval").contains("bob@example.com");
    }

    @Test
    void a_scheduled_changes_steps_are_in_the_audit_log_and_a_future_evaluation_is_sent_to_the_command_service() {
        Instant killed = ramp().get(4);
        Instant tomorrow = Instant.now().plus(java.time.Duration.ofDays(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String schedules = "/api/v1/environments/production/schedules";
        JsonNode created = ok(commands.post(schedules, "{\"applyAt\": \"" + tomorrow + "\", \"title\": \"Revive\", \"reason\":"
                + " \"seed 001\", \"commands\": [{\"action\": \"revive\", \"flag\": \"search.semantic\"}]}"));
        String id = created.get("schedule").get("id").asText();
        ok(commands.post(schedules + "/" + id + "/cancel", "{\"reason\": \"not tomorrow\"}"));
        fixture.awaitApplied(5 + 2);

        JsonNode audit = ok(projection.get("/api/v1/audit?environment=production&limit=20")).get("entries");
        assertThat(audit).extracting(e -> e.get("type").asText() + " on " + e.get("kind").asText() + " " + e.get("key").asText())
                .containsSubsequence("ScheduledChangeCancelled on schedule " + id, "ScheduledChangeCreated on schedule " + id,
                        "FlagKilled on flag search.semantic");
        JsonNode cancelled = audit.findParents("type").stream().filter(e -> e.get("type").asText().equals("ScheduledChangeCancelled"))
                .findFirst().orElseThrow();
        assertThat(cancelled.get("reason").asText()).isEqualTo("not tomorrow");
        assertThat(cancelled.get("diff").toString()).as("the history folds the schedule").contains("CANCELLED");

        String user = "{\"context\": {\"targetingKey\": \"user-1\"}}";
        Api.Response future = projection.post(FLAGS + "/search.semantic/evaluate?asOf=" + q(tomorrow), user);
        assertThat(future.status()).isEqualTo(400);
        assertThat(future.errorCode()).isEqualTo("AS_OF_IN_FUTURE");
        assertThat(future.errorField()).isEqualTo("asOf");
        assertThat(future.body().get("error").get("message").asText()).contains("command-service",
                "/api/v1/environments/production/flags/search.semantic/evaluate?asOf=" + tomorrow);
        assertThat(ok(projection.post(FLAGS + "/search.semantic/evaluate", user)).get("reason").asText()).isEqualTo("DISABLED");
        Api.Response past = projection.post(FLAGS + "/search.semantic/evaluate?asOf=" + q(killed), user);
        assertThat(past.status()).as("the past is still the projection's to answer: " + past.raw()).isEqualTo(200);
    }

    @Test
    void the_whole_ruleset_exports_as_of_an_instant() {
        List<Instant> times = ramp();
        ok(commands.post(FLAGS, "{\"key\":\"checkout.new_ui\",\"type\":\"boolean\",\"enabled\":true}"));
        fixture.awaitApplied(6);

        JsonNode then = ok(projection.get("/api/v1/environments/production/export?asOf=" + q(times.get(1))));
        assertThat(then.get("flags")).hasSize(1);
        assertThat(then.get("flags").get(0).get("version").asLong()).isEqualTo(2);
        JsonNode now = ok(projection.get("/api/v1/export"));
        assertThat(now.get("flags")).extracting(f -> f.get("key").asText()).containsExactly("checkout.new_ui", "search.semantic");
    }

    @Test
    void wrong_questions_get_a_4xx_naming_the_parameter() {
        ramp();

        Api.Response badInstant = projection.get(FLAGS + "/search.semantic?asOf=yesterday");
        assertThat(badInstant.status()).isEqualTo(400);
        assertThat(badInstant.errorCode()).isEqualTo("INVALID_PARAMETER");
        assertThat(badInstant.errorField()).isEqualTo("asOf");
        assertThat(projection.get(FLAGS + "/search.semantic/history?limit=0").errorField()).isEqualTo("limit");
        assertThat(projection.get(FLAGS + "/search.semantic/history?cursor=abc").errorField()).isEqualTo("cursor");
        assertThat(projection.get("/api/v1/audit?cursor=not-a-cursor").errorField()).isEqualTo("cursor");
        assertThat(projection.get("/api/v1/audit?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z").errorField())
                .isEqualTo("since");
        assertThat(projection.get(FLAGS + "/search.semantic/diff?from=1").errorField()).isEqualTo("to");
        assertThat(projection.get(FLAGS + "/search.semantic?version=9").errorCode()).isEqualTo("VERSION_NOT_FOUND");
        assertThat(projection.get(FLAGS + "/no.such.flag/history").errorCode()).isEqualTo("FLAG_NOT_FOUND");
        assertThat(projection.get(FLAGS + "/search.semantic?asOf=x&version=2").status()).isEqualTo(400);

        assertThat(projection.as(null).get(FLAGS + "/search.semantic").status()).isEqualTo(401);
        assertThat(projection.as("fpt_wrong").get(FLAGS + "/search.semantic").status()).isEqualTo(401);
        Api.Response forbidden = projection.as(fixture.stagingViewer).get(FLAGS + "/search.semantic/history");
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.errorCode()).isEqualTo("FORBIDDEN");
    }
}
