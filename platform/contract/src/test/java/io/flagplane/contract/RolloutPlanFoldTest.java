package io.flagplane.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.ActorKind;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagPlanSet;
import io.flagplane.avro.FlagSnapshot;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.PlanCancelled;
import io.flagplane.avro.PlanCompleted;
import io.flagplane.avro.PlanCreated;
import io.flagplane.avro.PlanPaused;
import io.flagplane.avro.PlanResumed;
import io.flagplane.avro.PlanRolledBack;
import io.flagplane.avro.PlanStarted;
import io.flagplane.avro.PlanStatus;
import io.flagplane.avro.PlanStep;
import io.flagplane.avro.PlanStepApproved;
import io.flagplane.avro.PlanStepAwaitingApproval;
import io.flagplane.avro.PlanStepStarted;
import io.flagplane.avro.PlanUpdated;
import io.flagplane.avro.RollbackAction;
import io.flagplane.avro.RolloutPlanDefinition;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.contract.FlagStateFold.Outcome;
import io.flagplane.fixtures.Events;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What each plan event does to a plan (and FlagPlanSet to a flag), and what the fold refuses. */
class RolloutPlanFoldTest {

    static {
        AvroContract.trustGeneratedClasses();
    }

    private static final RolloutPlanDefinition DEFINITION = RolloutPlanDefinition.newBuilder()
            .setFlagKeys(List.of("action_plan.customization"))
            .setSteps(List.of(step("internal"), step("beta")))
            .build();
    private static final FlagSnapshot BEFORE = FlagSnapshot.newBuilder().setFlagKey("action_plan.customization").setVersion(1)
            .setDefinition(Events.booleanFlag("action_plan.customization")).build();

    private final Events.Builder plan = Events.on("production", "action-plan-rollout");

    private static PlanStep step(String name) {
        return PlanStep.newBuilder().setName(name).setCommandsJson("[]").setHoldSeconds(60).build();
    }

    private static RolloutPlanState fold(FlagEvent... events) {
        RolloutPlanState state = null;
        for (FlagEvent event : events) {
            RolloutPlanFold.Result result = RolloutPlanFold.apply(state, event);
            assertThat(result.outcome()).as("%s: %s", event.getPayload().getClass().getSimpleName(), result.detail())
                    .isEqualTo(Outcome.APPLIED);
            state = result.state();
        }
        return state;
    }

    @Test
    void a_created_plan_is_a_draft_before_its_first_step_keyed_by_the_plan_and_written_by_its_author() {
        RolloutPlanState state = fold(plan.version(1).reason("seed 001").with(new PlanCreated(DEFINITION)));

        assertThat(state.getStatus()).isEqualTo(PlanStatus.DRAFT);
        assertThat(state.getKey()).isEqualTo("action-plan-rollout");
        assertThat(state.getEnvironment()).isEqualTo("production");
        assertThat(state.getCurrentStep()).isEqualTo(-1);
        assertThat(state.getStepStartedAt()).isNull();
        assertThat(state.getAuthor()).isEqualTo(Events.ALICE);
        assertThat(state.getCreatedAt()).isEqualTo(Events.T0.plusSeconds(1));
        assertThat(state.getLastChange().getEventType()).isEqualTo("PlanCreated");
        assertThat(state.getDefinition().getRollbackAction()).as("the default").isEqualTo(RollbackAction.RESTORE);
    }

    @Test
    void a_started_plan_records_its_flags_before_it_and_each_step_when_it_started_and_what_it_found() {
        RolloutPlanDefinition edited = RolloutPlanDefinition.newBuilder(DEFINITION).setDescription("edited").build();
        RolloutPlanState state = fold(plan.version(1).with(new PlanCreated(DEFINITION)),
                plan.version(2).with(new PlanUpdated(edited)),
                plan.version(3).with(new PlanStarted(List.of(BEFORE))),
                plan.version(4).with(new PlanStepStarted(0, List.of(BEFORE))));

        assertThat(state.getDefinition().getDescription()).isEqualTo("edited");
        assertThat(state.getStatus()).isEqualTo(PlanStatus.RUNNING);
        assertThat(state.getBeforePlan()).containsExactly(BEFORE);
        assertThat(state.getCurrentStep()).isZero();
        assertThat(state.getStepStartedAt()).isEqualTo(Events.T0.plusSeconds(4));
        assertThat(state.getBeforeStep()).containsExactly(BEFORE);
    }

