package io.flagplane.command.release;

import io.flagplane.testkit.MovableClock;
import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.ActorKind;
import io.flagplane.avro.ApprovalPolicy;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.ScheduledChangeFailed;
import io.flagplane.avro.ScheduledChangeState;
import io.flagplane.avro.ScheduledChangeStatus;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.domain.ModelWriter;
import io.flagplane.command.log.CommandRequest;
import io.flagplane.command.log.CommandResult;
import io.flagplane.contract.AvroContract;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.FlagStateFold;
import io.flagplane.contract.ScheduleRef;
import io.flagplane.fixtures.Events;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Scheduled changes applied on a clock the test moves (no sleeps), against a writer without Kafka:
 * once when due, as the release controller, with a reason; a change that cannot apply is recorded
 * as failed with its refusal and counted, never applied over what moved.
 */
class ScheduledChangeSchedulerTest {

    static {
        AvroContract.trustGeneratedClasses();
    }

    private static final String ENV = "production";
    private static final FlagRef CHECKOUT = new FlagRef(ENV, "checkout.new_ui");
    private static final Instant T0 = Instant.parse("2026-12-01T08:00:00Z");
    private static final Instant APPLY_AT = Instant.parse("2026-12-01T09:00:00Z");
    private static final String KILL = "[{\"action\":\"kill\",\"environment\":\"production\",\"flag\":\"checkout.new_ui\"}]";

    /** A clock that stands still until the test moves it. */
    private static final class MovableClock extends Clock {
        private volatile Instant now = T0;

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    private final MovableClock clock = new MovableClock();
    private final AtomicBoolean ready = new AtomicBoolean(true);
    private final List<String> counted = new ArrayList<>();
    private ModelWriter writer;
    private Function<CommandRequest, CompletableFuture<CommandResult>> submit;
    private int seeded;

    @BeforeEach
    void seed() {
        writer = new ModelWriter(clock::instant, Events.on(ENV, ENV).version(1).environmentCreated(),
                Events.on(ENV, CHECKOUT.key()).version(1).createdBoolean(true));
        submit = writer::submit;
    }

    private ScheduledChangeScheduler scheduler() {
        return new ScheduledChangeScheduler(ready::get, request -> submit.apply(request), writer.model(), clock,
                new ScheduledChangeScheduler.Listener() {
                    @Override
                    public void scheduledChangeApplied() {
                        counted.add("applied");
                    }

                    @Override
                    public void scheduledChangeFailed(ErrorCode code) {
                        counted.add("failed " + code);
                    }
                });
    }

    private ScheduleRef schedule(String id, String json, List<Command> commands, boolean applyIfMoved) {
        ScheduleRef ref = new ScheduleRef(ENV, id);
        writer.write(new Command.CreateSchedule(ref, Events.ALICE, "Kill the old checkout", "seed 002", json, commands, APPLY_AT,
                applyIfMoved, clock.instant()));
        seeded = writer.written().size();
        return ref;
    }

    private ScheduleRef scheduleKill(boolean applyIfMoved) {
        return schedule("sc-1", KILL, List.of(new Command.Kill(CHECKOUT, null)), applyIfMoved);
    }

    private ScheduledChangeState state(ScheduleRef ref) {
        return (ScheduledChangeState) writer.model().state(ref);
    }

    private List<FlagEvent> written() {
        return writer.written().subList(seeded, writer.written().size());
    }

