package io.flagplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/** The flags screen in a real browser: create, kill from the list (and the edge serves off), filters, 10,000 flags. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FlagsScreenIT extends BrowserTestBase {

    private static final String PROD = "/api/v1/environments/production";

    private WebElement row(String key) {
        return until(d -> d.findElements(testId("flag-row")).stream()
                .filter(r -> key.equals(r.getAttribute("data-key"))).findFirst().orElse(null));
    }

    @Test
    @Order(1)
    void a_flag_is_created_with_the_new_flag_form() {
        login();
        waitFor("screen-flags");
        screenshot("flags-empty");
        click("new-flag");
        type("new-flag-key", "checkout.new_ui");
        new Select(find("new-flag-type")).selectByValue("boolean");
        type("new-flag-owner", "team-checkout");
        type("new-flag-tags", "checkout, web");
        new Select(find("new-flag-kind")).selectByValue("release");
        type("new-flag-description", "the new checkout page");
        find("new-flag-enabled").click();
        screenshot("new-flag-form");
        click("new-flag-submit");

        waitText("flag-key", "checkout.new_ui");
        until(d -> d.getCurrentUrl().endsWith("#/production/flags/checkout.new_ui") ? Boolean.TRUE : null);
        Rest.Response flag = command.get(PROD + "/flags/checkout.new_ui");
        assertThat(flag.status()).isEqualTo(200);
        assertThat(flag.body().get("owner").asText()).isEqualTo("team-checkout");
        assertThat(flag.body().get("tags")).extracting(JsonNode::asText).containsExactly("checkout", "web");
        assertThat(flag.body().get("enabled").asBoolean()).isTrue();
        assertThat(flag.body().get("description").asText()).isEqualTo("the new checkout page");
        screenshot("flag-created");
    }

    @Test
    @Order(2)
    void a_kill_from_the_list_asks_first_then_the_edge_serves_off_and_the_list_says_where_it_is_live() {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                edge.post("/ofrep/v1/evaluate/flags/checkout.new_ui", Map.of("context", Map.of("targetingKey", "user-1")))
                        .body().path("variant").asText()).isEqualTo("on"));

        open("#/production/flags");
        type("flag-search", "checkout");
        row("checkout.new_ui").findElement(testId("flag-kill")).click();
        waitFor("confirm-dialog");
        assertThat(find("confirm-title").getText()).isEqualTo("Kill checkout.new_ui in production?");
        click("confirm-cancel");
        waitGone("confirm-dialog");
        assertThat(command.get(PROD + "/flags/checkout.new_ui").body().get("killed").asBoolean()).as("cancel kills nothing").isFalse();

        row("checkout.new_ui").findElement(testId("flag-kill")).click();
        type("confirm-reason", "error rate above 5%");
        screenshot("kill-confirm");
        click("confirm-ok");

        String shown = waitText("propagation", "live on 1 of 1 node");
        assertThat(shown).startsWith("v2: live on 1 of 1 node").contains(" ms");
        assertThat(row("checkout.new_ui").findElement(testId("flag-state")).getText()).isEqualTo("killed");
        Rest.Response answer = edge.post("/ofrep/v1/evaluate/flags/checkout.new_ui", Map.of("context", Map.of("targetingKey", "user-1")));
        assertThat(answer.body().get("variant").asText()).isEqualTo("off");
        assertThat(answer.body().get("value").asBoolean()).isFalse();
        JsonNode killed = command.get(PROD + "/flags/checkout.new_ui").body();
        assertThat(killed.get("killed").asBoolean()).isTrue();
        assertThat(killed.get("lastChange").get("reason").asText()).isEqualTo("error rate above 5%");
        screenshot("killed-live-on-1-of-1");

        row("checkout.new_ui").findElement(testId("flag-revive")).click();
        type("confirm-reason", "fixed");
        click("confirm-ok");
        waitText("propagation", "v3: live on 1 of 1 node");
        assertThat(edge.post("/ofrep/v1/evaluate/flags/checkout.new_ui", Map.of("context", Map.of("targetingKey", "user-1")))
                .body().get("variant").asText()).isEqualTo("on");
    }

    @Test
    @Order(3)
    void the_filters_narrow_the_list_by_tag_owner_kind_and_lifecycle_status() {
        assertThat(command.post(PROD + "/flags", Map.of("key", "search.ranking", "type", "boolean", "owner", "team-search",
                "tags", List.of("search"), "kind", "experiment")).status()).isEqualTo(201);
        assertThat(command.post(PROD + "/flags", Map.of("key", "ops.maintenance", "type", "boolean", "owner", "team-sre",
                "tags", List.of("ops", "web"), "kind", "kill_switch")).status()).isEqualTo(201);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(projection.get(PROD + "/flags").body().get("flags")).as("the projection's lifecycle list").hasSize(3));
        open("#/production/flags");
        waitText("flag-count", "3 of 3 flags");

        new Select(find("filter-tag")).selectByValue("web");
        assertThat(waitText("flag-count", "2 of 3 flags")).isNotEmpty();
        assertThat(keysShown()).containsExactly("checkout.new_ui", "ops.maintenance");
        new Select(find("filter-owner")).selectByValue("team-sre");
        waitText("flag-count", "1 of 3 flags");
        assertThat(keysShown()).containsExactly("ops.maintenance");
        screenshot("filtered-tag-owner");

        new Select(find("filter-tag")).selectByValue("");
        new Select(find("filter-owner")).selectByValue("");
        new Select(find("filter-kind")).selectByValue("experiment");
        waitText("flag-count", "1 of 3 flags");
        assertThat(keysShown()).containsExactly("search.ranking");
        new Select(find("filter-kind")).selectByValue("");

        JsonNode lifecycle = projection.get(PROD + "/flags").body().get("flags");
        String status = lifecycle.get(0).get("status").asText();
        long withStatus = 0;
        for (JsonNode flag : lifecycle) {
            withStatus += flag.get("status").asText().equals(status) ? 1 : 0;
        }
        new Select(find("filter-status")).selectByValue(status);
        waitText("flag-count", withStatus + " of 3 flags");
        new Select(find("filter-status")).selectByValue("");
        find("filter-stale").click();
        waitText("flag-count", "0 of 3 flags");
        find("filter-stale").click();
        waitText("flag-count", "3 of 3 flags");
    }

    private List<String> keysShown() {
        return until(d -> {
            List<String> keys = new ArrayList<>();
            for (WebElement r : d.findElements(testId("flag-row"))) {
                keys.add(r.getAttribute("data-key"));
            }
            return keys;
        });
    }

    @Test
    @Order(4)
    void ten_thousand_flags_are_listed_a_window_at_a_time_and_search_narrows_them_as_you_type() {
        for (int batch = 0; batch < 20; batch++) {
            List<Map<String, Object>> commands = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                commands.add(Map.of("action", "createFlag", "environment", "staging", "key",
                        String.format("load.flag-%05d", batch * 500 + i), "type", "boolean", "tags", List.of("t" + (i % 10))));
            }
            Rest.Response done = command.post("/api/v1/changesets", Map.of("reason", "10,000 flags", "commands", commands));
            assertThat(done.status()).as(done.body().toString()).isEqualTo(200);
        }
        open("#/staging/flags");
        waitText("flag-count", "10000 of 10000 flags");
        int rendered = all("flag-row").size();
        assertThat(rendered).as("only the rows in view are in the page").isBetween(1, 80);
        screenshot("ten-thousand");

        WebElement search = find("flag-search");
        search.sendKeys("flag-0777");
        waitText("flag-count", "10 of 10000 flags");
        assertThat(keysShown()).hasSize(10).allSatisfy(k -> assertThat(k).startsWith("load.flag-0777"));
        search.sendKeys("3");
        waitText("flag-count", "1 of 10000 flags");
        assertThat(keysShown()).containsExactly("load.flag-07773");
        screenshot("ten-thousand-searched");

        find("flag-search").clear();
        find("flag-search").sendKeys("x");
        find("flag-search").sendKeys(org.openqa.selenium.Keys.BACK_SPACE);
        waitText("flag-count", "10000 of 10000 flags");
        js("document.querySelector('[data-testid=vlist]').scrollTop = 38 * 9990;");
        assertThat(waitText("flag-row", "load.flag-09999")).contains("load.flag-09999");
    }
}
