package io.flagplane.command.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.flagplane.avro.Actor;
import io.flagplane.avro.ActorKind;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagKilled;
import io.flagplane.avro.FlagPlanSet;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.PlanCompleted;
import io.flagplane.avro.PlanPaused;
import io.flagplane.avro.PlanRolledBack;
import io.flagplane.avro.PlanStarted;
import io.flagplane.avro.PlanStatus;
import io.flagplane.avro.PlanStep;
import io.flagplane.avro.PlanStepApproved;
import io.flagplane.avro.PlanStepStarted;
import io.flagplane.avro.RollbackAction;
import io.flagplane.avro.RolloutPlanDefinition;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.contract.AvroContract;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.FlagStateFold;
import io.flagplane.contract.PlanRef;
import io.flagplane.fixtures.Events;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A rollout plan's lifecycle, decided without a broker: what each command writes (both sides of
 * each decision), the step order, the manual go, one plan per flag, and a kill that pauses the
 * plan it stops but is never refused.
 */
class PlanDeciderTest {

    static {
        AvroContract.trustGeneratedClasses();
    }

    private static final String ENV = "production";
    private static final FlagRef FLAG = new FlagRef(ENV, "action_plan.customization");
    private static final FlagRef OTHER = new FlagRef(ENV, "action_plan.export");
    private static final PlanRef PLAN = new PlanRef(ENV, "action-plan-rollout");
    private static final Actor CI = new Actor("ci-pipeline", ActorKind.SERVICE_TOKEN);

    private ModelWriter writer;

    @BeforeEach
    void seed() {
        writer = new ModelWriter(() -> Instant.parse("2026-12-01T09:00:00Z"), Events.on(ENV, ENV).version(1).environmentCreated(),
                Events.on(ENV, FLAG.key()).version(1).createdBoolean(false),
                Events.on(ENV, OTHER.key()).version(1).createdBoolean(false));
    }

    /** Two steps on {@link #FLAG}: 10 %, then 100 % with a person's go. */
    private static RolloutPlanDefinition definition(boolean manualLast) {
        return RolloutPlanDefinition.newBuilder()
                .setFlagKeys(List.of(FLAG.key()))
                .setSteps(List.of(step("ten", false), step("all", manualLast)))
                .build();
    }

    private static PlanStep step(String name, boolean manual) {
        return PlanStep.newBuilder().setName(name).setCommandsJson("[]").setHoldSeconds(60).setManualApproval(manual).build();
    }

    private static List<List<Command>> stepCommands() {
        return List.of(List.of(new Command.SetRollout(FLAG, null, null, 1_000, null), new Command.Enable(FLAG, null)),
                List.of(new Command.SetRollout(FLAG, null, null, 10_000, null)));
    }

    private void draft(boolean manualLast) {
        writer.write(new Command.CreatePlan(PLAN, definition(manualLast), stepCommands()));
    }

    /** As PlanChangeSets builds it: the start, then step 0's commands. */
    private List<FlagEvent> start() {
        List<Command> commands = new ArrayList<>();
        commands.add(new Command.StartPlan(PLAN, plan().getVersion(), stepCommands().get(0).size()));
        commands.addAll(stepCommands().get(0));
        return writer.write(commands.toArray(Command[]::new));
    }

    private List<FlagEvent> advance() {
        List<Command> commands = new ArrayList<>();
        commands.add(new Command.AdvancePlan(PLAN, plan().getCurrentStep(), plan().getVersion(), 1));
        commands.addAll(stepCommands().get(plan().getCurrentStep() + 1));
        return writer.write(commands.toArray(Command[]::new));
    }

    private RolloutPlanState plan() {
        return (RolloutPlanState) writer.model().state(PLAN);
    }

    private FlagState flag(FlagRef ref) {
        return writer.model().flag(ENV, ref.key());
    }

    private CommandException refused(Command... commands) {
        int before = writer.written().size();
        CommandException e = catchThrowableOfType(CommandException.class, () -> writer.write(commands));
        assertThat(e).as("refused").isNotNull();
        assertThat(writer.written()).as("a refusal writes nothing").hasSize(before);
        return e;
    }

