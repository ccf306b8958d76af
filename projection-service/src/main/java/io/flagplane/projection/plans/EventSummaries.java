package io.flagplane.projection.plans;

import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagPlanSet;
import io.flagplane.avro.PlanCancelled;
import io.flagplane.avro.PlanCompleted;
import io.flagplane.avro.PlanCreated;
import io.flagplane.avro.PlanPaused;
import io.flagplane.avro.PlanResumed;
import io.flagplane.avro.PlanRolledBack;
import io.flagplane.avro.PlanStarted;
import io.flagplane.avro.PlanStepApproved;
import io.flagplane.avro.PlanStepAwaitingApproval;
import io.flagplane.avro.PlanStepStarted;
import io.flagplane.avro.PlanUpdated;
import io.flagplane.avro.RolloutPlanDefinition;
import io.flagplane.avro.ScheduledChangeApplied;
import io.flagplane.avro.ScheduledChangeCancelled;
import io.flagplane.avro.ScheduledChangeCreated;
import io.flagplane.avro.ScheduledChangeFailed;
import java.util.Locale;

/**
 * One sentence per rollout-plan and scheduled-change event, for the people who watch a rollout (the
 * audit log, a plan's history, the live event stream): {@code plan seed-001-rollout: step beta started
 * (2 of 4)}, {@code plan seed-001-rollout rolled back at step beta (RESTORE): http_error rate 7.2 % > 5 %
 * …}. Steps are named from the plan's definition when it is known, else by number. Other events have
 * no summary (null): their diff says what changed.
 */
public final class EventSummaries {

    private EventSummaries() {
    }

    /**
     * @param definition the plan's definition as it stood (null when unknown; {@code PlanCreated} and
     *                   {@code PlanUpdated} carry their own)
     */
    public static String of(FlagEvent event, RolloutPlanDefinition definition) {
        Object payload = event.getPayload();
        String plan = "plan " + event.getFlagKey();
        String schedule = "scheduled change " + event.getFlagKey();
        if (payload instanceof PlanCreated created) {
            return plan + " created: " + shape(created.getDefinition());
        }
        if (payload instanceof PlanUpdated updated) {
            return plan + " edited: " + shape(updated.getDefinition());
        }
        if (payload instanceof PlanStarted) {
            return plan + " started";
        }
        if (payload instanceof PlanStepStarted started) {
            return plan + ": step " + step(definition, started.getStep()) + " started" + ofSteps(definition, started.getStep());
        }
        if (payload instanceof PlanStepAwaitingApproval awaiting) {
            return plan + ": step " + step(definition, awaiting.getStep()) + " passed its gates and waits for approval: "
                    + awaiting.getSummary();
        }
        if (payload instanceof PlanStepApproved approved) {
            String verdict = approved.getApproved() ? "approved (go)" : "refused (no-go)";
            return plan + ": step " + step(definition, approved.getStep()) + " " + verdict
                    + (approved.getComment() == null || approved.getComment().isBlank() ? "" : ": " + approved.getComment());
        }
        if (payload instanceof PlanPaused paused) {
            return plan + " paused: " + paused.getWhy();
        }
        if (payload instanceof PlanResumed) {
            return plan + " resumed";
        }
        if (payload instanceof PlanRolledBack rolledBack) {
            return plan + " rolled back at step " + step(definition, rolledBack.getStep()) + " ("
                    + rolledBack.getAction().name().toLowerCase(Locale.ROOT).replace('_', ' ') + ")"
                    + (rolledBack.getGuardrail() == null ? "" : " on guardrail " + rolledBack.getGuardrail()) + ": "
                    + rolledBack.getWhy();
        }
        if (payload instanceof PlanCompleted completed) {
            return plan + " completed: " + completed.getSummary();
        }
        if (payload instanceof PlanCancelled) {
            return plan + " cancelled";
        }
        if (payload instanceof FlagPlanSet set) {
            return set.getPlanKey() == null ? "flag " + event.getFlagKey() + " is no longer measured by a plan"
                    : "flag " + event.getFlagKey() + " is measured by plan " + set.getPlanKey() + " (its evaluations are logged as exposures)";
        }
        if (payload instanceof ScheduledChangeCreated created) {
            String title = created.getContent().getTitle();
            return schedule + (title == null || title.isBlank() ? "" : " '" + title + "'") + " set for " + created.getApplyAt()
                    + (created.getApplyIfMoved() ? " (applied even if its flags move)" : "");
        }
        if (payload instanceof ScheduledChangeApplied applied) {
            return schedule + " applied" + (applied.getChangeSetId() == null ? "" : " in change set " + applied.getChangeSetId());
        }
        if (payload instanceof ScheduledChangeFailed failed) {
            return schedule + " failed: " + failed.getCode() + ": " + failed.getWhy();
        }
        if (payload instanceof ScheduledChangeCancelled) {
            return schedule + " cancelled";
        }
        return null;
    }

    private static String shape(RolloutPlanDefinition d) {
        int steps = d.getSteps().size();
        int flags = d.getFlagKeys().size();
        StringBuilder out = new StringBuilder().append(steps).append(steps == 1 ? " step" : " steps");
        if (steps > 0) {
            out.append(" (");
            for (int i = 0; i < steps; i++) {
                out.append(i == 0 ? "" : ", ").append(d.getSteps().get(i).getName());
            }
            out.append(")");
        }
        out.append(" on ").append(flags == 1 ? "flag " + d.getFlagKeys().get(0) : flags + " flags");
        int guardrails = d.getGuardrails().size();
        if (guardrails > 0) {
            out.append(", ").append(guardrails).append(guardrails == 1 ? " guardrail" : " guardrails");
        }
        return out.toString();
    }

    private static String step(RolloutPlanDefinition definition, int index) {
        String name = definition == null ? null : PlanJson.stepName(definition, index);
        return name != null ? name : String.valueOf(index + 1);
    }

    private static String ofSteps(RolloutPlanDefinition definition, int index) {
        return definition == null ? "" : " (" + (index + 1) + " of " + definition.getSteps().size() + ")";
    }
}
