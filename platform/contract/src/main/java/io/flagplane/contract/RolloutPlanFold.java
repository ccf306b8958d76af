package io.flagplane.contract;

import io.flagplane.avro.ChangeInfo;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.PlanCancelled;
import io.flagplane.avro.PlanCompleted;
import io.flagplane.avro.PlanCreated;
import io.flagplane.avro.PlanPaused;
import io.flagplane.avro.PlanResumed;
import io.flagplane.avro.PlanRolledBack;
import io.flagplane.avro.PlanStarted;
import io.flagplane.avro.PlanStatus;
import io.flagplane.avro.PlanStepApproved;
import io.flagplane.avro.PlanStepAwaitingApproval;
import io.flagplane.avro.PlanStepStarted;
import io.flagplane.avro.PlanUpdated;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.contract.FlagStateFold.Outcome;
import java.util.List;

/**
 * What each rollout-plan event means for a plan: the fold from its events to
 * {@code RolloutPlanState}. The decider checks the lifecycle (DRAFT -> RUNNING <-> PAUSED ->
 * COMPLETED | ROLLED_BACK | CANCELLED) and the step order; this fold only records what the events
 * say. Pure, deterministic and version-gated, like {@link FlagStateFold}; the command-service and
 * the projection fold plans with it alike.
 */
public final class RolloutPlanFold {

    static {
        AvroContract.trustGeneratedClasses();
    }

    public record Result(Outcome outcome, RolloutPlanState state, String detail) {
    }

    private RolloutPlanFold() {
    }

    /** Whether the event belongs to a plan ({@code Plan*} payloads; {@code FlagPlanSet} belongs to the flag). */
    public static boolean isPlanEvent(FlagEvent event) {
        return event.getPayload().getClass().getSimpleName().startsWith("Plan");
    }

    /** Whether a plan in this status is over: it takes no more commands but its history. */
    public static boolean isFinal(PlanStatus status) {
        return status == PlanStatus.COMPLETED || status == PlanStatus.ROLLED_BACK || status == PlanStatus.CANCELLED;
    }

    public static Result apply(RolloutPlanState current, FlagEvent event) {
        Object payload = event.getPayload();
        ChangeInfo change = FlagStateFold.changeInfoOf(event);
        if (current == null) {
            if (payload instanceof PlanCreated created) {
                return new Result(Outcome.APPLIED, RolloutPlanState.newBuilder()
                        .setEnvironment(event.getEnvironment())
                        .setKey(event.getFlagKey())
                        .setVersion(event.getVersion())
                        .setStatus(PlanStatus.DRAFT)
                        .setDefinition(created.getDefinition())
                        .setAuthor(event.getActor())
                        .setCurrentStep(-1)
                        .setBeforePlan(List.of())
                        .setBeforeStep(List.of())
                        .setCreatedAt(event.getOccurredAt())
                        .setLastChange(change)
                        .build(), null);
            }
            return new Result(Outcome.REJECTED, null, FlagStateFold.typeOf(event) + " for plan " + event.getFlagKey()
                    + " that was never created");
        }
        if (event.getVersion() <= current.getVersion()) {
            return new Result(Outcome.STALE, current, "event version " + event.getVersion()
                    + " is not above the plan's version " + current.getVersion());
        }
        RolloutPlanState.Builder next = RolloutPlanState.newBuilder(current).setVersion(event.getVersion()).setLastChange(change);
        if (payload instanceof PlanUpdated updated) {
            next.setDefinition(updated.getDefinition());
        } else if (payload instanceof PlanStarted started) {
            next.setStatus(PlanStatus.RUNNING).setBeforePlan(started.getBeforePlan()).setStatusReason(null);
        } else if (payload instanceof PlanStepStarted step) {
            next.setCurrentStep(step.getStep()).setStepStartedAt(event.getOccurredAt()).setBeforeStep(step.getBeforeStep())
                    .setAwaitingApproval(false).setStepApproved(false);
        } else if (payload instanceof PlanStepAwaitingApproval awaiting) {
            if (awaiting.getStep() != current.getCurrentStep()) {
                return wrongStep(current, event, awaiting.getStep());
            }
            next.setAwaitingApproval(true).setStatusReason(awaiting.getSummary());
        } else if (payload instanceof PlanStepApproved approved) {
            if (approved.getStep() != current.getCurrentStep()) {
                return wrongStep(current, event, approved.getStep());
            }
            next.setStepApproved(approved.getApproved());
        } else if (payload instanceof PlanPaused paused) {
            next.setStatus(PlanStatus.PAUSED).setStatusReason(paused.getWhy());
        } else if (payload instanceof PlanResumed) {
            next.setStatus(PlanStatus.RUNNING).setStatusReason(null);
        } else if (payload instanceof PlanRolledBack rolledBack) {
            next.setStatus(PlanStatus.ROLLED_BACK).setStatusReason(rolledBack.getWhy()).setAwaitingApproval(false);
        } else if (payload instanceof PlanCompleted completed) {
            next.setStatus(PlanStatus.COMPLETED).setStatusReason(completed.getSummary()).setAwaitingApproval(false);
        } else if (payload instanceof PlanCancelled) {
            next.setStatus(PlanStatus.CANCELLED).setAwaitingApproval(false);
        } else {
            return new Result(Outcome.REJECTED, current, "unknown plan event " + FlagStateFold.typeOf(event));
        }
        return new Result(Outcome.APPLIED, next.build(), null);
    }

    private static Result wrongStep(RolloutPlanState current, FlagEvent event, int step) {
        return new Result(Outcome.REJECTED, current, FlagStateFold.typeOf(event) + " names step " + step + " but plan "
                + current.getKey() + " is at step " + current.getCurrentStep());
    }
}
