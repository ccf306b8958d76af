package io.flagplane.command.release;

import io.flagplane.testkit.MovableClock;
import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.ActorKind;
import io.flagplane.avro.Condition;
import io.flagplane.avro.Experiment;
import io.flagplane.avro.ExperimentDefinition;
import io.flagplane.avro.ExperimentMetric;
import io.flagplane.avro.ExperimentStatus;
import io.flagplane.avro.ExperimentUpdated;
import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagType;
import io.flagplane.avro.MetricKind;
import io.flagplane.avro.Rule;
import io.flagplane.avro.Serve;
import io.flagplane.avro.Split;
import io.flagplane.avro.Variant;
import io.flagplane.avro.WeightedVariant;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.domain.ModelWriter;
import io.flagplane.command.log.CommandRequest;
import io.flagplane.command.log.CommandResult;
import io.flagplane.contract.AvroContract;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.FlagStateFold;
import io.flagplane.fixtures.Events;
import java.time.Clock;
import java.time.Duration;
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
 * Scheduled launches and stops on a clock the test moves (no sleeps), against a writer without
 * Kafka: applied once when due, as SYSTEM with a reason; a due step that cannot happen is counted,
 * its launchAt cleared, and never tried again.
 */
class ExperimentSchedulerTest {

    static {
        AvroContract.trustGeneratedClasses();
    }

    private static final String ENV = "production";
    private static final String FLAG = "pricing.display";
    private static final FlagRef REF = new FlagRef(ENV, FLAG);
    private static final String KEY = "pricing-display-test";
    private static final Instant T0 = Instant.parse("2026-12-01T08:00:00Z");
    private static final Instant LAUNCH = Instant.parse("2026-12-01T09:00:00Z");
    private static final Instant STOP = Instant.parse("2026-12-15T09:00:00Z");

    /** A clock that stands still until the test moves it. */
    private static final class MovableClock extends Clock {
        private Instant now = T0;

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
    private final List<String> refusals = new ArrayList<>();
    private final AtomicBoolean ready = new AtomicBoolean(true);
    private ModelWriter writer;
    private Function<CommandRequest, CompletableFuture<CommandResult>> submit;

    @BeforeEach
    void seed() {
        Split halves = new Split(List.of(new WeightedVariant("control", 5_000), new WeightedVariant("upfront", 5_000)), null);
        FlagDefinition pricing = FlagDefinition.newBuilder().setType(FlagType.STRING)
                .setVariants(List.of(new Variant("control", "\"control\"", null), new Variant("upfront", "\"upfront\"", null)))
                .setOffVariant("control")
                .setRules(List.of(new Rule("beta", null, List.of(new Condition("tier", "in", List.of("beta"))),
                        Serve.newBuilder().setSplit(halves).build())))
                .setFallthrough(Serve.newBuilder().setSplit(halves).build()).setSalt(FLAG).build();
        writer = new ModelWriter(clock::instant, Events.on(ENV, ENV).version(1).environmentCreated(),
                Events.on(ENV, FLAG).version(1).created(pricing, true));
        submit = writer::submit;
    }

    private ExperimentScheduler scheduler() {
        return new ExperimentScheduler(ready::get, request -> submit.apply(request), writer.model(), clock,
                (action, code) -> refusals.add(action + " " + code));
    }

    private void draft(Instant launchAt, Instant stopAt, String ruleId) {
        writer.write(new Command.CreateExperiment(ENV, KEY, FLAG, ExperimentDefinition.newBuilder()
                .setPrimaryMetric(ExperimentMetric.newBuilder().setEventKey("booking_confirmed").setKind(MetricKind.CONVERSION).build())
                .setRuleId(ruleId).setLaunchAt(launchAt).setStopAt(stopAt).build(), null));
    }

    private Experiment experiment() {
        return writer.model().flag(ENV, FLAG).getExperiments().get(0);
    }

    private List<FlagEvent> writtenSince(int from) {
        return writer.written().subList(from, writer.written().size());
    }

    @Test
    void a_scheduled_launch_and_stop_are_each_applied_once_when_due_as_system_with_a_reason() {
        draft(LAUNCH, STOP, null);
        ExperimentScheduler scheduler = scheduler();
        int before = writer.written().size();

        assertThat(scheduler.tick()).as("not due yet").isZero();
        clock.set(LAUNCH);
        assertThat(scheduler.tick()).isEqualTo(1);
        assertThat(scheduler.tick()).as("launched: nothing due until the stop").isZero();
        clock.set(STOP.minusMillis(1));
        assertThat(scheduler.tick()).isZero();
        clock.set(STOP.plus(Duration.ofHours(1)));
        assertThat(scheduler.tick()).isEqualTo(1);
        assertThat(scheduler.tick()).isZero();

        List<FlagEvent> events = writtenSince(before);
        assertThat(events).extracting(FlagStateFold::typeOf).containsExactly("ExperimentLaunched", "ExperimentStopped");
        assertThat(events).allSatisfy(e -> assertThat(e.getActor().getKind()).isEqualTo(ActorKind.SYSTEM));
        assertThat(events.get(0).getOccurredAt()).isEqualTo(LAUNCH);
        assertThat(events.get(0).getReason()).isEqualTo("scheduled launch of experiment " + KEY + " at " + LAUNCH);
        assertThat(events.get(1).getReason()).isEqualTo("scheduled stop of experiment " + KEY + " at " + STOP);
        assertThat(experiment().getStatus()).isEqualTo(ExperimentStatus.STOPPED);
        assertThat(experiment().getWinner()).isNull();
        assertThat(refusals).isEmpty();
    }

