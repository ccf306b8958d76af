package io.flagplane.command;

import io.flagplane.testkit.MovableClock;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.avro.ActorKind;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.ScheduledChangeFailed;
import io.flagplane.contract.FlagStateFold;
import io.flagplane.testkit.http.Api;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scheduled changes on a real broker, through the HTTP API, on a clock the test moves: a change is
 * applied by the release controller at its instant, once, in one change set with its own
 * {@code ScheduledChangeApplied}; one whose flag moved fails visibly instead; bad requests are
 * refused with a code and a field and write nothing; the preview of the future applies what is
 * pending and writes nothing.
 */
@ExtendWith(SharedTestStack.class)
class ScheduledChangeIT {

    private static final String ENV = "/api/v1/environments/production";
    private static final String FLAGS = ENV + "/flags";
    private static final String SCHEDULES = ENV + "/schedules";

    private final Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private final MovableClock clock = new MovableClock(start);
    private CommandServiceFixture fixture;
    private Api admin;

    @BeforeEach
    void start(TestStack stack) {
        fixture = new CommandServiceFixture(stack, "schedules", Map.of(), clock);
        admin = fixture.admin();
        assertThat(admin.post(FLAGS, "{\"key\":\"checkout.new_ui\",\"type\":\"boolean\",\"enabled\":true}").status()).isEqualTo(201);
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private static JsonNode ok(Api.Response response) {
        assertThat(response.status()).as(response.raw()).isBetween(200, 201);
        return response.body();
    }

    private String schedule(Instant applyAt, String commands, boolean applyIfMoved) {
        JsonNode created = ok(admin.post(SCHEDULES, "{\"applyAt\": \"" + applyAt + "\", \"title\": \"Night switch\","
                + " \"reason\": \"seed 002: off-peak\", \"applyIfMoved\": " + applyIfMoved + ", \"commands\": " + commands + "}"));
        return created.get("schedule").get("id").asText();
    }

    private JsonNode awaitStatus(String id, String status) {
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> admin.get(SCHEDULES + "/" + id).body().get("status").asText().equals(status));
        return ok(admin.get(SCHEDULES + "/" + id));
    }

    /** The types of one aggregate's events, in its order (events of different keys sit on different partitions). */
    private static List<String> types(List<FlagEvent> events, String key) {
        return events.stream().filter(e -> e.getFlagKey().equals(key)).map(FlagStateFold::typeOf).toList();
    }

    private static FlagEvent of(List<FlagEvent> events, String key, String type) {
        return events.stream().filter(e -> e.getFlagKey().equals(key) && FlagStateFold.typeOf(e).equals(type)).findFirst()
                .orElseThrow();
    }

