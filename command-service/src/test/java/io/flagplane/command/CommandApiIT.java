package io.flagplane.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.avro.ActorKind;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagKilled;
import io.flagplane.avro.RolloutChanged;
import io.flagplane.avro.SegmentCreated;
import io.flagplane.contract.FlagStateFold;
import io.flagplane.testkit.http.Api;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every command, through HTTP, against the real broker: what it answers and what it writes. */
@ExtendWith(SharedTestStack.class)
class CommandApiIT {

    private static final String FLAGS = "/api/v1/environments/production/flags";
    private CommandServiceFixture fixture;
    private Api api;

    @BeforeEach
    void start(TestStack stack) {
        fixture = new CommandServiceFixture(stack, "api");
        api = fixture.admin();
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private JsonNode ok(Api.Response response) {
        assertThat(response.status()).as(response.raw()).isBetween(200, 201);
        return response.body();
    }

    @Test
    void seed_001_lifecycle_create_beta_users_tiers_and_a_10_50_100_ramp() {
        JsonNode created = ok(api.post(FLAGS, """
                {"key":"action_plan.customization","type":"boolean","description":"seed 001","tags":["beta"],
                 "reason":"phase 1: initialise disabled"}"""));
        assertThat(created.get("version").asLong()).isEqualTo(1);
        assertThat(created.get("flag").get("enabled").asBoolean()).isFalse();

        ok(api.post(FLAGS + "/action_plan.customization/allow-list", "{\"add\":[\"1\",\"2\",\"3\"],\"reason\":\"internal testers\"}"));
        ok(api.put(FLAGS + "/action_plan.customization/rules", """
                {"rules":[{"id":"tiers","conditions":[{"attribute":"tier","operator":"in","values":["pro","enterprise"]}],
                           "serve":{"variant":"off"}}]}"""));
        ok(api.post(FLAGS + "/action_plan.customization/enable", "{\"reason\":\"phase 2\"}"));
        for (int percentage : new int[] {10, 50, 100}) {
            JsonNode ramped = ok(api.patch(FLAGS + "/action_plan.customization/rollout",
                    "{\"percentage\":" + percentage + ",\"ruleId\":\"tiers\",\"reason\":\"phase ramp\"}"));
            JsonNode split = ramped.get("flag").get("rules").get(0).get("serve").get("split");
            assertThat(split.get(0).get("variant").asText()).isEqualTo("on");
            assertThat(split.get(0).get("weight").decimalValue()).isEqualByComparingTo(String.valueOf(percentage));
        }
        JsonNode back = ok(api.patch(FLAGS + "/action_plan.customization/rollout", "{\"percentage\":5,\"ruleId\":\"tiers\"}"));
        assertThat(back.get("version").asLong()).isEqualTo(8);

        List<FlagEvent> events = fixture.events(8);
        assertThat(events).extracting(FlagStateFold::typeOf).containsExactly("FlagCreated", "TargetsChanged", "RulesChanged",
                "FlagEnabled", "RolloutChanged", "RolloutChanged", "RolloutChanged", "RolloutChanged");
        assertThat(((RolloutChanged) events.get(4).getPayload()).getRuleId()).isEqualTo("tiers");
        assertThat(events).allSatisfy(e -> {
            assertThat(e.getActor().getId()).isEqualTo("alice@example.com");
            assertThat(e.getActor().getKind()).isEqualTo(ActorKind.USER);
        });
        assertThat(events.get(0).getReason()).isEqualTo("phase 1: initialise disabled");
    }

    @Test
    void deny_and_allow_lists_add_and_remove_keys() {
        ok(api.post(FLAGS, "{\"key\":\"checkout.new_ui\",\"type\":\"boolean\",\"enabled\":true}"));
        ok(api.post(FLAGS + "/checkout.new_ui/deny-list", "{\"add\":[\"user_id_3\",\"user_id_4\"]}"));
        ok(api.post(FLAGS + "/checkout.new_ui/allow-list", "{\"add\":[\"user_id_1\",\"user_id_2\"]}"));
        JsonNode flag = ok(api.post(FLAGS + "/checkout.new_ui/deny-list", "{\"remove\":[\"user_id_4\"]}")).get("flag");

        assertThat(flag.get("denyList")).extracting(JsonNode::asText).containsExactly("user_id_3");
        assertThat(flag.get("allowList").get(0).get("keys")).extracting(JsonNode::asText).containsExactly("user_id_1", "user_id_2");
        Api.Response overlap = api.post(FLAGS + "/checkout.new_ui/allow-list", "{\"add\":[\"user_id_3\"]}");
        assertThat(overlap.status()).isEqualTo(422);
        assertThat(overlap.body().get("error").get("message").asText()).contains("both the allow and the deny list");
    }

    @Test
    void definition_metadata_archive_and_restore() {
        ok(api.post(FLAGS, """
                {"key":"ui.theme","type":"string","variants":[{"key":"light","value":"light"},{"key":"dark","value":"dark"}],
                 "offVariant":"light","fallthrough":{"variant":"light"}}"""));
        JsonNode replaced = ok(api.put(FLAGS + "/ui.theme", """
                {"type":"string","variants":[{"key":"light","value":"light"},{"key":"dark","value":"dark"}],
                 "offVariant":"light","fallthrough":{"split":[{"variant":"dark","weight":25.5},{"variant":"light","weight":74.5}]}}"""));
        assertThat(replaced.get("flag").get("fallthrough").get("split").get(0).get("weight").decimalValue())
                .isEqualByComparingTo("25.5");
        JsonNode meta = ok(api.put(FLAGS + "/ui.theme/metadata",
                "{\"description\":\"dark mode\",\"tags\":[\"ui\",\"q3\"],\"owner\":\"design-team\"}")).get("flag");
        assertThat(meta.get("owner").asText()).isEqualTo("design-team");

        ok(api.post(FLAGS + "/ui.theme/archive", "{\"reason\":\"retired\"}"));
        Api.Response changeArchived = api.post(FLAGS + "/ui.theme/enable", "");
        assertThat(changeArchived.status()).isEqualTo(409);
        assertThat(changeArchived.errorCode()).isEqualTo("INVALID_STATE");
        assertThat(api.get(FLAGS).body().get("flags")).isEmpty();
        assertThat(api.get(FLAGS + "?includeArchived=true").body().get("flags")).hasSize(1);
        assertThat(ok(api.post(FLAGS + "/ui.theme/restore", "")).get("flag").get("archived").asBoolean()).isFalse();
    }

    @Test
    void seed_000_kill_by_tag_kills_every_live_flag_with_the_tag_in_one_change_set() {
        for (String key : List.of("charges.engine", "charges.ui", "referrer.fuzzy", "auto_compute.charges")) {
            ok(api.post(FLAGS, "{\"key\":\"" + key + "\",\"type\":\"boolean\",\"enabled\":true,\"tags\":[\"charges\"]}"));
        }
        ok(api.post(FLAGS, "{\"key\":\"unrelated.flag\",\"type\":\"boolean\",\"enabled\":true}"));
        ok(api.post(FLAGS + "/referrer.fuzzy/kill", ""));

        JsonNode result = ok(api.post("/api/v1/environments/production/kill-by-tag",
                "{\"tag\":\"charges\",\"reason\":\"instant rollback: error rate > 5% for 10 min\"}"));

        assertThat(result.get("changes")).hasSize(4);
        assertThat(StreamSupport.stream(result.get("changes").spliterator(), false).filter(c -> c.get("changed").asBoolean()))
                .hasSize(3);
        String changeSetId = result.get("changeSetId").asText();
        List<FlagEvent> kills = fixture.events(9).stream().filter(e -> e.getPayload() instanceof FlagKilled).toList();
        assertThat(kills).hasSize(4);
        assertThat(kills.stream().filter(e -> changeSetId.equals(e.getChangeSetId()))).hasSize(3)
                .allSatisfy(e -> assertThat(e.getReason()).isEqualTo("instant rollback: error rate > 5% for 10 min"));
        assertThat(api.get(FLAGS + "/unrelated.flag").body().get("killed").asBoolean()).isFalse();
        Api.Response none = api.post("/api/v1/environments/production/kill-by-tag", "{\"tag\":\"nothing-has-this\"}");
        assertThat(none.status()).isEqualTo(404);
        assertThat(none.errorCode()).isEqualTo("NO_MATCHING_FLAGS");
    }

    @Test
    void segments_are_created_used_by_rules_replaced_and_archived_only_when_unused() {
        String segments = "/api/v1/environments/production/segments";
        JsonNode created = ok(api.post(segments, """
                {"key":"paying-tiers","description":"seed 001 tiers",
                 "rules":[{"conditions":[{"attribute":"tier","operator":"in","values":["pro","enterprise"]}]}]}"""));
        assertThat(created.get("segment").get("version").asLong()).isEqualTo(1);

        Api.Response unknown = api.post(FLAGS, """
                {"key":"a.flag","type":"boolean","rules":[{"id":"r","conditions":[
                  {"attribute":"targetingKey","operator":"in_segment","values":["no-such-segment"]}],"serve":{"variant":"on"}}]}""");
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.errorCode()).isEqualTo("SEGMENT_NOT_FOUND");
        assertThat(unknown.errorField()).isEqualTo("rules[0].conditions[0].values[0]");

        ok(api.post(FLAGS, """
                {"key":"a.flag","type":"boolean","enabled":true,"fallthrough":{"variant":"off"},"rules":[{"id":"paying","conditions":[
                  {"attribute":"targetingKey","operator":"in_segment","values":["paying-tiers"]}],"serve":{"variant":"on"}}]}"""));
        ok(api.put(segments + "/paying-tiers", """
                {"description":"tiers + beta","included":["1","2"],
                 "rules":[{"conditions":[{"attribute":"tier","operator":"in","values":["pro","enterprise"]}]}]}"""));

        Api.Response inUse = api.post(segments + "/paying-tiers/archive", "");
        assertThat(inUse.status()).isEqualTo(409);
        assertThat(inUse.errorCode()).isEqualTo("SEGMENT_IN_USE");
        assertThat(inUse.body().get("error").get("details")).extracting(JsonNode::asText).containsExactly("a.flag");

        ok(api.put(FLAGS + "/a.flag/rules", "{\"rules\":[]}"));
        JsonNode archived = ok(api.post(segments + "/paying-tiers/archive", "{\"reason\":\"no longer used\"}"));
        assertThat(archived.get("segment").get("archived").asBoolean()).isTrue();
        assertThat(api.get(segments + "/paying-tiers").body().get("version").asLong()).isEqualTo(3);

        List<FlagEvent> events = fixture.events(5);
        FlagEvent segmentCreated = events.stream().filter(e -> e.getPayload() instanceof SegmentCreated).findFirst().orElseThrow();
        assertThat(segmentCreated.getFlagKey()).isEqualTo("paying-tiers");
    }

