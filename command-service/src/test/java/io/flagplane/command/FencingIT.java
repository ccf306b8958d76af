package io.flagplane.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.FlagEvent;
import io.flagplane.testkit.http.Api;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Single writer, fenced: a newer instance that takes over (here started without the leader
 * election, as a one-instance deployment runs) fences the old one, which never appends again.
 * StandbyIT covers the elected takeover.
 */
@ExtendWith(SharedTestStack.class)
class FencingIT {

    private static final String FLAGS = "/api/v1/environments/production/flags";
    private CommandServiceFixture fixture;

    @BeforeEach
    void start(TestStack stack) {
        fixture = new CommandServiceFixture(stack, "fencing");
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void a_new_instance_fences_the_old_one_which_answers_503_and_never_appends() {
        Api old = fixture.admin();
        old.post(FLAGS, "{\"key\":\"a.flag\",\"type\":\"boolean\"}");

        try (CommandService newer = fixture.start(Map.of("command.leader.election", "false"))) {
            Api current = new Api(newer.url(), fixture.tokens.admin());
            assertThat(current.get(FLAGS + "/a.flag").status()).as("the new instance rebuilt its state from the log").isEqualTo(200);

            Api.Response zombie = old.post(FLAGS + "/a.flag/kill", "{\"reason\":\"from the zombie\"}");
            assertThat(zombie.status()).isEqualTo(503);
            assertThat(zombie.errorCode()).isEqualTo("WRITER_FENCED");
            assertThat(zombie.body().get("error").get("message").asText()).contains("replaced by a newer one");
            assertThat(old.post(FLAGS, "{\"key\":\"b.flag\",\"type\":\"boolean\"}").errorCode()).isEqualTo("WRITER_FENCED");
            assertThat(old.get("/health/ready").status()).isEqualTo(503);

            assertThat(current.post(FLAGS + "/a.flag/enable", "").version()).isEqualTo(2);
        }
        List<FlagEvent> events = fixture.events(2);
        assertThat(events).extracting(FlagEvent::getVersion).containsExactly(1L, 2L);
        assertThat(events).noneSatisfy(e -> assertThat(e.getReason()).isEqualTo("from the zombie"));
    }
}