    private static List<String> types(List<FlagEvent> events) {
        return events.stream().map(e -> FlagStateFold.typeOf(e) + " " + e.getFlagKey()).toList();
    }

    @Test
    void starting_marks_the_flags_snapshots_them_and_applies_the_first_step_in_one_request() {
        draft(false);

        List<FlagEvent> events = start();

        assertThat(types(events)).containsExactly("PlanStarted action-plan-rollout", "FlagPlanSet action_plan.customization",
                "PlanStepStarted action-plan-rollout", "RolloutChanged action_plan.customization",
                "FlagEnabled action_plan.customization");
        PlanStarted started = (PlanStarted) events.get(0).getPayload();
        assertThat(started.getBeforePlan()).singleElement().satisfies(s -> {
            assertThat(s.getVersion()).isEqualTo(1);
            assertThat(s.getEnabled()).isFalse();
            assertThat(s.getDefinition()).isEqualTo(Events.booleanFlag(FLAG.key()));
        });
        assertThat(((PlanStepStarted) events.get(2).getPayload()).getStep()).isZero();
        assertThat(plan().getStatus()).isEqualTo(PlanStatus.RUNNING);
        assertThat(flag(FLAG).getPlan()).isEqualTo(PLAN.key());
        assertThat(flag(FLAG).getEnabled()).isTrue();
    }

    @Test
    void a_start_without_its_first_steps_commands_is_refused_and_a_plan_starts_once() {
        draft(false);
        assertThat(refused(new Command.StartPlan(PLAN, null, null)).code()).isEqualTo(ErrorCode.INVALID_STATE);

        start();
        CommandException again = refused(new Command.StartPlan(PLAN, null, 0));
        assertThat(again.code()).isEqualTo(ErrorCode.INVALID_STATE);
        assertThat(again.getMessage()).contains("is running and cannot be started");
    }

    @Test
    void a_flag_runs_one_plan_at_a_time_and_the_refusal_names_the_other_plan() {
        draft(false);
        start();
        PlanRef second = new PlanRef(ENV, "second-plan");

        CommandException e = refused(new Command.CreatePlan(second, definition(false), stepCommands()));

        assertThat(e.code()).isEqualTo(ErrorCode.PLAN_ALREADY_RUNNING);
        assertThat(e.field()).isEqualTo("flagKeys[0]");
        assertThat(e.details()).containsExactly(PLAN.key());
    }

    @Test
    void only_a_draft_is_edited_and_a_stale_version_is_a_conflict() {
        draft(false);
        RolloutPlanDefinition edited = RolloutPlanDefinition.newBuilder(definition(false)).setDescription("seed 002").build();
        assertThat(refused(new Command.UpdatePlan(PLAN, edited, stepCommands(), 7L)).code()).isEqualTo(ErrorCode.VERSION_CONFLICT);
        assertThat(writer.write(new Command.UpdatePlan(PLAN, edited, stepCommands(), 1L))).hasSize(1);
        assertThat(writer.write(new Command.UpdatePlan(PLAN, edited, stepCommands(), null))).as("the same definition").isEmpty();

        start();
        assertThat(refused(new Command.UpdatePlan(PLAN, definition(false), stepCommands(), null)).getMessage())
                .contains("is running and cannot be edited");
    }

    @Test
    void steps_advance_in_order_and_a_command_decided_against_an_older_step_is_refused() {
        draft(false);
        start();
        long atStepZero = plan().getVersion();

        List<FlagEvent> events = advance();

        assertThat(types(events)).containsExactly("PlanStepStarted action-plan-rollout", "RolloutChanged action_plan.customization");
        assertThat(((PlanStepStarted) events.get(0).getPayload()).getBeforeStep()).singleElement()
                .satisfies(s -> assertThat(s.getEnabled()).as("taken after step 0 applied").isTrue());
        assertThat(refused(new Command.AdvancePlan(PLAN, 0, atStepZero, 0)).code()).isEqualTo(ErrorCode.VERSION_CONFLICT);
        assertThat(refused(new Command.AdvancePlan(PLAN, 0, null, 0)).getMessage()).contains("is at step 1, not 0");
        assertThat(refused(new Command.AdvancePlan(PLAN, 1, null, 0)).getMessage()).contains("last step");
    }

