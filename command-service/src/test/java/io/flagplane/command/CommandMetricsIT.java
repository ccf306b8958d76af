package io.flagplane.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.testkit.http.Api;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code GET /metrics} on the real service: what the writer did shows up in the counters, without a token. */
@ExtendWith(SharedTestStack.class)
class CommandMetricsIT {

    private static final String FLAG = "/api/v1/environments/production/flags/checkout.new_ui";
    private CommandServiceFixture fixture;

    @BeforeEach
    void start(TestStack stack) {
        fixture = new CommandServiceFixture(stack, "metrics");
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void commits_refusals_no_ops_and_replays_are_counted_and_scraped_without_a_token() {
        Api admin = fixture.admin();
        assertThat(admin.post("/api/v1/environments/production/flags", "{\"key\":\"checkout.new_ui\",\"type\":\"boolean\"}")
                .status()).isEqualTo(201);
        assertThat(admin.with("If-Match", "\"1\"").post(FLAG + "/kill", "").status()).isEqualTo(200);
        Api.Response stale = admin.with("If-Match", "\"1\"").post(FLAG + "/kill", "");
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.errorCode()).isEqualTo("VERSION_CONFLICT");
        assertThat(admin.post(FLAG + "/kill", "").status()).isEqualTo(200);   // already killed: nothing to write
        Api once = admin.with("Idempotency-Key", "revive-1");
        assertThat(once.post(FLAG + "/revive", "").status()).isEqualTo(200);
        assertThat(once.post(FLAG + "/revive", "").headers()).containsEntry("idempotent-replayed", "true");

        Api.Response scraped = fixture.api(null).get("/metrics");

        assertThat(scraped.status()).isEqualTo(200);
        assertThat(scraped.headers().get("content-type")).startsWith("text/plain");
        String text = scraped.raw();
        assertThat(text).contains("flagplane_commands_total{action=\"createEnvironment\",outcome=\"committed\"} 2.0\n");
        assertThat(text).contains("flagplane_commands_total{action=\"createFlag\",outcome=\"committed\"} 1.0\n");
        assertThat(text).contains("flagplane_commands_total{action=\"kill\",outcome=\"committed\"} 1.0\n");
        assertThat(text).contains("flagplane_commands_total{action=\"kill\",outcome=\"refused\"} 1.0\n");
        assertThat(text).contains("flagplane_commands_total{action=\"kill\",outcome=\"unchanged\"} 1.0\n");
        assertThat(text).contains("flagplane_commands_total{action=\"revive\",outcome=\"committed\"} 1.0\n");
        assertThat(text).contains("flagplane_commands_total{action=\"revive\",outcome=\"replayed\"} 1.0\n");
        assertThat(text).contains("flagplane_commands_total{action=\"kill\",outcome=\"failed\"} 0.0\n");
        assertThat(text).contains("flagplane_command_refusals_total{code=\"VERSION_CONFLICT\"} 1.0\n");
        assertThat(text).contains("flagplane_writer_state{state=\"active\"} 1.0\n");
        assertThat(text).contains("flagplane_writer_state{state=\"fenced\"} 0.0\n");
        // production and staging declared at start-up, then create, kill, revive: five events
        assertThat(text).contains("flagplane_events_written_total 5.0\n");
        assertThat(text).contains("flagplane_write_model_flags 1.0\n");
        assertThat(text).contains("flagplane_write_model_environments 2.0\n");
        assertThat(text).contains("flagplane_idempotency_keys 1.0\n");
        assertThat(text).contains("flagplane_command_queue_depth 0.0\n");
        assertThat(sample(text, "flagplane_commit_seconds_count")).isGreaterThanOrEqualTo(2);
        assertThat(sample(text, "flagplane_transactions_total")).isEqualTo(sample(text, "flagplane_commit_seconds_count"));
        assertThat(sample(text, "flagplane_batch_events_sum")).isEqualTo(5);
    }

    private static double sample(String text, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(text);
        assertThat(m.find()).as(name + " in\n" + text).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
