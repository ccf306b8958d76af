package io.flagplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.auth.Role;
import io.flagplane.auth.TokenRegistry;
import io.flagplane.avro.ActorKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Four eyes in a real browser, with three people in the stack's tokens file: the admin protects
 * production and sees the tokens screen; Ann proposes a change in the UI and is refused when she
 * approves it herself (the API's sentence in the toast); Bob signs in, finds it waiting for him,
 * approves and applies it; the command API then serves the change.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChangeRequestsScreenIT extends BrowserTestBase {

    private static final String ENV = "/api/v1/environments/production";
    private static final String FLAG = "payments.new_flow";
    private final String admin = TokenRegistry.newToken();
    private final String ann = TokenRegistry.newToken();
    private final String bob = TokenRegistry.newToken();
    private String requestId;

    /** The tokens file LocalStack keeps (an existing one is used as it is): an admin and two editors. */
    @Override
    protected void prepareDataDir(Path dataDir) throws Exception {
        Files.writeString(dataDir.resolve("tokens.json"), "{\"tokens\": ["
                + TokenRegistry.entry("local-admin", ActorKind.USER, Map.of("*", Role.ADMIN), admin) + ","
                + TokenRegistry.entry("ann@example.com", ActorKind.USER, Map.of("*", Role.EDITOR), ann) + ","
                + TokenRegistry.entry("bob@example.com", ActorKind.USER, Map.of("*", Role.EDITOR), bob) + ","
                + TokenRegistry.entry("ci-bot", ActorKind.SERVICE_TOKEN, Map.of("production", Role.EDITOR), TokenRegistry.newToken())
                + "]}", StandardCharsets.UTF_8);
        Files.writeString(dataDir.resolve("admin-token"), admin + "\n", StandardCharsets.UTF_8);
    }

    private void loginAs(String token) {
        open("");
        type("login-token", token);
        click("login-submit");
        waitFor("env-picker");
    }

    private void logout() {
        click("logout");
        waitFor("login");
    }

    @Test
    @Order(1)
    void the_admin_sees_the_people_and_tokens_and_protects_production() {
        assertThat(command.post(ENV + "/flags", Map.of("key", FLAG, "type", "boolean", "enabled", false)).status()).isEqualTo(201);
        assertThat(command.put(ENV + "/approval-policy", Map.of("requiredApprovals", 1, "approverRole", "editor",
                "adminBypass", false, "reason", "four eyes on production")).status()).isEqualTo(200);
        loginAs(admin);
        assertThat(waitText("whoami-id", "local-admin")).isEqualTo("local-admin");
        assertThat(find("whoami-role").getText()).isEqualTo("admin");
        waitFor("nav-tokens");
        open("#/production/tokens");
        waitFor("token-row-bob@example.com");
        assertThat(find("token-kind-ann@example.com").getText()).isEqualTo("USER");
        assertThat(find("token-grants-ann@example.com").getText()).contains("*: editor");
        assertThat(find("token-kind-ci-bot").getText()).isEqualTo("SERVICE_TOKEN");
        assertThat(find("token-grants-local-admin").getText()).contains("*: admin");
        screenshot("tokens");
        logout();
    }

    @Test
    @Order(2)
    void a_non_admin_sees_who_she_is_no_tokens_nav_and_the_apis_refusal_when_she_opens_tokens() {
        loginAs(ann);
        assertThat(waitText("whoami-id", "ann@example.com")).isEqualTo("ann@example.com");
        assertThat(find("whoami-role").getText()).isEqualTo("editor");
        assertThat(all("nav-tokens")).isEmpty();
        waitFor("nav-change-requests");
        screenshot("signed-in-as-ann");

        open("#/production/tokens");
        String refusal = waitText("error-toast", "FORBIDDEN");
        assertThat(refusal).contains("FORBIDDEN — listing tokens needs the admin role");
        waitFor("tokens-refused");
        assertThat(all("nav-tokens")).isEmpty();
        screenshot("tokens-refused-for-ann");
        click("error-toast-dismiss");
        logout();
    }

    @Test
    @Order(3)
    void the_author_proposes_in_the_ui_and_cannot_approve_her_own() {
        loginAs(ann);
        open("#/production/change-requests");
        waitFor("cr-list");
        click("cr-new");
        type("cr-title", "Turn on the new payment flow");
        type("cr-reason", "load test passed");
        type("cr-commands", "[{\"action\":\"enable\",\"flag\":\"" + FLAG + "\"}]");
        screenshot("change-request-form");
        click("cr-open");
        waitText("cr-status", "IN_REVIEW");
        requestId = driver.getCurrentUrl().replaceAll(".*/change-requests/", "");
        assertThat(command.get(ENV + "/change-requests/" + requestId).body().path("author").path("id").asText())
                .isEqualTo("ann@example.com");
        assertThat(find("cr-diff-0-enabled").getText()).contains("false").contains("true");

        click("cr-approve");
        String refusal = waitText("error-toast", "APPROVAL_NOT_ALLOWED");
        assertThat(refusal).contains("ann@example.com");
        screenshot("author-approval-refused");
        assertThat(command.get(ENV + "/change-requests/" + requestId).body().path("status").asText()).isEqualTo("IN_REVIEW");
        click("error-toast-dismiss");
        logout();
    }

    @Test
    @Order(4)
    void a_second_person_approves_it_in_the_inbox_and_applies_it() {
        loginAs(bob);
        open("#/production/change-requests");
        waitFor("cr-waiting-" + requestId);
        screenshot("inbox-waiting-for-bob");
        click("cr-link-" + requestId);
        waitText("cr-author", "ann@example.com");
        waitFor("cr-waiting");
        click("cr-approve");
        waitText("cr-status", "APPROVED");
        assertThat(find("cr-approvals").getText()).contains("bob@example.com");
        screenshot("approved");

        click("cr-apply");
        waitFor("confirm-dialog");
        click("confirm-ok");
        waitText("cr-status", "APPLIED");
        Rest.Response flag = command.get(ENV + "/flags/" + FLAG);
        assertThat(flag.body().path("enabled").asBoolean()).isTrue();
        assertThat(flag.body().path("lastChange").path("changeSetId").asText())
                .isEqualTo(command.get(ENV + "/change-requests/" + requestId).body().path("appliedChangeSetId").asText());
        screenshot("applied");

        open("#/production/change-requests");
        waitFor("cr-list");
        assertThat(all("cr-row-" + requestId)).isEmpty(); // applied requests leave the inbox
        click("cr-show-closed");
        assertThat(List.of(waitText("cr-status-" + requestId, "APPLIED"))).containsExactly("APPLIED");
    }

    @Test
    @Order(5)
    void an_approved_request_is_scheduled_from_the_ui() {
        Rest asAnn = new Rest(stack.commandUrl(), ann);
        Rest.Response opened = asAnn.post(ENV + "/change-requests", Map.of("title", "Switch the new flow off tomorrow",
                "reason", "end of the trial", "submit", true,
                "commands", List.of(Map.of("action", "disable", "flag", FLAG))));
        assertThat(opened.status()).as(opened.body().toString()).isEqualTo(201);
        String id = opened.body().path("changeRequest").path("id").asText();

        open("#/production/change-requests/" + id); // Bob is still signed in
        waitFor("cr-waiting");
        click("cr-approve");
        waitText("cr-status", "APPROVED");
        String tomorrow = java.time.LocalDateTime.now(java.time.ZoneOffset.UTC).plusDays(1).withSecond(0).withNano(0).toString();
        js("arguments[0].value = arguments[1];", find("cr-schedule-at"), tomorrow.substring(0, 16));
        click("cr-schedule");
        waitText("cr-status", "SCHEDULED");
        waitFor("cr-apply-at");
        Rest.Response scheduled = command.get(ENV + "/change-requests/" + id);
        assertThat(scheduled.body().path("status").asText()).isEqualTo("SCHEDULED");
        assertThat(java.time.Instant.parse(scheduled.body().path("applyAt").asText())).isAfter(java.time.Instant.now());
        assertThat(command.get(ENV + "/flags/" + FLAG).body().path("enabled").asBoolean()).isTrue(); // not yet
        screenshot("scheduled");
    }

    @Test
    @Order(6)
    void a_reviewer_comments_on_a_request_and_rejects_it_in_the_ui() {
        Rest asAnn = new Rest(stack.commandUrl(), ann);
        Rest.Response opened = asAnn.post(ENV + "/change-requests", Map.of("title", "Kill the new flow",
                "reason", "one support ticket", "submit", true,
                "commands", List.of(Map.of("action", "kill", "flag", FLAG))));
        assertThat(opened.status()).as(opened.body().toString()).isEqualTo(201);
        String id = opened.body().path("changeRequest").path("id").asText();

        open("#/production/change-requests/" + id); // Bob is still signed in
        waitText("cr-status", "IN_REVIEW");
        type("cr-comment-text", "one ticket is not enough to kill it");
        click("cr-comment-send");
        assertThat(waitText("cr-comment", "one ticket is not enough to kill it")).contains("bob@example.com");
        Rest.Response commented = command.get(ENV + "/change-requests/" + id);
        assertThat(commented.body().path("comments").toString()).contains("one ticket is not enough to kill it")
                .contains("bob@example.com");
        screenshot("commented");

        click("cr-reject");
        waitFor("confirm-dialog");
        type("confirm-reason", "keep it running");
        click("confirm-ok");
        waitText("cr-status", "REJECTED");
        assertThat(all("cr-approve")).isEmpty();
        assertThat(command.get(ENV + "/change-requests/" + id).body().path("status").asText()).isEqualTo("REJECTED");
        assertThat(command.get(ENV + "/flags/" + FLAG).body().path("killed").asBoolean(false)).isFalse();
        screenshot("rejected");
    }
}
