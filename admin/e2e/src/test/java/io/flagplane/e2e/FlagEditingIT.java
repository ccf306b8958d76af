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

        // read again: the write goes through
        driver.navigate().refresh();
        waitText("flag-version", "v4");
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
}