    @Test
    void a_flag_keeps_its_kind_and_lifetime_and_the_answer_says_how_to_wait_for_the_version() {
        JsonNode created = ok(api.post(FLAGS, "{\"key\":\"ops.cache_size\",\"type\":\"boolean\",\"kind\":\"operational\","
                + "\"lifetimeDays\":14}"));
        assertThat(created.get("flag").get("kind").asText()).isEqualTo("operational");
        assertThat(created.get("flag").get("lifetimeDays").asInt()).isEqualTo(14);
        assertThat(created.get("propagation").asText())
                .isEqualTo("/api/v1/environments/production/flags/ops.cache_size/propagation?version=1");

        JsonNode replaced = ok(api.put(FLAGS + "/ops.cache_size", "{\"type\":\"boolean\",\"kind\":\"kill_switch\"}"));
        assertThat(replaced.get("flag").get("kind").asText()).isEqualTo("kill_switch");
        assertThat(replaced.get("flag").has("lifetimeDays")).as("replaced without one: the kind's lifetime").isFalse();
        assertThat(replaced.get("propagation").asText()).endsWith("/ops.cache_size/propagation?version=2");
        assertThat(ok(api.get(FLAGS + "/ops.cache_size")).get("kind").asText()).isEqualTo("kill_switch");

        Api.Response bad = api.post(FLAGS, "{\"key\":\"ops.other\",\"type\":\"boolean\",\"lifetimeDays\":0}");
        assertThat(bad.status()).as("the command API's status for a field it refuses").isEqualTo(422);
        assertThat(bad.errorCode()).isEqualTo("INVALID_FIELD");
        assertThat(bad.body().get("error").get("field").asText()).isEqualTo("lifetimeDays");
    }