    @Test
    void a_manual_step_waits_for_a_persons_go_a_no_go_is_recorded_and_a_service_token_gives_neither() {
        draft(true);
        start();
        advance();
        assertThat(refused(new Command.CompletePlan(PLAN, 1, "done", null)).getMessage()).contains("waits for a person's go");

        Command.ApprovePlanStep byToken = new Command.ApprovePlanStep(PLAN, CI, 1, true, null, null);
        assertThat(refused(byToken).code()).isEqualTo(ErrorCode.APPROVAL_NOT_ALLOWED);
        assertThat(refused(new Command.ApprovePlanStep(PLAN, Events.ALICE, 0, true, null, null)).getMessage())
                .contains("is at step 1, not 0");

        List<FlagEvent> noGo = writer.write(new Command.ApprovePlanStep(PLAN, Events.ALICE, 1, false, "error budget spent", null));
        assertThat(((PlanStepApproved) noGo.get(0).getPayload()).getApproved()).isFalse();
        assertThat(refused(new Command.CompletePlan(PLAN, 1, "done", null)).code()).isEqualTo(ErrorCode.INVALID_STATE);

        writer.write(new Command.ApprovePlanStep(PLAN, Events.ALICE, 1, true, "go", null));
        List<FlagEvent> completed = writer.write(new Command.CompletePlan(PLAN, 1, "all steps held", null));

        assertThat(types(completed)).containsExactly("PlanCompleted action-plan-rollout", "FlagPlanSet action_plan.customization");
        assertThat(((PlanCompleted) completed.get(0).getPayload()).getSummary()).isEqualTo("all steps held");
        assertThat(((FlagPlanSet) completed.get(1).getPayload()).getPlanKey()).isNull();
        assertThat(flag(FLAG).getPlan()).isNull();
    }

    @Test
    void a_step_that_advances_by_itself_takes_no_go() {
        draft(false);
        start();

        CommandException e = refused(new Command.ApprovePlanStep(PLAN, Events.ALICE, 0, true, null, null));

        assertThat(e.getMessage()).contains("advances by itself");
    }

    @Test
    void a_kill_pauses_the_running_plan_of_its_flag_in_the_same_request_and_is_never_refused() {
        draft(false);
        start();

        List<FlagEvent> events = writer.write(new Command.Kill(FLAG, null));

        assertThat(types(events)).containsExactly("FlagKilled action_plan.customization", "PlanPaused action-plan-rollout");
        assertThat(((PlanPaused) events.get(1).getPayload()).getWhy()).isEqualTo("flag action_plan.customization was killed");
        assertThat(plan().getStatus()).isEqualTo(PlanStatus.PAUSED);

        assertThat(refused(new Command.ResumePlan(PLAN, null)).getMessage()).contains("is killed; revive it");
        List<FlagEvent> again = writer.write(new Command.Kill(FLAG, null), new Command.Revive(FLAG, null),
                new Command.Kill(FLAG, null));
        assertThat(types(again)).as("a paused plan is not paused again").containsExactly("FlagRevived action_plan.customization",
                "FlagKilled action_plan.customization");
    }

    @Test
    void a_kill_by_tag_pauses_each_plan_it_stops_once_naming_every_flag() {
        writer.write(new Command.SetMetadata(FLAG, null, List.of("actions"), null, null),
                new Command.SetMetadata(OTHER, null, List.of("actions"), null, null));
        RolloutPlanDefinition both = RolloutPlanDefinition.newBuilder(definition(false))
                .setFlagKeys(List.of(FLAG.key(), OTHER.key())).setTag("actions").build();
        writer.write(new Command.CreatePlan(PLAN, both, stepCommands()));
        start();

        List<FlagEvent> events = writer.write(new Command.KillByTag(ENV, "actions"));

        assertThat(types(events)).containsExactly("FlagKilled action_plan.customization", "FlagKilled action_plan.export",
                "PlanPaused action-plan-rollout");
        assertThat(((PlanPaused) events.get(2).getPayload()).getWhy())
                .isEqualTo("flags action_plan.customization, action_plan.export were killed");
        assertThat(events.get(0).getPayload()).isInstanceOf(FlagKilled.class);
    }

