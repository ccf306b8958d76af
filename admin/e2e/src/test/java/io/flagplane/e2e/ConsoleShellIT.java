package io.flagplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The console's shell in a real browser: the login screen, the environment picker, the nav and the flags screen. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleShellIT extends BrowserTestBase {

    @Test
    @Order(1)
    void a_wrong_token_is_refused_with_the_apis_code_and_sentence() {
        open("");
        waitFor("login");
        screenshot("login");
        type("login-token", "not-a-real-token");
        click("login-submit");
        String shown = waitText("login-error", "UNAUTHENTICATED");
        assertThat(shown).contains(" — ");
        screenshot("login-refused");
    }

    @Test
    @Order(2)
    void the_admin_token_signs_in_and_the_flags_screen_lists_the_environments_flags() {
        assertThat(command.post("/api/v1/environments/production/flags",
                Map.of("key", "checkout.new_ui", "type", "boolean", "enabled", true)).status()).isEqualTo(201);
        login();
        waitFor("screen-flags");
        assertThat(waitText("flag-row", "checkout.new_ui")).contains("checkout.new_ui");
        assertThat(find("env-picker").getAttribute("value")).isEqualTo("production");
        assertThat(driver.getCurrentUrl()).endsWith("#/production/flags");
        screenshot("flags");

        js("document.querySelector('[data-testid=env-picker]').value = 'staging';"
                + "document.querySelector('[data-testid=env-picker]').dispatchEvent(new Event('change'));");
        until(d -> d.getCurrentUrl().endsWith("#/staging/flags") ? Boolean.TRUE : null);
        waitText("flag-count", "0 of 0");
        screenshot("staging-empty");
    }
}