    @Test
    void a_change_set_applies_every_command_with_one_change_set_id_and_sequential_versions() {
        ok(api.post(FLAGS, "{\"key\":\"charges.engine\",\"type\":\"boolean\",\"enabled\":true}"));

        JsonNode result = ok(api.post("/api/v1/changesets", """
                {"reason":"phase 2: finance team","commands":[
                  {"action":"createFlag","environment":"production","key":"charges.ui","type":"boolean","enabled":true},
                  {"action":"replaceRules","environment":"production","flag":"charges.engine","rules":[
                     {"id":"roles","conditions":[{"attribute":"role","operator":"in","values":["finance","admin"]}],
                      "serve":{"variant":"on"}}]},
                  {"action":"setRollout","environment":"production","flag":"charges.engine","percentage":50},
                  {"action":"createSegment","environment":"staging","key":"finance-team","included":["u1"]}]}"""));

        assertThat(result.get("changes")).extracting(c -> c.get("key").asText() + "@" + c.get("version").asLong())
                .containsExactly("charges.ui@1", "charges.engine@2", "charges.engine@3", "finance-team@1");
        String id = result.get("changeSetId").asText();
        List<FlagEvent> events = fixture.events(5);
        assertThat(events.stream().filter(e -> id.equals(e.getChangeSetId()))).hasSize(4)
                .allSatisfy(e -> assertThat(e.getReason()).isEqualTo("phase 2: finance team"));
    }

