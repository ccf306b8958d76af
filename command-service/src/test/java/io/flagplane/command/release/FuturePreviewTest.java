package io.flagplane.command.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flagplane.avro.PlanStatus;
import io.flagplane.avro.PlanStep;
import io.flagplane.avro.RollbackAction;
import io.flagplane.avro.RolloutPlanDefinition;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.avro.ScheduledChangeState;
import io.flagplane.avro.ScheduledChangeStatus;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.domain.ModelWriter;
import io.flagplane.command.http.PlanChangeSets;
import io.flagplane.contract.AvroContract;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.PlanRef;
import io.flagplane.contract.ScheduleRef;
import io.flagplane.evaluation.EvaluationContext;
import io.flagplane.evaluation.Reason;
import io.flagplane.fixtures.Events;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The preview of the future, on the write model without Kafka: pending changes applied in order of time, nothing written. */
class FuturePreviewTest {

    static {
        AvroContract.trustGeneratedClasses();
    }

    private static final String ENV = "production";
    private static final FlagRef CHECKOUT = new FlagRef(ENV, "checkout.new_ui");
    private static final Instant NOW = Instant.parse("2026-12-01T08:00:00Z");
    private static final Instant RAMP = Instant.parse("2026-12-01T09:00:00Z");
    private static final Instant KILL = Instant.parse("2026-12-01T10:00:00Z");
    private static final EvaluationContext USER = EvaluationContext.of("user-1");

    private ModelWriter writer;

    @BeforeEach
    void seed() {
        writer = new ModelWriter(() -> NOW, Events.on(ENV, ENV).version(1).environmentCreated(),
                Events.on(ENV, CHECKOUT.key()).version(1).createdBoolean(true));
        writer.write(new Command.SetRollout(CHECKOUT, null, null, 0, null));   // version 2: nobody gets "on" yet
    }

    /** A change of one command: the JSON it keeps (what is applied) and the command parsed from it. */
    private void schedule(String id, Instant at, boolean applyIfMoved, String json, Command command) {
        writer.write(new Command.CreateSchedule(new ScheduleRef(ENV, id), Events.ALICE, "t", "r", "[" + json + "]", List.of(command),
                at, applyIfMoved, NOW));
    }

    private void scheduleRamp(String id, Instant at) {
        schedule(id, at, false, "{\"action\":\"setRollout\",\"environment\":\"production\",\"flag\":\"checkout.new_ui\","
                + "\"percentage\":100}", new Command.SetRollout(CHECKOUT, null, null, 10_000, null));
    }

    private void scheduleKill(String id, Instant at, boolean applyIfMoved) {
        schedule(id, at, applyIfMoved, "{\"action\":\"kill\",\"environment\":\"production\",\"flag\":\"checkout.new_ui\"}",
                new Command.Kill(CHECKOUT, null));
    }

    private FuturePreview.Answer preview(FlagRef flag, Instant asOf) {
        return FuturePreview.evaluate(writer.model(), flag, NOW, asOf, USER);
    }

    @Test
    void a_scheduled_ramp_is_served_from_its_instant_on_and_nothing_is_written() {
        scheduleRamp("sc-ramp", RAMP);
        int written = writer.written().size();

        FuturePreview.Answer now = preview(CHECKOUT, null);
        FuturePreview.Answer before = preview(CHECKOUT, RAMP.minusMillis(1));
        FuturePreview.Answer after = preview(CHECKOUT, RAMP);

        assertThat(now.value()).isEqualTo(false);
        assertThat(now.asOf()).isEqualTo(NOW);
        assertThat(now.assumed()).isEmpty();
        assertThat(before.value()).isEqualTo(false);
        assertThat(before.flagVersion()).isEqualTo(2);
        assertThat(after.value()).isEqualTo(true);
        assertThat(after.variant()).isEqualTo("on");
        assertThat(after.reason()).isEqualTo(Reason.SPLIT);
        assertThat(after.flagVersion()).isEqualTo(3);
        assertThat(after.asOf()).isEqualTo(RAMP);
        assertThat(after.assumed()).containsExactly(new FuturePreview.Assumed("schedule", "sc-ramp", RAMP));
        assertThat(after.skipped()).isEmpty();
        assertThat(writer.written()).as("a preview writes nothing").hasSize(written);
        assertThat(writer.model().flag(ENV, CHECKOUT.key()).getVersion()).isEqualTo(2);
        assertThat(((ScheduledChangeState) writer.model().state(new ScheduleRef(ENV, "sc-ramp"))).getStatus())
                .isEqualTo(ScheduledChangeStatus.PENDING);
    }

