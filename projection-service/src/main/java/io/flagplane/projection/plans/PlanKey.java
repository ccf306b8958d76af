package io.flagplane.projection.plans;

import io.flagplane.contract.RecordKeys;
import java.util.Objects;

/**
 * A rollout plan in an environment: keyed {@code environment/plan:key} on {@code flag-events}, on
 * {@code release-signals} and in the plan stores. The projection's own name for it: the contract's
 * {@code AggregateRef} does not name plans yet (the command-service registers an aggregate for every
 * ref it permits, so a plan ref comes with the plan aggregate).
 */
public record PlanKey(String environment, String key) {

    public PlanKey {
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(key, "key");
    }

    public String eventKey() {
        return RecordKeys.ofPlanEvents(environment, key);
    }
}