    @Test
    void the_actor_is_the_token_never_the_body() {
        Api ci = fixture.api(fixture.tokens.ci());
        Api.Response spoofed = ci.post(FLAGS, "{\"key\":\"a.flag\",\"type\":\"boolean\",\"actor\":{\"id\":\"someone-else\",\"kind\":\"USER\"}}");
        assertThat(spoofed.status()).isEqualTo(422);
        assertThat(spoofed.body().at("/error/field").asText()).isEqualTo("actor");
        ok(ci.post(FLAGS, "{\"key\":\"a.flag\",\"type\":\"boolean\"}"));

        FlagEvent event = fixture.events(1).get(0);
        assertThat(event.getActor().getId()).isEqualTo("ci-pipeline");
        assertThat(event.getActor().getKind()).isEqualTo(ActorKind.SERVICE_TOKEN);
    }

    @Test
    void read_your_writes_list_and_read_with_an_etag() {
        ok(api.post(FLAGS, "{\"key\":\"b.flag\",\"type\":\"boolean\"}"));
        ok(api.post(FLAGS, "{\"key\":\"a.flag\",\"type\":\"boolean\",\"tags\":[\"ui\"]}"));

        assertThat(api.get(FLAGS).body().get("flags")).extracting(f -> f.get("key").asText()).containsExactly("a.flag", "b.flag");
        assertThat(api.get(FLAGS + "?tag=ui").body().get("flags")).hasSize(1);
        Api.Response read = api.get(FLAGS + "/a.flag");
        assertThat(read.headers().get("etag")).isEqualTo("\"1\"");
    }
}
