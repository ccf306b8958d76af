package io.flagplane.projection.guardrails;

import io.flagplane.avro.FlagState;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.projection.plans.PlanJson;

/**
 * What a guardrail is read against: the running plan, its control and treatment variants (named by
 * the plan, or resolved from its first flag), that flag as it stands now (null when this instance
 * does not hold it), when the current step started, and now.
 *
 * @param control   the variant users are on before the plan (REGRESSION's baseline); null when unknown
 * @param treatment the variant the plan rolls out (what THRESHOLD and REGRESSION measure); null when unknown
 */
record PlanContext(RolloutPlanState plan, String control, String treatment, FlagState flag, long stepStartMs, long nowMs) {

    /** The plan's variants as its definition names them, else the first flag's off variant and its first other variant. */
    static PlanContext of(RolloutPlanState plan, FlagState flag, long nowMs) {
        String control = plan.getDefinition().getControlVariant();
        if (control == null && flag != null) {
            control = flag.getDefinition().getOffVariant();
        }
        String treatment = plan.getDefinition().getTreatmentVariant();
        if (treatment == null && flag != null) {
            for (var variant : flag.getDefinition().getVariants()) {
                if (!variant.getKey().equals(control)) {
                    treatment = variant.getKey();
                    break;
                }
            }
        }
        long stepStart = plan.getStepStartedAt() == null ? plan.getCreatedAt().toEpochMilli() : plan.getStepStartedAt().toEpochMilli();
        return new PlanContext(plan, control, treatment, flag, stepStart, nowMs);
    }

    String stepName() {
        String name = PlanJson.stepName(plan.getDefinition(), plan.getCurrentStep());
        return name != null ? name : String.valueOf(plan.getCurrentStep() + 1);
    }

    /** How long the current step has run. */
    long stepAgeMs() {
        return Math.max(0, nowMs - stepStartMs);
    }

    /** The start of a trailing window: {@code windowSeconds} back from now, but not before the step started. */
    long windowStart(int windowSeconds) {
        return Math.max(nowMs - windowSeconds * 1000L, stepStartMs);
    }
}