    @Test
    void pause_and_resume_are_idempotent_and_a_final_plan_takes_neither() {
        draft(false);
        start();
        assertThat(writer.write(new Command.PausePlan(PLAN, null, null))).singleElement()
                .satisfies(e -> assertThat(((PlanPaused) e.getPayload()).getWhy()).isEqualTo("paused by hand"));
        assertThat(writer.write(new Command.PausePlan(PLAN, "again", null))).isEmpty();
        assertThat(writer.write(new Command.ResumePlan(PLAN, null))).hasSize(1);
        assertThat(writer.write(new Command.ResumePlan(PLAN, null))).isEmpty();

        writer.write(new Command.CancelPlan(PLAN, null));
        assertThat(flag(FLAG).getPlan()).as("a cancel clears the marker").isNull();
        assertThat(flag(FLAG).getEnabled()).as("and leaves the flags as they are").isTrue();
        assertThat(refused(new Command.PausePlan(PLAN, null, null)).getMessage()).contains("is cancelled and cannot be paused");
        assertThat(refused(new Command.ResumePlan(PLAN, null)).code()).isEqualTo(ErrorCode.INVALID_STATE);
    }

    @Test
    void a_rollback_records_the_step_the_action_and_the_guardrail_and_frees_the_flags() {
        draft(false);
        start();
        assertThat(refused(new Command.RollBackPlan(PLAN, null, null, null, null, null)).getMessage())
                .as("without its commands").contains("came without the commands");

        List<FlagEvent> events = writer.write(new Command.RollBackPlan(PLAN, RollbackAction.KILL, "error-rate",
                "step ten: error-rate: http_error rate 7.2 % > 5 %; rolled back (KILL)", null, 1), new Command.Kill(FLAG, null));

        assertThat(types(events)).containsExactly("PlanRolledBack action-plan-rollout", "FlagPlanSet action_plan.customization",
                "FlagKilled action_plan.customization");
        PlanRolledBack rolledBack = (PlanRolledBack) events.get(0).getPayload();
        assertThat(rolledBack.getStep()).isZero();
        assertThat(rolledBack.getAction()).isEqualTo(RollbackAction.KILL);
        assertThat(rolledBack.getGuardrail()).isEqualTo("error-rate");
        assertThat(plan().getStatus()).isEqualTo(PlanStatus.ROLLED_BACK);
        assertThat(plan().getStatusReason()).contains("7.2 % > 5 %");
        assertThat(refused(new Command.RollBackPlan(PLAN, null, null, null, null, 0)).getMessage()).contains("rolled back and cannot");
    }

    @Test
    void a_plan_for_a_missing_or_archived_flag_or_another_environment_is_refused() {
        RolloutPlanDefinition missing = RolloutPlanDefinition.newBuilder(definition(false)).setFlagKeys(List.of("no.such")).build();
        CommandException e = refused(new Command.CreatePlan(PLAN, missing, stepCommands()));
        assertThat(e.code()).isEqualTo(ErrorCode.FLAG_NOT_FOUND);
        assertThat(e.field()).isEqualTo("flagKeys[0]");

        List<List<Command>> elsewhere = List.of(List.of(new Command.Enable(OTHER, null)), List.of(new Command.Enable(FLAG, null)));
        CommandException other = refused(new Command.CreatePlan(PLAN, definition(false), elsewhere));
        assertThat(other.field()).isEqualTo("steps[0].commands[0].flag");
        assertThat(other.getMessage()).contains("not one of the plan's flags");

        writer.write(new Command.Archive(OTHER, null));
        RolloutPlanDefinition archived = RolloutPlanDefinition.newBuilder(definition(false)).setFlagKeys(List.of(OTHER.key())).build();
        assertThat(refused(new Command.CreatePlan(PLAN, archived, stepCommands())).getMessage()).contains("is archived");
        assertThat(refused(new Command.StartPlan(new PlanRef(ENV, "ghost"), null, 0)).code()).isEqualTo(ErrorCode.PLAN_NOT_FOUND);
    }
}