    @Test
    void changes_apply_in_order_of_time_and_one_that_would_fail_then_is_skipped_with_its_refusal() {
        scheduleKill("sc-kill", KILL, false);           // drafted against version 2
        scheduleRamp("sc-ramp", RAMP);

        FuturePreview.Answer answer = preview(CHECKOUT, KILL.plusSeconds(60));

        assertThat(answer.assumed()).containsExactly(new FuturePreview.Assumed("schedule", "sc-ramp", RAMP));
        assertThat(answer.skipped()).singleElement().satisfies(skipped -> {
            assertThat(skipped.id()).isEqualTo("sc-kill");
            assertThat(skipped.at()).isEqualTo(KILL);
            assertThat(skipped.code()).isEqualTo(ErrorCode.MOVED_SINCE_SCHEDULED);
            assertThat(skipped.message()).contains("checkout.new_ui: scheduled at version 2, now at 3");
        });
        assertThat(answer.value()).as("the ramp applied, the kill would not").isEqualTo(true);
    }

    @Test
    void with_apply_if_moved_the_later_change_applies_over_the_earlier_one() {
        scheduleKill("sc-kill", KILL, true);
        scheduleRamp("sc-ramp", RAMP);

        FuturePreview.Answer answer = preview(CHECKOUT, KILL);

        assertThat(answer.assumed()).extracting(FuturePreview.Assumed::id).containsExactly("sc-ramp", "sc-kill");
        assertThat(answer.value()).isEqualTo(false);
        assertThat(answer.reason()).isEqualTo(Reason.DISABLED);
        assertThat(answer.flagVersion()).isEqualTo(4);
    }

