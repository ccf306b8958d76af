package io.flagplane.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.testkit.http.Api;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Promise 1: an acknowledged command is never applied twice; a retry with its Idempotency-Key returns the first result. */
@ExtendWith(SharedTestStack.class)
class IdempotencyIT {

    private static final String FLAGS = "/api/v1/environments/production/flags";
    private CommandServiceFixture fixture;

    @BeforeEach
    void start(TestStack stack) {
        fixture = new CommandServiceFixture(stack, "idempotency");
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void a_retried_command_returns_the_first_result_and_writes_nothing() {
        Api api = fixture.admin().with("Idempotency-Key", "create-checkout-1");
        Api.Response first = api.post(FLAGS, "{\"key\":\"checkout.new_ui\",\"type\":\"boolean\"}");
        Api.Response retry = api.post(FLAGS, "{\"key\":\"checkout.new_ui\",\"type\":\"boolean\"}");

        assertThat(first.status()).isEqualTo(201);
        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.headers().get("idempotent-replayed")).isEqualTo("true");
        assertThat(retry.body().get("replayed").asBoolean()).isTrue();
        assertThat(retry.body().get("offset").asLong()).isEqualTo(first.body().get("offset").asLong());
        assertThat(retry.version()).isEqualTo(1);
        assertThat(fixture.events(1)).hasSize(1);
    }

    @Test
    void a_toggle_retried_with_its_key_is_not_applied_twice() {
        fixture.admin().post(FLAGS, "{\"key\":\"a.flag\",\"type\":\"boolean\",\"enabled\":true}");
        Api kill = fixture.admin().with("Idempotency-Key", "kill-42");
        Api.Response killed = kill.post(FLAGS + "/a.flag/kill", "");
        fixture.admin().post(FLAGS + "/a.flag/revive", "");

        Api.Response retried = kill.post(FLAGS + "/a.flag/kill", "");

        assertThat(retried.version()).isEqualTo(killed.version());
        assertThat(fixture.admin().get(FLAGS + "/a.flag").body().get("killed").asBoolean()).as("the retry must not kill again").isFalse();
        assertThat(fixture.events(3)).hasSize(3);
    }

    @Test
    void keys_survive_a_restart_because_they_live_in_the_events() {
        Api.Response first = fixture.admin().with("Idempotency-Key", "rollout-50").post(FLAGS,
                "{\"key\":\"a.flag\",\"type\":\"boolean\"}");
        Api.Response changeSet = fixture.admin().with("Idempotency-Key", "set-1").post("/api/v1/changesets", """
                {"commands":[{"action":"enable","environment":"production","flag":"a.flag"},
                             {"action":"setRollout","environment":"production","flag":"a.flag","percentage":50}]}""");

        fixture.restart();

        Api.Response again = fixture.admin().with("Idempotency-Key", "rollout-50").post(FLAGS, "{\"key\":\"a.flag\",\"type\":\"boolean\"}");
        assertThat(again.body().get("replayed").asBoolean()).isTrue();
        assertThat(again.body().get("offset").asLong()).isEqualTo(first.body().get("offset").asLong());
        Api.Response setAgain = fixture.admin().with("Idempotency-Key", "set-1").post("/api/v1/changesets", """
                {"commands":[{"action":"enable","environment":"production","flag":"a.flag"},
                             {"action":"setRollout","environment":"production","flag":"a.flag","percentage":50}]}""");
        assertThat(setAgain.body().get("replayed").asBoolean()).isTrue();
        assertThat(setAgain.body().get("changeSetId").asText()).isEqualTo(changeSet.body().get("changeSetId").asText());
        assertThat(setAgain.body().get("changes")).extracting(c -> c.get("version").asLong()).containsExactly(2L, 3L);
        assertThat(fixture.events(3)).hasSize(3);
    }

    @Test
    void keys_are_per_caller() {
        fixture.admin().with("Idempotency-Key", "same-key").post(FLAGS, "{\"key\":\"a.flag\",\"type\":\"boolean\"}");

        Api.Response other = fixture.api(fixture.tokens.ci()).with("Idempotency-Key", "same-key")
                .post(FLAGS, "{\"key\":\"b.flag\",\"type\":\"boolean\"}");

        assertThat(other.status()).isEqualTo(201);
        assertThat(other.body().get("replayed").asBoolean()).isFalse();
    }
}