    @Test
    void an_approval_is_for_the_current_step_and_the_next_step_clears_it() {
        RolloutPlanState state = fold(plan.version(1).with(new PlanCreated(DEFINITION)),
                plan.version(2).with(new PlanStarted(List.of(BEFORE))),
                plan.version(3).with(new PlanStepStarted(0, List.of(BEFORE))),
                plan.version(4).with(new PlanStepAwaitingApproval(0, "held 1 min (needs 1 min)")));
        assertThat(state.getAwaitingApproval()).isTrue();
        assertThat(state.getStatusReason()).isEqualTo("held 1 min (needs 1 min)");

        RolloutPlanFold.Result wrong = RolloutPlanFold.apply(state, plan.version(5).with(new PlanStepApproved(1, true, null)));
        assertThat(wrong.outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(wrong.detail()).contains("names step 1", "at step 0");

        state = fold(state, plan.version(5).with(new PlanStepApproved(0, false, "not yet")));
        assertThat(state.getStepApproved()).as("a no-go").isFalse();
        state = fold(state, plan.version(6).with(new PlanStepApproved(0, true, "go")));
        assertThat(state.getStepApproved()).isTrue();

        state = fold(state, plan.version(7).with(new PlanStepStarted(1, List.of(BEFORE))));
        assertThat(state.getCurrentStep()).isEqualTo(1);
        assertThat(state.getStepApproved()).isFalse();
        assertThat(state.getAwaitingApproval()).isFalse();
    }

    private static RolloutPlanState fold(RolloutPlanState from, FlagEvent event) {
        RolloutPlanFold.Result result = RolloutPlanFold.apply(from, event);
        assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.APPLIED);
        return result.state();
    }

    @Test
    void pause_and_resume_carry_the_reason_and_the_final_states_say_why() {
        RolloutPlanState running = fold(plan.version(1).with(new PlanCreated(DEFINITION)),
                plan.version(2).with(new PlanStarted(List.of(BEFORE))),
                plan.version(3).with(new PlanStepStarted(0, List.of(BEFORE))));

        RolloutPlanState paused = fold(running, plan.version(4).with(new PlanPaused("flag action_plan.customization was killed")));
        assertThat(paused.getStatus()).isEqualTo(PlanStatus.PAUSED);
        assertThat(paused.getStatusReason()).isEqualTo("flag action_plan.customization was killed");
        RolloutPlanState resumed = fold(paused, plan.version(5).with(new PlanResumed()));
        assertThat(resumed.getStatus()).isEqualTo(PlanStatus.RUNNING);
        assertThat(resumed.getStatusReason()).isNull();

        String why = "step internal: error-rate: http_error rate 7.2 % > 5 % over 10 min on variant on; rolled back (RESTORE)";
        RolloutPlanState rolledBack = fold(resumed, plan.version(6).with(new PlanRolledBack(0, RollbackAction.RESTORE, "error-rate", why)));
        assertThat(rolledBack.getStatus()).isEqualTo(PlanStatus.ROLLED_BACK);
        assertThat(rolledBack.getStatusReason()).isEqualTo(why);
        assertThat(RolloutPlanFold.isFinal(rolledBack.getStatus())).isTrue();

        assertThat(fold(resumed, plan.version(6).with(new PlanCompleted("all 2 steps held"))).getStatus()).isEqualTo(PlanStatus.COMPLETED);
        assertThat(fold(resumed, plan.version(6).with(new PlanCancelled())).getStatus()).isEqualTo(PlanStatus.CANCELLED);
        assertThat(RolloutPlanFold.isFinal(PlanStatus.PAUSED)).isFalse();
    }

    @Test
    void a_replayed_event_is_stale_and_an_event_for_a_plan_never_created_is_refused() {
        RolloutPlanState state = fold(plan.version(1).with(new PlanCreated(DEFINITION)), plan.version(2).with(new PlanStarted(List.of())));

        RolloutPlanFold.Result replay = RolloutPlanFold.apply(state, plan.version(2).with(new PlanStarted(List.of())));
        assertThat(replay.outcome()).isEqualTo(Outcome.STALE);
        assertThat(replay.state()).isSameAs(state);

        RolloutPlanFold.Result orphan = RolloutPlanFold.apply(null, plan.version(3).with(new PlanPaused("x")));
        assertThat(orphan.outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(orphan.detail()).contains("never created");
    }

    @Test
    void plan_events_are_the_plans_and_a_flags_plan_marker_is_the_flags() {
        assertThat(RolloutPlanFold.isPlanEvent(plan.with(new PlanCreated(DEFINITION)))).isTrue();
        FlagEvent marker = Events.on("production", "action_plan.customization").version(2)
                .with(new FlagPlanSet("action-plan-rollout"));
        assertThat(RolloutPlanFold.isPlanEvent(marker)).isFalse();

        FlagState flag = FlagStateFold.apply(null, Events.on("production", "action_plan.customization").version(1)
                .createdBoolean(false)).state();
        FlagState under = FlagStateFold.apply(flag, marker).state();
        assertThat(under.getPlan()).isEqualTo("action-plan-rollout");
        FlagState free = FlagStateFold.apply(under, Events.on("production", "action_plan.customization").version(3)
                .by(new io.flagplane.avro.Actor("release-controller", ActorKind.SYSTEM)).with(new FlagPlanSet(null))).state();
        assertThat(free.getPlan()).isNull();
        assertThat(free.getVersion()).isEqualTo(3);
    }
}
