package io.flagplane.contract;

import java.util.Objects;

/**
 * A scheduled change in an environment: its events are keyed {@code environment/schedule:id} on
 * {@code flag-events}, so its steps (created, applied or failed, cancelled) stay in order and sit in
 * the audit history beside the changes it applied.
 */
public record ScheduleRef(String environment, String id) implements AggregateRef {

    public ScheduleRef {
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(id, "id");
    }

    @Override
    public String key() {
        return id;
    }

    @Override
    public String eventKey() {
        return RecordKeys.ofScheduleEvents(environment, id);
    }

    @Override
    public String stateKey() {
        return eventKey();
    }

    @Override
    public String noun() {
        return "schedule";
    }

    @Override
    public String describe() {
        return "scheduled change '" + id + "' in environment '" + environment + "'";
    }
}