    /** The counters move just after the answer the test waited for: wait for them too. */
    private void awaitMetrics(String... lines) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(fixture.api(null).get("/metrics").raw()).contains(lines));
    }

    @Test
    void a_scheduled_kill_is_applied_at_its_instant_once_by_the_release_controller_in_one_change_set() {
        Instant applyAt = start.plus(Duration.ofHours(2));
        Api.Response created = admin.post(SCHEDULES, "{\"applyAt\": \"" + applyAt + "\", \"title\": \"Night switch\","
                + " \"reason\": \"seed 002\", \"commands\": [{\"action\": \"kill\", \"flag\": \"checkout.new_ui\"}]}");
        assertThat(created.status()).isEqualTo(201);
        String id = created.body().get("schedule").get("id").asText();
        assertThat(created.headers().get("location")).isEqualTo(SCHEDULES + "/" + id);
        JsonNode pending = ok(admin.get(SCHEDULES + "/" + id));
        assertThat(pending.get("status").asText()).isEqualTo("PENDING");
        assertThat(pending.get("draftedAgainst").get("checkout.new_ui").asLong()).isEqualTo(1);
        assertThat(pending.get("commands").get(0).get("environment").asText()).isEqualTo("production");

        clock.set(applyAt.minusSeconds(1));
        fixture.service.scheduledChanges().tick();
        assertThat(ok(admin.get(SCHEDULES + "/" + id)).get("status").asText()).as("a second early").isEqualTo("PENDING");
        clock.set(applyAt);
        JsonNode applied = awaitStatus(id, "APPLIED");

        assertThat(ok(admin.get(FLAGS + "/checkout.new_ui")).get("killed").asBoolean()).isTrue();
        List<FlagEvent> events = fixture.events(4);
        assertThat(types(events, "checkout.new_ui")).containsExactly("FlagCreated", "FlagKilled");
        assertThat(types(events, id)).containsExactly("ScheduledChangeCreated", "ScheduledChangeApplied");
        FlagEvent appliedEvent = of(events, id, "ScheduledChangeApplied");
        FlagEvent kill = of(events, "checkout.new_ui", "FlagKilled");
        assertThat(kill.getChangeSetId()).isNotNull().isEqualTo(appliedEvent.getChangeSetId());
        assertThat(applied.get("appliedChangeSetId").asText()).isEqualTo(kill.getChangeSetId());
        assertThat(List.of(appliedEvent, kill)).allSatisfy(e -> {
            assertThat(e.getActor().getId()).isEqualTo("release-controller");
            assertThat(e.getActor().getKind()).isEqualTo(ActorKind.SYSTEM);
            assertThat(e.getOccurredAt()).isEqualTo(applyAt);
            assertThat(e.getReason()).contains(id, "Night switch", "seed 002");
        });
        clock.advance(Duration.ofMinutes(5));
        fixture.service.scheduledChanges().tick();
        assertThat(fixture.events(4)).as("once").hasSize(4);
        awaitMetrics("flagplane_scheduled_changes_applied_total 1.0\n", "flagplane_scheduled_changes_pending 0.0\n");
    }

    @Test
    void a_change_whose_flag_moved_fails_visibly_and_with_apply_if_moved_it_applies_anyway() {
        Instant applyAt = start.plus(Duration.ofHours(1));
        String strict = schedule(applyAt, "[{\"action\": \"setRollout\", \"flag\": \"checkout.new_ui\", \"percentage\": 50}]", false);
        String anyway = schedule(applyAt.plusSeconds(1), "[{\"action\": \"kill\", \"flag\": \"checkout.new_ui\"}]", true);
        assertThat(fixture.api(null).get("/metrics").raw()).contains("flagplane_scheduled_changes_pending 2.0\n");
        ok(admin.post(FLAGS + "/checkout.new_ui/disable", "{\"reason\": \"someone moved it\"}"));

        clock.set(applyAt);
        JsonNode failed = awaitStatus(strict, "FAILED");
        clock.set(applyAt.plusSeconds(1));
        awaitStatus(anyway, "APPLIED");

        assertThat(failed.get("failure").get("code").asText()).isEqualTo("MOVED_SINCE_SCHEDULED");
        assertThat(failed.get("failure").get("message").asText()).contains("checkout.new_ui: scheduled at version 1, now at 2");
        assertThat(failed.get("lastChange").get("actor").get("id").asText()).isEqualTo("release-controller");
        JsonNode flag = ok(admin.get(FLAGS + "/checkout.new_ui"));
        assertThat(flag.get("fallthrough").has("split")).as("the 50 % was never applied over the disable").isFalse();
        assertThat(flag.get("killed").asBoolean()).isTrue();
        List<FlagEvent> events = fixture.events(7);
        assertThat(events).hasSize(7);
        assertThat(types(events, "checkout.new_ui")).containsExactly("FlagCreated", "FlagDisabled", "FlagKilled");
        assertThat(types(events, strict)).containsExactly("ScheduledChangeCreated", "ScheduledChangeFailed");
        assertThat(types(events, anyway)).containsExactly("ScheduledChangeCreated", "ScheduledChangeApplied");
        assertThat(((ScheduledChangeFailed) of(events, strict, "ScheduledChangeFailed").getPayload()).getCode())
                .isEqualTo("MOVED_SINCE_SCHEDULED");
        assertThat(ok(admin.get(SCHEDULES + "?status=failed")).get("schedules")).extracting(s -> s.get("id").asText())
                .containsExactly(strict);
        assertThat(ok(admin.get(SCHEDULES)).get("schedules")).extracting(s -> s.get("id").asText()).as("by applyAt")
                .containsExactly(strict, anyway);
        awaitMetrics("flagplane_scheduled_changes_failed_total{code=\"MOVED_SINCE_SCHEDULED\"} 1.0\n",
                "flagplane_scheduled_changes_applied_total 1.0\n");
    }

    @Test
    void a_change_that_cannot_be_scheduled_is_refused_with_a_code_and_a_field_and_nothing_is_written() {
        String kill = "[{\"action\": \"kill\", \"flag\": \"checkout.new_ui\"}]";
        record Case(String body, int status, String code, String field) {
        }
        for (Case bad : List.of(
                new Case("{\"applyAt\": \"" + start.minusSeconds(1) + "\", \"title\": \"t\", \"reason\": \"r\", \"commands\": " + kill
                        + "}", 422, "INVALID_FIELD", "applyAt"),
                new Case("{\"applyAt\": \"" + start.plus(Duration.ofDays(400)) + "\", \"title\": \"t\", \"reason\": \"r\","
                        + " \"commands\": " + kill + "}", 422, "INVALID_FIELD", "applyAt"),
                new Case("{\"applyAt\": \"tomorrow\", \"title\": \"t\", \"reason\": \"r\", \"commands\": " + kill + "}", 422,
                        "INVALID_FIELD", "applyAt"),
                new Case("{\"applyAt\": \"" + start.plusSeconds(60) + "\", \"reason\": \"r\", \"commands\": " + kill + "}", 422,
                        "INVALID_FIELD", "title"),
                new Case("{\"applyAt\": \"" + start.plusSeconds(60) + "\", \"title\": \"t\", \"reason\": \"r\", \"commands\": []}", 422,
                        "INVALID_FIELD", "commands"),
                new Case("{\"applyAt\": \"" + start.plusSeconds(60) + "\", \"title\": \"t\", \"reason\": \"r\", \"commands\":"
                        + " [{\"action\": \"kill\", \"flag\": \"Not A Key\"}]}", 422, "INVALID_FLAG_KEY", "commands[0].flag"),
                new Case("{\"applyAt\": \"" + start.plusSeconds(60) + "\", \"title\": \"t\", \"reason\": \"r\", \"commands\":"
                        + " [{\"action\": \"createEnvironment\"}]}", 422, "INVALID_FIELD", "commands[0].action"),
                new Case("{\"applyAt\": \"" + start.plusSeconds(60) + "\", \"title\": \"t\", \"reason\": \"r\", \"commands\": " + kill
                        + ", \"when\": 1}", 422, "INVALID_FIELD", "when"),
                new Case("{\"applyAt\": \"" + start.plusSeconds(60) + "\", \"title\": \"t\", \"reason\": \"r\", \"commands\": " + kill
                        + ", \"applyIfMoved\": \"yes\"}", 422, "INVALID_FIELD", "applyIfMoved"),
                new Case("not json", 400, "MALFORMED_REQUEST", null))) {
            Api.Response refused = admin.post(SCHEDULES, bad.body());
            assertThat(refused.status()).as(bad.body() + " -> " + refused.raw()).isEqualTo(bad.status());
            assertThat(refused.errorCode()).as(bad.body()).isEqualTo(bad.code());
            assertThat(refused.errorField()).as(bad.body()).isEqualTo(bad.field());
        }
        Api viewer = fixture.api(fixture.tokens.viewer());
        assertThat(viewer.post(SCHEDULES, "{\"applyAt\": \"" + start.plusSeconds(60) + "\", \"title\": \"t\", \"reason\": \"r\","
                + " \"commands\": " + kill + "}").errorCode()).isEqualTo("FORBIDDEN");
        assertThat(admin.get(SCHEDULES + "/sc-nope").status()).isEqualTo(404);
        assertThat(admin.get(SCHEDULES + "/sc-nope").errorCode()).isEqualTo("SCHEDULE_NOT_FOUND");
        assertThat(admin.get(SCHEDULES + "?status=later").errorField()).isEqualTo("status");
        assertThat(ok(viewer.get(SCHEDULES)).get("schedules")).isEmpty();
        assertThat(fixture.events(1)).as("only the flag").hasSize(1);
    }

    @Test
    void in_a_protected_scope_only_a_kill_is_scheduled_directly_the_rest_needs_a_change_request() {
        ok(admin.put(ENV + "/approval-policy", "{\"requiredApprovals\": 1, \"approverRole\": \"admin\", \"adminBypass\": true}"));
        String body = "{\"applyAt\": \"" + start.plusSeconds(3600) + "\", \"title\": \"t\", \"reason\": \"r\", \"commands\":"
                + " [{\"action\": \"disable\", \"flag\": \"checkout.new_ui\"}]}";

        Api.Response refused = admin.post(SCHEDULES, body);

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.errorCode()).isEqualTo("CHANGE_REQUEST_REQUIRED");
        assertThat(refused.body().get("error").get("message").asText()).contains("/change-requests", "/schedule", "applyAt");
        assertThat(admin.post(SCHEDULES, body.replace("disable", "kill")).status()).as("a kill never waits").isEqualTo(201);
    }

    @Test
    void a_cancelled_change_never_applies_and_cancelling_twice_is_refused() {
        Instant applyAt = start.plus(Duration.ofMinutes(30));
        String id = schedule(applyAt, "[{\"action\": \"kill\", \"flag\": \"checkout.new_ui\"}]", false);

        JsonNode cancelled = ok(fixture.api(fixture.tokens.editor()).post(SCHEDULES + "/" + id + "/cancel",
                "{\"reason\": \"not tonight\", \"expectedVersion\": 1}"));
        assertThat(cancelled.get("schedule").get("status").asText()).isEqualTo("CANCELLED");
        Api.Response again = admin.post(SCHEDULES + "/" + id + "/cancel", "");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.errorCode()).isEqualTo("INVALID_STATE");

        clock.set(applyAt.plusSeconds(10));
        fixture.service.scheduledChanges().tick();
        assertThat(ok(admin.get(FLAGS + "/checkout.new_ui")).get("killed").asBoolean()).isFalse();
        List<FlagEvent> events = fixture.events(3);
        assertThat(events).hasSize(3);
        assertThat(types(events, id)).containsExactly("ScheduledChangeCreated", "ScheduledChangeCancelled");
    }

    @Test
    void the_preview_applies_pending_changes_up_to_its_instant_and_writes_nothing() {
        ok(admin.patch(FLAGS + "/checkout.new_ui/rollout", "{\"percentage\": 0}"));
        Instant ramp = start.plus(Duration.ofHours(3));
        String id = schedule(ramp, "[{\"action\": \"setRollout\", \"flag\": \"checkout.new_ui\", \"percentage\": 100}]", false);
        String user = "{\"context\": {\"targetingKey\": \"user-7\"}}";

        JsonNode now = ok(admin.post(FLAGS + "/checkout.new_ui/evaluate", user));
        JsonNode before = ok(admin.post(FLAGS + "/checkout.new_ui/evaluate?asOf=" + ramp.minusSeconds(1), user));
        JsonNode after = ok(fixture.api(fixture.tokens.viewer()).post(FLAGS + "/checkout.new_ui/evaluate?asOf=" + ramp, user));

        assertThat(now.get("value").asBoolean()).isFalse();
        assertThat(now.get("asOf").asText()).isEqualTo(start.toString());
        assertThat(before.get("value").asBoolean()).isFalse();
        assertThat(before.get("assumed")).isEmpty();
        assertThat(after.get("value").asBoolean()).isTrue();
        assertThat(after.get("variant").asText()).isEqualTo("on");
        assertThat(after.get("reason").asText()).isEqualTo("SPLIT");
        assertThat(after.get("flagVersion").asLong()).isEqualTo(3);
        assertThat(after.get("asOf").asText()).isEqualTo(ramp.toString());
        assertThat(after.get("assumed").get(0).get("kind").asText()).isEqualTo("schedule");
        assertThat(after.get("assumed").get(0).get("id").asText()).isEqualTo(id);
        assertThat(after.get("assumed").get(0).get("at").asText()).isEqualTo(ramp.toString());
        assertThat(after.get("skipped")).isEmpty();
        assertThat(ok(admin.get(FLAGS + "/checkout.new_ui")).get("version").asLong()).as("nothing written").isEqualTo(2);
        assertThat(admin.post(FLAGS + "/no.such/evaluate?asOf=" + ramp, user).errorCode()).isEqualTo("FLAG_NOT_FOUND");
        assertThat(admin.post(FLAGS + "/checkout.new_ui/evaluate?asOf=soon", user).errorField()).isEqualTo("asOf");
        assertThat(admin.post(FLAGS + "/checkout.new_ui/evaluate", "{\"ctx\": {}}").errorField()).isEqualTo("ctx");
        assertThat(admin.post(FLAGS + "/checkout.new_ui/evaluate", "{\"context\": {\"targetingKey\": 7}}").errorField())
                .isEqualTo("context");
    }
}
