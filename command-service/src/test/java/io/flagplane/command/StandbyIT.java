package io.flagplane.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.FlagEvent;
import io.flagplane.command.log.CommandProcessor;
import io.flagplane.testkit.http.Api;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A second command-service waits as a standby without disturbing the writer, and takes over when
 * the writer stops or vanishes (a crash or a freeze, as the group coordinator sees it): it fences
 * the old writer, reads the log, answers a retried Idempotency-Key with the first answer, and the
 * old writer, still running, appends nothing.
 */
@ExtendWith(SharedTestStack.class)
class StandbyIT {

    private static final String FLAGS = "/api/v1/environments/production/flags";
    /** Short, so a vanished writer's lease runs out quickly (the test broker allows 1 s). */
    private static final Map<String, String> SHORT_LEASE = Map.of("command.leader.session.timeout.ms", "2000");

    private CommandServiceFixture fixture;
    private CommandService standby;

    @BeforeEach
    void start(TestStack stack) {
        fixture = new CommandServiceFixture(stack, "standby", SHORT_LEASE);
        standby = fixture.start(SHORT_LEASE);
    }

    @AfterEach
    void stop() {
        standby.close();
        fixture.close();
    }

    @Test
    void a_standby_started_beside_the_writer_refuses_requests_and_leaves_the_writer_writing() {
        Api writer = fixture.admin();
        Api waiting = new Api(standby.url(), fixture.tokens.admin());

        assertThat(fixture.service.processor().state()).isEqualTo(CommandProcessor.State.ACTIVE);
        assertThat(standby.processor().state()).isEqualTo(CommandProcessor.State.STANDBY);
        Api.Response ready = waiting.get("/health/ready");
        assertThat(ready.status()).isEqualTo(503);
        assertThat(ready.body().get("role").asText()).isEqualTo("standby");
        assertThat(writer.get("/health/ready").body().get("role").asText()).isEqualTo("active");

        Api.Response refused = waiting.post(FLAGS, "{\"key\":\"a.flag\",\"type\":\"boolean\"}");
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.errorCode()).isEqualTo("WRITER_STANDBY");
        assertThat(waiting.get(FLAGS).errorCode()).as("a standby holds no state to read").isEqualTo("WRITER_STANDBY");

        assertThat(writer.post(FLAGS, "{\"key\":\"a.flag\",\"type\":\"boolean\"}").status()).isEqualTo(201);
        assertThat(writer.post(FLAGS + "/a.flag/enable", "").version()).isEqualTo(2);
        assertThat(fixture.events(2)).extracting(FlagEvent::getVersion).containsExactly(1L, 2L);
        assertThat(fixture.service.processor().state()).as("the standby never fenced the writer")
                .isEqualTo(CommandProcessor.State.ACTIVE);
    }

    @Test
    void when_the_writer_vanishes_the_standby_takes_over_and_the_old_writer_appends_nothing() {
        Api old = fixture.admin();
        String create = "{\"key\":\"checkout.new_ui\",\"type\":\"boolean\"}";
        Api.Response first = old.with("Idempotency-Key", "create-1").post(FLAGS, create);
        assertThat(first.status()).isEqualTo(201);

        fixture.service.election().vanish();   // no heartbeat, no goodbye: the lease runs out

        Api current = new Api(standby.url(), fixture.tokens.admin());
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> current.get("/health/ready").status() == 200);

        Api.Response retried = current.with("Idempotency-Key", "create-1").post(FLAGS, create);
        assertThat(retried.status()).isEqualTo(200);
        assertThat(retried.body().get("replayed").asBoolean()).isTrue();
        assertThat(retried.body().get("offset").asLong()).isEqualTo(first.body().get("offset").asLong());
        assertThat(current.post(FLAGS + "/checkout.new_ui/kill", "{\"reason\":\"from the new writer\"}").version())
                .isEqualTo(2);

        Api.Response zombie = old.post(FLAGS + "/checkout.new_ui/enable", "{\"reason\":\"from the zombie\"}");
        assertThat(zombie.status()).isEqualTo(503);
        assertThat(zombie.errorCode()).isEqualTo("WRITER_FENCED");
        assertThat(old.get("/health/ready").status()).isEqualTo(503);

        List<FlagEvent> events = fixture.events(2);
        assertThat(events).extracting(FlagEvent::getVersion).containsExactly(1L, 2L);
        assertThat(events).noneSatisfy(e -> assertThat(e.getReason()).isEqualTo("from the zombie"));
    }

    @Test
    void a_writer_that_stops_hands_over_to_the_standby_at_once() {
        fixture.admin().post(FLAGS, "{\"key\":\"a.flag\",\"type\":\"boolean\"}");

        fixture.service.close();

        Api current = new Api(standby.url(), fixture.tokens.admin());
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> current.get("/health/ready").status() == 200);
        assertThat(current.get(FLAGS + "/a.flag").version()).as("the new writer read the log").isEqualTo(1);
        assertThat(current.post(FLAGS + "/a.flag/enable", "").version()).isEqualTo(2);
        assertThat(fixture.events(2)).extracting(FlagEvent::getVersion).containsExactly(1L, 2L);
    }
}