    @Test
    void a_paused_experiment_is_stopped_at_its_stop_time_too() {
        draft(null, STOP, null);
        writer.write(new Command.ExperimentStep(Command.Kind.LAUNCH_EXPERIMENT, ENV, KEY, null, null),
                new Command.ExperimentStep(Command.Kind.PAUSE_EXPERIMENT, ENV, KEY, null, null));
        clock.set(STOP);

        assertThat(scheduler().tick()).isEqualTo(1);
        assertThat(experiment().getStatus()).isEqualTo(ExperimentStatus.STOPPED);
    }

    @Test
    void a_launch_that_cannot_happen_is_counted_once_its_launch_at_cleared_and_never_tried_again() {
        draft(LAUNCH, null, "beta");
        writer.write(new Command.ReplaceRules(REF, List.of(), null));   // the measured rule is gone
        ExperimentScheduler scheduler = scheduler();
        int before = writer.written().size();
        clock.set(LAUNCH.plusSeconds(1));

        assertThat(scheduler.tick()).isEqualTo(1);
        for (int i = 0; i < 5; i++) {
            clock.set(clock.instant().plusSeconds(1));
            assertThat(scheduler.tick()).as("left, not looped on").isZero();
        }

        assertThat(refusals).containsExactly("launch " + ErrorCode.EXPERIMENT_SPLIT_INVALID);
        List<FlagEvent> events = writtenSince(before);
        assertThat(events).extracting(FlagStateFold::typeOf).containsExactly("ExperimentUpdated");
        assertThat(((ExperimentUpdated) events.get(0).getPayload()).getDefinition().getLaunchAt()).isNull();
        assertThat(events.get(0).getActor().getKind()).isEqualTo(ActorKind.SYSTEM);
        assertThat(events.get(0).getReason()).contains("scheduled launch of experiment " + KEY, "refused: EXPERIMENT_SPLIT_INVALID",
                "launchAt cleared");
        assertThat(experiment().getStatus()).isEqualTo(ExperimentStatus.DRAFT);
        assertThat(experiment().getDefinition().getRuleId()).as("the rest of the draft is as it was").isEqualTo("beta");
    }

    @Test
    void a_launch_whose_whole_window_passed_while_no_writer_ran_is_not_launched() {
        draft(LAUNCH, STOP, null);
        clock.set(STOP.plusSeconds(1));

        assertThat(scheduler().tick()).isZero();

        assertThat(refusals).containsExactly("launch " + ErrorCode.INVALID_STATE);
        assertThat(experiment().getStatus()).isEqualTo(ExperimentStatus.DRAFT);
        assertThat(experiment().getDefinition().getLaunchAt()).isNull();
        assertThat(experiment().getDefinition().getStopAt()).isEqualTo(STOP);
    }

    @Test
    void an_edit_between_the_plan_and_the_write_is_a_conflict_tried_again_on_the_next_tick_not_a_refusal() {
        draft(LAUNCH, null, null);
        AtomicBoolean raced = new AtomicBoolean();
        submit = request -> {
            if (raced.compareAndSet(false, true)) {   // someone changes the flag just before the launch is decided
                writer.write(new Command.SetMetadata(REF, "edited meanwhile", null, null, null));
            }
            return writer.submit(request);
        };
        ExperimentScheduler scheduler = scheduler();
        clock.set(LAUNCH);

        assertThat(scheduler.tick()).isEqualTo(1);
        assertThat(experiment().getStatus()).as("refused as stale").isEqualTo(ExperimentStatus.DRAFT);
        assertThat(scheduler.tick()).isEqualTo(1);

        assertThat(experiment().getStatus()).isEqualTo(ExperimentStatus.RUNNING);
        assertThat(refusals).isEmpty();
    }

    @Test
    void nothing_is_due_on_a_standby_or_on_an_archived_flag() {
        draft(LAUNCH, null, null);
        clock.set(LAUNCH);
        ready.set(false);
        assertThat(scheduler().tick()).isZero();

        ready.set(true);
        writer.write(new Command.Archive(REF, null));
        assertThat(scheduler().tick()).isZero();
        assertThat(refusals).isEmpty();
        assertThat(experiment().getStatus()).isEqualTo(ExperimentStatus.DRAFT);
    }
}