    @Test
    void a_due_change_is_applied_once_at_its_instant_by_the_release_controller_with_a_reason() {
        ScheduleRef ref = scheduleKill(false);
        ScheduledChangeScheduler scheduler = scheduler();

        assertThat(scheduler.tick()).as("not due yet").isZero();
        clock.set(APPLY_AT.minusMillis(1));
        assertThat(scheduler.tick()).isZero();
        clock.set(APPLY_AT);
        assertThat(scheduler.tick()).isEqualTo(1);
        assertThat(scheduler.tick()).as("applied: nothing due any more").isZero();

        assertThat(written()).extracting(FlagStateFold::typeOf).containsExactly("ScheduledChangeApplied", "FlagKilled");
        assertThat(written()).allSatisfy(e -> {
            assertThat(e.getActor()).isEqualTo(ScheduledChangeScheduler.RELEASE_CONTROLLER);
            assertThat(e.getActor().getKind()).isEqualTo(ActorKind.SYSTEM);
            assertThat(e.getOccurredAt()).isEqualTo(APPLY_AT);
            assertThat(e.getReason()).isEqualTo("scheduled change sc-1 (Kill the old checkout) due at " + APPLY_AT + ": seed 002");
        });
        assertThat(state(ref).getStatus()).isEqualTo(ScheduledChangeStatus.APPLIED);
        assertThat(writer.model().flag(ENV, CHECKOUT.key()).getKilled()).isTrue();
        assertThat(counted).containsExactly("applied");
    }

    @Test
    void a_change_whose_flag_moved_fails_visibly_and_overwrites_nothing() {
        ScheduleRef ref = scheduleKill(false);
        writer.write(new Command.Disable(CHECKOUT, null));
        seeded = writer.written().size();
        clock.set(APPLY_AT.plusSeconds(5));

        assertThat(scheduler().tick()).isEqualTo(1);

        assertThat(written()).extracting(FlagEvent::getPayload).singleElement().isInstanceOfSatisfying(ScheduledChangeFailed.class,
                failed -> {
                    assertThat(failed.getCode()).isEqualTo("MOVED_SINCE_SCHEDULED");
                    assertThat(failed.getWhy()).contains("checkout.new_ui: scheduled at version 1, now at 2");
                });
        assertThat(state(ref).getStatus()).isEqualTo(ScheduledChangeStatus.FAILED);
        assertThat(writer.model().flag(ENV, CHECKOUT.key()).getKilled()).isFalse();
        assertThat(counted).containsExactly("failed MOVED_SINCE_SCHEDULED");
        assertThat(scheduler().tick()).as("a failure is final").isZero();
    }

    @Test
    void with_apply_if_moved_it_applies_over_a_flag_that_moved() {
        ScheduleRef ref = scheduleKill(true);
        writer.write(new Command.Disable(CHECKOUT, null));
        clock.set(APPLY_AT);

        scheduler().tick();

        assertThat(state(ref).getStatus()).isEqualTo(ScheduledChangeStatus.APPLIED);
        assertThat(writer.model().flag(ENV, CHECKOUT.key()).getKilled()).isTrue();
    }

    @Test
    void a_refused_command_fails_the_whole_change_with_its_code_and_sentence() {
        ScheduleRef ref = schedule("sc-2", "[{\"action\":\"kill\",\"environment\":\"production\",\"flag\":\"checkout.new_ui\"},"
                + "{\"action\":\"enable\",\"environment\":\"production\",\"flag\":\"no.such\"}]",
                List.of(new Command.Kill(CHECKOUT, null), new Command.Enable(new FlagRef(ENV, "no.such"), null)), false);
        clock.set(APPLY_AT);

        scheduler().tick();

        ScheduledChangeFailed failed = (ScheduledChangeFailed) written().get(0).getPayload();
        assertThat(failed.getCode()).isEqualTo("FLAG_NOT_FOUND");
        assertThat(failed.getWhy()).contains("no.such");
        assertThat(state(ref).getStatus()).isEqualTo(ScheduledChangeStatus.FAILED);
        assertThat(writer.model().flag(ENV, CHECKOUT.key()).getKilled()).as("all or nothing").isFalse();
    }

