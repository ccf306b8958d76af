package io.flagplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/** One flag's screen and its history in a real browser: rollout slider, rules, a refused write, diffs, the time slider. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FlagEditingIT extends BrowserTestBase {

    private static final String FLAG = "/api/v1/environments/production/flags/pricing.banner";

    @Test
    @Order(1)
    void the_rollout_slider_sets_the_flags_split_and_shows_where_it_is_live() {
        assertThat(command.post("/api/v1/environments/production/flags", Map.of("key", "pricing.banner", "type", "boolean",
                "enabled", true, "description", "the fees banner")).status()).isEqualTo(201);
        login();
        open("#/production/flags/pricing.banner");
        waitText("flag-version", "v1");
        screenshot("flag");
        assertThat(waitText("env-row", "staging")).contains("not in this environment");

        WebElement slider = find("rollout-slider");
        slider.sendKeys(Keys.HOME);
        for (int i = 0; i < 30; i++) {
            slider.sendKeys(Keys.ARROW_RIGHT);
        }
        assertThat(find("rollout-value").getText()).isEqualTo("30%");
        click("rollout-apply");
        assertThat(waitText("propagation", "v2: live on 1 of 1 node")).contains(" ms");
        screenshot("rollout-30");

        JsonNode fallthrough = command.get(FLAG).body().get("fallthrough");
        assertThat(fallthrough.get("split")).hasSize(2);
        for (JsonNode part : fallthrough.get("split")) {
            assertThat(part.get("weight").asDouble()).isEqualTo(part.get("variant").asText().equals("on") ? 30.0 : 70.0);
        }
    }

    @Test
    @Order(2)
    void a_rule_is_added_and_saved_with_its_conditions() {
        click("rule-add");
        type("condition-attribute", "country");
        new Select(find("condition-operator")).selectByValue("in");
        type("condition-values", "DE, FR");
        new Select(find("rule-serve-variant")).selectByValue("on");
        click("condition-add");
        List<WebElement> attributes = all("condition-attribute");
        attributes.get(1).sendKeys("plan");
        new Select(all("condition-operator").get(1)).selectByValue("eq");
        all("condition-values").get(1).sendKeys("pro");
        screenshot("rule-editing");
        click("rules-save");
        waitText("flag-version", "v3");
        waitText("propagation", "v3: live on 1 of 1 node");

        JsonNode rules = command.get(FLAG).body().get("rules");
        assertThat(rules).hasSize(1);
        assertThat(rules.get(0).get("id").asText()).isEqualTo("rule-1");
        assertThat(rules.get(0).get("serve").get("variant").asText()).isEqualTo("on");
        JsonNode conditions = rules.get(0).get("conditions");
        assertThat(conditions.get(0).get("attribute").asText()).isEqualTo("country");
        assertThat(conditions.get(0).get("operator").asText()).isEqualTo("in");
        assertThat(conditions.get(0).get("values")).extracting(JsonNode::asText).containsExactly("DE", "FR");
        assertThat(conditions.get(1).get("operator").asText()).isEqualTo("eq");
        assertThat(conditions.get(1).get("values")).extracting(JsonNode::asText).containsExactly("pro");
        screenshot("rule-saved");

        // the edge serves the rule: a German user gets on whatever the 30 % says
        Rest.Response de = edge.post("/ofrep/v1/evaluate/flags/pricing.banner",
                Map.of("context", Map.of("targetingKey", "user-x", "country", "DE", "plan", "pro")));
        assertThat(de.body().get("variant").asText()).isEqualTo("on");
        assertThat(de.body().get("reason").asText()).isEqualTo("TARGETING_MATCH");
    }

    @Test
    @Order(3)
    void a_write_on_a_stale_version_is_refused_and_the_toast_shows_the_apis_code_and_sentence() {
        // someone else changes the flag behind the page's back: the page still holds v3
        assertThat(command.put(FLAG + "/metadata", Map.of("owner", "team-pricing")).status()).isEqualTo(200);
        Rest.Response direct = command.send("POST", FLAG + "/deny-list", Map.of("add", List.of("user-9"), "expectedVersion", 3));
        assertThat(direct.status()).isEqualTo(409);
        String sentence = direct.body().get("error").get("message").asText();

        type("deny-key", "user-9");
        click("deny-add");
        String toast = waitText("error-toast-text", "VERSION_CONFLICT");
        assertThat(toast).isEqualTo("VERSION_CONFLICT — " + sentence);
        screenshot("version-conflict");
        click("error-toast-dismiss");
        assertThat(command.get(FLAG).body().get("denyList")).isEmpty();

        // the page says so and offers to read the flag again, without a browser reload
        assertThat(waitText("conflict-text", "changed since this page read it")).contains("v3");
        js("window.__sameDocument = true;");
        click("conflict-reload");
        waitText("flag-version", "v4");
        waitGone("conflict-reload");
        assertThat(js("return window.__sameDocument === true;")).isEqualTo(Boolean.TRUE);
        screenshot("reloaded-after-conflict");
        type("deny-key", "user-9");
        click("deny-add");
        waitText("propagation", "v5: live on 1 of 1 node");
        assertThat(command.get(FLAG).body().get("denyList")).extracting(JsonNode::asText).containsExactly("user-9");
        assertThat(waitText("deny-chip", "user-9")).contains("user-9");
    }

    @Test
    @Order(4)
    void the_history_shows_each_change_field_by_field() {
        click("flag-history-link");
        until(d -> d.findElements(testId("history-entry")).size() >= 5 ? Boolean.TRUE : null);
        WebElement rollout = until(d -> d.findElements(testId("history-entry")).stream()
                .filter(e -> "2".equals(e.getAttribute("data-version"))).findFirst().orElse(null));
        String diff = rollout.findElement(testId("history-diff")).getText();
        assertThat(diff).contains("fallthrough").contains("30").contains("70");
        WebElement owner = until(d -> d.findElements(testId("history-entry")).stream()
                .filter(e -> "4".equals(e.getAttribute("data-version"))).findFirst().orElse(null));
        assertThat(owner.findElement(testId("history-diff")).getText()).contains("owner").contains("team-pricing");
        screenshot("history");
    }

    @Test
    @Order(5)
    void the_time_slider_goes_back_to_the_first_version_and_evaluates_a_user_as_of_then() {
        waitText("as-of-version", "v5");
        WebElement slider = find("time-slider");
        slider.sendKeys(Keys.HOME);
        waitText("as-of-version", "v1");
        assertThat(find("as-of-fallthrough").getText()).isEqualTo("serve on");
        assertThat(find("as-of-rules").getText()).isEqualTo("0 rule(s)");
        screenshot("time-slider-v1");

        type("evaluate-key", "user-9");
        click("evaluate-asof");
        waitText("evaluate-variant", "on");
        assertThat(find("evaluate-reason").getText()).contains("flag v1");
        screenshot("evaluated-as-of-v1");

        // and now: user-9 is on the deny list, so the same question as of the end gets off
        slider.sendKeys(Keys.END);
        waitText("as-of-version", "v5");
        click("evaluate-asof");
        waitText("evaluate-variant", "off");
        assertThat(find("evaluate-reason").getText()).contains("flag v5");
    }

    @Test
    @Order(6)
    void a_rule_on_a_segment_is_picked_from_the_segments_and_a_kill_on_the_flag_page_is_not_refused_for_a_stale_version() {
        assertThat(command.post("/api/v1/environments/production/segments", Map.of("key", "beta-users",
                "included", List.of("user-b1", "user-b2"))).status()).isEqualTo(201);
        open("#/production/flags/pricing.banner");
        waitText("flag-version", "v5");
        click("rule-add");
        WebElement second = until(d -> d.findElements(testId("rule")).size() == 2 ? d.findElements(testId("rule")).get(1) : null);
        new Select(second.findElement(testId("condition-operator"))).selectByValue("in_segment");
        new Select(second.findElement(testId("condition-segment"))).selectByValue("beta-users");
        new Select(second.findElement(testId("rule-serve-variant"))).selectByValue("on");
        screenshot("segment-picker");
        click("rules-save");
        waitText("flag-version", "v6");

        JsonNode condition = command.get(FLAG).body().get("rules").get(1).get("conditions").get(0);
        assertThat(condition.get("attribute").asText()).isEqualTo("targetingKey");
        assertThat(condition.get("operator").asText()).isEqualTo("in_segment");
        assertThat(condition.get("values")).extracting(JsonNode::asText).containsExactly("beta-users");
        waitText("propagation", "v6: live on 1 of 1 node");
        Rest.Response beta = edge.post("/ofrep/v1/evaluate/flags/pricing.banner", Map.of("context", Map.of("targetingKey", "user-b1")));
        assertThat(beta.body().get("variant").asText()).isEqualTo("on");
        assertThat(beta.body().get("reason").asText()).isEqualTo("TARGETING_MATCH");

        // someone changes the flag meanwhile; the page still shows v6, and the kill goes through all the same
        assertThat(command.put(FLAG + "/metadata", Map.of("description", "changed elsewhere")).status()).isEqualTo(200);
        click("flag-kill");
        type("confirm-reason", "incident 42");
        click("confirm-ok");
        waitText("propagation", "v8: live on 1 of 1 node");
        waitText("flag-state", "killed");
        assertThat(command.get(FLAG).body().get("killed").asBoolean()).isTrue();
        assertThat(edge.post("/ofrep/v1/evaluate/flags/pricing.banner", Map.of("context", Map.of("targetingKey", "user-b1")))
                .body().get("variant").asText()).isEqualTo("off");
        screenshot("killed-from-the-flag-page");
    }

    private Rest.Response ofrep(String flag, Map<String, Object> context) {
        return edge.post("/ofrep/v1/evaluate/flags/" + flag, Map.of("context", context));
    }

    private String variantFor(String flag, String user) {
        return ofrep(flag, Map.of("targetingKey", user)).body().path("variant").asText();
    }

    @Test
    @Order(7)
    void the_allow_and_deny_lists_and_disable_enable_archive_work_from_the_flag_page() {
        String key = "pricing.lists";
        String path = "/api/v1/environments/production/flags/" + key;
        assertThat(command.post("/api/v1/environments/production/flags", Map.of("key", key, "type", "boolean",
                "enabled", true)).status()).isEqualTo(201);
        open("#/production/flags/" + key);
        waitText("flag-version", "v1");

        type("allow-key", "user-a");
        new Select(find("allow-variant")).selectByValue("off");
        click("allow-add");
        waitText("propagation", "v2: live on 1 of 1 node");
        JsonNode allow = command.get(path).body().get("allowList");
        assertThat(allow).hasSize(1);
        assertThat(allow.get(0).get("variant").asText()).isEqualTo("off");
        assertThat(allow.get(0).get("keys")).extracting(JsonNode::asText).containsExactly("user-a");
        assertThat(variantFor(key, "user-a")).isEqualTo("off");
        assertThat(variantFor(key, "user-z")).isEqualTo("on");
        assertThat(waitText("allow-chip", "user-a")).contains("off");
        screenshot("allowed");

        click("allow-chip-remove");
        waitText("propagation", "v3: live on 1 of 1 node");
        assertThat(command.get(path).body().get("allowList").toString()).doesNotContain("user-a");
        assertThat(variantFor(key, "user-a")).isEqualTo("on");
        assertThat(all("allow-chip")).isEmpty();

        type("deny-key", "user-d");
        click("deny-add");
        waitText("propagation", "v4: live on 1 of 1 node");
        assertThat(command.get(path).body().get("denyList")).extracting(JsonNode::asText).containsExactly("user-d");
        assertThat(variantFor(key, "user-d")).isEqualTo("off");
        waitText("deny-chip", "user-d");
        click("deny-chip-remove");
        waitText("propagation", "v5: live on 1 of 1 node");
        assertThat(command.get(path).body().get("denyList")).isEmpty();
        assertThat(variantFor(key, "user-d")).isEqualTo("on");
        assertThat(all("deny-chip")).isEmpty();

        click("flag-disable");
        waitFor("confirm-dialog");
        type("confirm-reason", "pause the banner");
        click("confirm-ok");
        waitText("propagation", "v6: live on 1 of 1 node");
        waitText("flag-state", "off");
        assertThat(command.get(path).body().get("enabled").asBoolean()).isFalse();
        Rest.Response disabled = ofrep(key, Map.of("targetingKey", "user-z"));
        assertThat(disabled.body().path("variant").asText()).isEqualTo("off");
        assertThat(disabled.body().path("reason").asText()).isEqualTo("DISABLED");
        screenshot("disabled");

        click("flag-enable");
        waitFor("confirm-dialog");
        click("confirm-ok");
        waitText("propagation", "v7: live on 1 of 1 node");
        waitText("flag-state", "on");
        assertThat(command.get(path).body().get("enabled").asBoolean()).isTrue();
        assertThat(variantFor(key, "user-z")).isEqualTo("on");

        click("flag-archive");
        waitFor("confirm-dialog");
        assertThat(find("confirm-ok").isEnabled()).isFalse();   // the key must be typed first
        type("confirm-text", key);
        click("confirm-ok");
        waitText("flag-state", "archived");
        assertThat(command.get(path).body().get("archived").asBoolean()).isTrue();
        Rest.Response archived = until("the edge to know the flag is archived", d -> {
            Rest.Response r = ofrep(key, Map.of("targetingKey", "user-z"));
            return r.body().path("errorCode").asText().equals("FLAG_NOT_FOUND") ? r : null;
        });
        assertThat(archived.body().path("errorDetails").asText()).contains("archived");
        waitFor("flag-restore");
        screenshot("archived");
    }

    @Test
    @Order(8)
    void the_rollout_slider_rolls_out_on_a_rule_as_well_as_on_the_fallthrough() {
        String key = "pricing.rules";
        String path = "/api/v1/environments/production/flags/" + key;
        assertThat(command.post("/api/v1/environments/production/flags", Map.of("key", key, "type", "boolean",
                "enabled", true)).status()).isEqualTo(201);
        assertThat(command.put(path + "/rules", Map.of("rules", List.of(Map.of("id", "beta",
                "conditions", List.of(Map.of("attribute", "plan", "operator", "eq", "values", List.of("beta"))),
                "serve", Map.of("variant", "on"))))).status()).isEqualTo(200);
        open("#/production/flags/" + key);
        waitText("flag-version", "v2");
        assertThat(find("rollout-serving").getText()).isEqualTo("serve on");   // the fallthrough

        new Select(find("rollout-target")).selectByValue("beta");
        assertThat(find("rollout-value").getText()).isEqualTo("100%");
        WebElement slider = find("rollout-slider");
        slider.sendKeys(Keys.HOME);
        for (int i = 0; i < 25; i++) {
            slider.sendKeys(Keys.ARROW_RIGHT);
        }
        assertThat(find("rollout-value").getText()).isEqualTo("25%");
        click("rollout-apply");
        waitText("propagation", "v3: live on 1 of 1 node");
        screenshot("rollout-on-a-rule");

        JsonNode flag = command.get(path).body();
        JsonNode split = flag.get("rules").get(0).get("serve").get("split");
        assertThat(split).hasSize(2);
        for (JsonNode part : split) {
            assertThat(part.get("weight").asDouble()).isEqualTo(part.get("variant").asText().equals("on") ? 25.0 : 75.0);
        }
        assertThat(flag.get("fallthrough").get("variant").asText()).isEqualTo("on");   // untouched
        // the page stays on the rule it rolled out on, and shows where it is
        assertThat(find("rollout-target").getAttribute("value")).isEqualTo("beta");
        assertThat(find("rollout-value").getText()).isEqualTo("25%");
        assertThat(waitText("rollout-serving", "split")).contains("on 25%").contains("off 75%");

        // the edge splits the rule's users and serves everyone else the fallthrough
        java.util.Set<String> beta = new java.util.HashSet<>();
        java.util.Set<String> others = new java.util.HashSet<>();
        for (int i = 0; i < 40; i++) {
            beta.add(ofrep(key, Map.of("targetingKey", "user-" + i, "plan", "beta")).body().path("variant").asText());
            others.add(ofrep(key, Map.of("targetingKey", "user-" + i, "plan", "free")).body().path("variant").asText());
        }
        assertThat(beta).containsExactlyInAnyOrder("on", "off");
        assertThat(others).containsExactly("on");

        new Select(find("rollout-target")).selectByValue("");
        assertThat(find("rollout-value").getText()).isEqualTo("100%");
        assertThat(find("rollout-serving").getText()).isEqualTo("serve on");
    }

    @Test
    @Order(9)
    void the_history_pages_with_the_apis_cursor_when_a_flag_has_more_changes_than_one_page() {
        String key = "pricing.busy";
        String path = "/api/v1/environments/production/flags/" + key;
        assertThat(command.post("/api/v1/environments/production/flags", Map.of("key", key, "type", "boolean",
                "enabled", true)).status()).isEqualTo(201);
        for (int i = 1; i <= 60; i++) {   // 61 versions: more than the console's page of 50
            assertThat(command.put(path + "/metadata", Map.of("description", "change " + i)).status()).isEqualTo(200);
        }
        until("the projection to have all 61 versions", d ->
                projection.get(path).body().path("version").asInt() == 61 ? Boolean.TRUE : null);
        open("#/production/flags/" + key + "/history");
        until(d -> d.findElements(testId("history-entry")).size() == 50 ? Boolean.TRUE : null);
        assertThat(waitText("history-count", "50 change(s) shown")).contains("older ones on request");
        assertThat(all("history-entry").get(0).getAttribute("data-version")).isEqualTo("61");
        assertThat(all("history-entry").get(49).getAttribute("data-version")).isEqualTo("12");
        js("arguments[0].scrollIntoView({block: 'center'})", find("history-older"));
        screenshot("history-first-page");

        // the time slider spans the whole life already: its start is version 1
        find("time-slider").sendKeys(Keys.HOME);
        waitText("as-of-version", "v1");

        click("history-older");
        until(d -> d.findElements(testId("history-entry")).size() == 61 ? Boolean.TRUE : null);
        assertThat(waitText("history-count", "61 change(s) shown")).contains("all of them");
        List<String> versions = all("history-entry").stream().map(e -> e.getAttribute("data-version")).toList();
        assertThat(versions).doesNotHaveDuplicates();
        assertThat(versions.get(60)).isEqualTo("1");
        assertThat(all("history-older").get(0).isDisplayed()).isFalse();
        screenshot("history-all-pages");
    }
}