    @Test
    void a_flag_a_scheduled_change_creates_exists_only_from_then_on() {
        FlagRef future = new FlagRef(ENV, "checkout.future");
        schedule("sc-create", RAMP, false, "{\"action\":\"createFlag\",\"environment\":\"production\",\"key\":\"checkout.future\","
                + "\"type\":\"boolean\",\"enabled\":true}", new Command.CreateFlag(future, Events.booleanFlag("checkout.future"), true));

        assertThatThrownBy(() -> preview(future, RAMP.minusSeconds(1))).isInstanceOfSatisfying(CommandException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.FLAG_NOT_FOUND));
        FuturePreview.Answer then = preview(future, RAMP);
        assertThat(then.value()).isEqualTo(true);
        assertThat(then.flagVersion()).isEqualTo(1);
    }

    @Test
    void an_instant_at_or_before_now_is_the_current_state_even_with_an_overdue_change() {
        scheduleRamp("sc-ramp", RAMP);
        FuturePreview.Answer past = FuturePreview.evaluate(writer.model(), CHECKOUT, RAMP.plusSeconds(1), RAMP, USER);
        FuturePreview.Answer ahead = FuturePreview.evaluate(writer.model(), CHECKOUT, RAMP.plusSeconds(1), RAMP.plusSeconds(2), USER);

        assertThat(past.value()).as("at now: what is, not what is overdue").isEqualTo(false);
        assertThat(past.asOf()).isEqualTo(RAMP.plusSeconds(1));
        assertThat(ahead.value()).as("ahead of now: the overdue change is about to apply").isEqualTo(true);
        assertThat(ahead.assumed()).extracting(FuturePreview.Assumed::at).as("at once").containsExactly(RAMP.plusSeconds(1));
    }

    // ------------------------------------------------------------------ rollout plans

    private static final PlanRef PLAN = new PlanRef(ENV, "ramp");

    /** A step serving {@code percent} % of the fallthrough "on", held {@code hold}. */
    private static PlanStep step(String name, int percent, Duration hold, boolean manual) {
        return PlanStep.newBuilder().setName(name).setCommandsJson("[{\"action\":\"setRollout\",\"environment\":\"production\","
                + "\"flag\":\"checkout.new_ui\",\"percentage\":" + percent + "}]").setHoldSeconds(hold.getSeconds())
                .setManualApproval(manual).build();
    }

    /** Dark (0 %) for an hour, then everyone (100 %) for two hours with a person's go before it completes. */
    private void draftPlan(Instant startAt) {
        List<PlanStep> steps = List.of(step("dark", 0, Duration.ofHours(1), false), step("all", 100, Duration.ofHours(2), true));
        RolloutPlanDefinition definition = RolloutPlanDefinition.newBuilder().setFlagKeys(List.of(CHECKOUT.key())).setSteps(steps)
                .setRollbackAction(RollbackAction.RESTORE).setStartAt(startAt).build();
        writer.write(new Command.CreatePlan(PLAN, definition, List.of(List.of(new Command.SetRollout(CHECKOUT, null, null, 0, null)),
                List.of(new Command.SetRollout(CHECKOUT, null, null, 10_000, null)))));
    }

    private RolloutPlanState plan() {
        return (RolloutPlanState) writer.model().state(PLAN);
    }

    @Test
    void a_running_plan_takes_its_next_step_when_the_hold_ends_assuming_its_gates_and_a_persons_go() {
        draftPlan(null);
        writer.submit(PlanChangeSets.start(plan(), Events.ALICE, "go")).join();
        assertThat(plan().getStatus()).isEqualTo(PlanStatus.RUNNING);
        int written = writer.written().size();

        FuturePreview.Answer held = preview(CHECKOUT, NOW.plus(Duration.ofMinutes(59)));
        FuturePreview.Answer next = preview(CHECKOUT, NOW.plus(Duration.ofHours(1)));
        FuturePreview.Answer done = preview(CHECKOUT, NOW.plus(Duration.ofHours(5)));

        assertThat(held.value()).isEqualTo(false);
        assertThat(held.assumed()).isEmpty();
        assertThat(next.value()).isEqualTo(true);
        assertThat(next.assumed()).containsExactly(new FuturePreview.Assumed("plan-step", "ramp/all", NOW.plus(Duration.ofHours(1))));
        assertThat(done.assumed()).extracting(FuturePreview.Assumed::kind, FuturePreview.Assumed::at).containsExactly(
                org.assertj.core.groups.Tuple.tuple("plan-step", NOW.plus(Duration.ofHours(1))),
                org.assertj.core.groups.Tuple.tuple("plan-complete", NOW.plus(Duration.ofHours(3))));
        assertThat(done.value()).as("a completed plan leaves its last step's targeting").isEqualTo(true);
        assertThat(done.skipped()).isEmpty();
        assertThat(writer.written()).as("nothing written").hasSize(written);
        assertThat(plan().getCurrentStep()).isZero();
    }

    @Test
    void a_draft_with_a_start_time_starts_then_and_its_steps_follow() {
        draftPlan(RAMP);

        assertThat(preview(CHECKOUT, RAMP.minusSeconds(1)).assumed()).isEmpty();
        FuturePreview.Answer started = preview(CHECKOUT, RAMP);
        assertThat(started.assumed()).containsExactly(new FuturePreview.Assumed("plan-step", "ramp/dark", RAMP));
        assertThat(started.value()).isEqualTo(false);
        FuturePreview.Answer all = preview(CHECKOUT, RAMP.plus(Duration.ofHours(1)));
        assertThat(all.assumed()).extracting(FuturePreview.Assumed::id).containsExactly("ramp/dark", "ramp/all");
        assertThat(all.value()).isEqualTo(true);
    }

    @Test
    void a_scheduled_kill_before_the_next_step_pauses_the_plan_and_the_step_never_comes() {
        draftPlan(null);
        writer.submit(PlanChangeSets.start(plan(), Events.ALICE, "go")).join();
        scheduleKill("sc-kill", NOW.plus(Duration.ofMinutes(30)), true);

        FuturePreview.Answer answer = preview(CHECKOUT, NOW.plus(Duration.ofHours(4)));

        assertThat(answer.assumed()).extracting(FuturePreview.Assumed::id).containsExactly("sc-kill");
        assertThat(answer.skipped()).as("a paused plan is not even tried").isEmpty();
        assertThat(answer.value()).isEqualTo(false);
        assertThat(answer.reason()).isEqualTo(Reason.DISABLED);
    }

    @Test
    void a_schedule_drafted_before_a_plan_step_moved_its_flag_is_skipped_with_its_refusal() {
        draftPlan(null);
        writer.submit(PlanChangeSets.start(plan(), Events.ALICE, "go")).join();
        scheduleRamp("sc-late", NOW.plus(Duration.ofHours(2)));   // drafted against the flag as step "dark" left it

        FuturePreview.Answer answer = preview(CHECKOUT, NOW.plus(Duration.ofHours(2)));

        assertThat(answer.assumed()).extracting(FuturePreview.Assumed::id).containsExactly("ramp/all");
        assertThat(answer.skipped()).extracting(FuturePreview.Skipped::id, FuturePreview.Skipped::code)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("sc-late", ErrorCode.MOVED_SINCE_SCHEDULED));
    }
}
