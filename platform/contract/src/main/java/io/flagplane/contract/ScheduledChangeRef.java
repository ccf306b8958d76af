package io.flagplane.contract;

import java.util.Objects;

/** A scheduled change in an environment: its events are keyed {@code environment/schedule:id} on {@code flag-events}. */
public record ScheduledChangeRef(String environment, String id) implements AggregateRef {

    public ScheduledChangeRef {
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
        return "scheduled-change";
    }

    @Override
    public String describe() {
        return "scheduled change '" + id + "' in environment '" + environment + "'";
    }
}
