package io.flagplane.contract;

import java.util.Objects;

/**
 * A rollout plan in an environment: its events are keyed {@code environment/plan:key} on
 * {@code flag-events} (the same key its guardrail verdicts carry on {@code release-signals}), so a
 * plan's steps stay in order and sit in the audit history beside the flag changes they made.
 */
public record PlanRef(String environment, String key) implements AggregateRef {

    public PlanRef {
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(key, "key");
    }

    @Override
    public String eventKey() {
        return RecordKeys.ofPlanEvents(environment, key);
    }

    @Override
    public String stateKey() {
        return eventKey();
    }

    @Override
    public String noun() {
        return "plan";
    }

    @Override
    public String describe() {
        return "rollout plan '" + key + "' in environment '" + environment + "'";
    }
}