    @Test
    void a_scope_protected_after_it_was_scheduled_fails_it_but_a_scheduled_kill_still_applies() {
        ScheduleRef enable = schedule("sc-3", "[{\"action\":\"disable\",\"environment\":\"production\",\"flag\":\"checkout.new_ui\"}]",
                List.of(new Command.Disable(CHECKOUT, null)), true);
        ScheduleRef kill = scheduleKill(true);
        writer.write(new Command.SetApprovalPolicy(ENV, ApprovalPolicy.newBuilder().setRequiredApprovals(1).build(), null));
        clock.set(APPLY_AT);

        assertThat(scheduler().tick()).isEqualTo(2);

        assertThat(state(kill).getStatus()).isEqualTo(ScheduledChangeStatus.APPLIED);
        assertThat(state(enable).getStatus()).isEqualTo(ScheduledChangeStatus.FAILED);
        assertThat(state(enable).getFailure()).startsWith("CHANGE_REQUEST_REQUIRED: ").contains("change-requests");
        assertThat(counted).containsExactlyInAnyOrder("applied", "failed CHANGE_REQUEST_REQUIRED");
    }

    @Test
    void a_write_that_did_not_happen_is_tried_again_on_the_next_tick_and_applied_once() {
        ScheduleRef ref = scheduleKill(false);
        clock.set(APPLY_AT);
        submit = request -> CompletableFuture.failedFuture(new CommandException(ErrorCode.UNAVAILABLE, null, "Kafka is away"));

        assertThat(scheduler().tick()).isEqualTo(1);
        assertThat(written()).isEmpty();
        assertThat(state(ref).getStatus()).isEqualTo(ScheduledChangeStatus.PENDING);

        submit = writer::submit;
        ScheduledChangeScheduler scheduler = scheduler();
        assertThat(scheduler.tick()).isEqualTo(1);
        assertThat(scheduler.tick()).isZero();
        assertThat(written()).extracting(FlagStateFold::typeOf).containsExactly("ScheduledChangeApplied", "FlagKilled");
        assertThat(counted).containsExactly("applied");
    }

    @Test
    void a_change_in_flight_is_not_submitted_again_and_a_second_controller_cannot_apply_it_twice() {
        ScheduleRef ref = scheduleKill(false);
        clock.set(APPLY_AT);
        CompletableFuture<CommandResult> pending = new CompletableFuture<>();
        List<CommandRequest> held = new ArrayList<>();
        submit = request -> {
            held.add(request);
            return pending;
        };
        ScheduledChangeScheduler first = scheduler();

        assertThat(first.tick()).isEqualTo(1);
        assertThat(first.tick()).as("in flight").isZero();

        // a second controller (a standby that took over) applies it meanwhile
        submit = writer::submit;
        assertThat(scheduler().tick()).isEqualTo(1);
        // the first controller's write now reaches the writer, decided against the version it read
        CompletableFuture<CommandResult> late = writer.submit(held.get(0));
        assertThat(late).isCompletedExceptionally();
        late.exceptionally(e -> {
            pending.completeExceptionally(e);
            return null;
        });

        assertThat(written()).extracting(FlagStateFold::typeOf).as("applied once, and no failure recorded over it")
                .containsExactly("ScheduledChangeApplied", "FlagKilled");
        assertThat(state(ref).getStatus()).isEqualTo(ScheduledChangeStatus.APPLIED);
        assertThat(counted).containsExactly("applied");
        assertThat(first.tick()).isZero();
    }

    @Test
    void a_cancelled_change_never_applies_and_a_standby_applies_nothing() {
        ScheduleRef ref = scheduleKill(false);
        writer.write(new Command.CancelSchedule(ref, Events.ALICE, null));
        ScheduleRef other = schedule("sc-9", KILL, List.of(new Command.Kill(CHECKOUT, null)), false);
        clock.set(APPLY_AT);
        ready.set(false);

        assertThat(scheduler().tick()).as("not the writer").isZero();
        ready.set(true);
        assertThat(scheduler().tick()).as("only the one not cancelled").isEqualTo(1);
        assertThat(state(ref).getStatus()).isEqualTo(ScheduledChangeStatus.CANCELLED);
        assertThat(state(other).getStatus()).isEqualTo(ScheduledChangeStatus.APPLIED);
    }
}
