package io.flagplane.command;

import io.flagplane.testkit.MovableClock;
import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.ScheduledChangeState;
import io.flagplane.avro.ScheduledChangeStatus;
import io.flagplane.command.log.CommandProcessor;
import io.flagplane.contract.FlagStateFold;
import io.flagplane.contract.ScheduleRef;
import io.flagplane.testkit.http.Api;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Promise 7 across a failover: an active command-service and a standby on the shared broker and
 * one movable clock; the active one vanishes from the election around the instant a scheduled kill
 * is due (no heartbeat, no goodbye, still running: a zombie until the standby fences it). Whether
 * the old writer committed the apply before it was fenced, was fenced between deciding and
 * committing, or vanished as it was due, the kill and its {@code ScheduledChangeApplied} are on
 * {@code flag-events} exactly once.
 */
@ExtendWith(SharedTestStack.class)
class ScheduledChangeFailoverIT {

    private static final String ENV = "/api/v1/environments/production";
    private static final String FLAGS = ENV + "/flags";
    /** Short, so a vanished writer's lease runs out quickly (the test broker allows 1 s). */
    private static final Map<String, String> SHORT_LEASE = Map.of("command.leader.session.timeout.ms", "2000");

    private final Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private final Instant applyAt = start.plus(Duration.ofHours(1));
    private final MovableClock clock = new MovableClock(start);
    private CommandServiceFixture fixture;
    private CommandService standby;
    private String id;

    @BeforeEach
    void start(TestStack stack) {
        fixture = new CommandServiceFixture(stack, "schedule-failover", SHORT_LEASE, clock);
        standby = fixture.start(SHORT_LEASE);
        Api admin = fixture.admin();
        assertThat(admin.post(FLAGS, "{\"key\":\"checkout.new_ui\",\"type\":\"boolean\",\"enabled\":true}").status()).isEqualTo(201);
        Api.Response created = admin.post(ENV + "/schedules", "{\"applyAt\": \"" + applyAt + "\", \"title\": \"Night kill\","
                + " \"reason\": \"seed 002\", \"commands\": [{\"action\": \"kill\", \"flag\": \"checkout.new_ui\"}]}");
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        id = created.body().get("schedule").get("id").asText();
        assertThat(standby.processor().state()).isEqualTo(CommandProcessor.State.STANDBY);
    }

    @AfterEach
    void stop() {
        standby.close();
        fixture.close();
    }

    private ScheduledChangeState scheduleIn(CommandService service) {
        return (ScheduledChangeState) service.model().state(new ScheduleRef("production", id));
    }

    private void awaitStandbyActive() {
        Api current = new Api(standby.url(), fixture.tokens.admin());
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> current.get("/health/ready").status() == 200);
    }

    /** The committed events of the schedule and the flag, after the new writer has applied (or found applied) the change. */
    private void assertAppliedExactlyOnce() {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            ScheduledChangeState state = scheduleIn(standby);
            return state != null && state.getStatus() == ScheduledChangeStatus.APPLIED;
        });
        // let the new writer's controller look again at an instant well past the due time: it must find nothing to do
        clock.advance(Duration.ofMinutes(1));
        standby.scheduledChanges().tick();
        Api current = new Api(standby.url(), fixture.tokens.admin());
        assertThat(current.post(FLAGS + "/checkout.new_ui/revive", "{\"reason\": \"a marker after the failover\"}").status())
                .isEqualTo(200);

        // five: three of the flag, two of the schedule (environment events are left out). Asking for
        // six waited out the reader's 20 s deadline in every test; nothing is missed by asking for five,
        // since the reader reads to the log's end as it was after the marker, and a fenced writer commits nothing.
        List<FlagEvent> events = fixture.events(5);
        List<String> flag = events.stream().filter(e -> e.getFlagKey().equals("checkout.new_ui")).map(FlagStateFold::typeOf).toList();
        List<String> schedule = events.stream().filter(e -> e.getFlagKey().equals(id)).map(FlagStateFold::typeOf).toList();
        System.out.printf("scheduled change across a failover: flag %s, schedule %s%n", flag, schedule);
        assertThat(schedule).containsExactly("ScheduledChangeCreated", "ScheduledChangeApplied");
        assertThat(flag).as("killed once; the marker is the only thing after it").containsExactly("FlagCreated", "FlagKilled",
                "FlagRevived");
        assertThat(events).extracting(FlagEvent::getVersion).as("gapless per aggregate").containsExactlyInAnyOrder(1L, 2L, 3L, 1L, 2L);
        assertThat(current.get(ENV + "/schedules/" + id).body().get("status").asText()).isEqualTo("APPLIED");
    }

    @Test
    void applied_by_the_old_writer_just_before_it_vanished_it_is_not_applied_again_by_the_new_one() {
        clock.set(applyAt);
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> scheduleIn(fixture.service).getStatus() == ScheduledChangeStatus.APPLIED);

        fixture.service.election().vanish();
        awaitStandbyActive();

        assertAppliedExactlyOnce();
    }

    @Test
    void fenced_between_deciding_and_committing_the_old_writer_writes_nothing_and_the_new_one_applies_it_once() {
        fixture.service.election().vanish();   // still running, still believing it writes: a zombie
        awaitStandbyActive();                  // the new writer has fenced the old one's transactional id

        clock.set(applyAt);                    // both controllers find it due; the zombie decides, then cannot commit
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> fixture.service.processor().isFenced());

        assertThat(scheduleIn(fixture.service).getStatus()).as("the zombie's model never saw its apply commit")
                .isEqualTo(ScheduledChangeStatus.PENDING);
        assertAppliedExactlyOnce();
    }

    @Test
    void the_writer_vanishes_as_the_change_falls_due_and_it_is_applied_exactly_once() {
        clock.set(applyAt);
        fixture.service.election().vanish();
        awaitStandbyActive();

        assertAppliedExactlyOnce();
    }
}
