package io.flagplane.contract;

import java.util.Objects;

/**
 * A change request in an environment: its events are keyed {@code environment/change-request:id}
 * on {@code flag-events}, so a request's steps stay in order and sit in the audit history beside the
 * changes they led to.
 */
public record ChangeRequestRef(String environment, String id) implements AggregateRef {

    public ChangeRequestRef {
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(id, "id");
    }

    @Override
    public String key() {
        return id;
    }

    @Override
    public String eventKey() {
        return RecordKeys.ofChangeRequestEvents(environment, id);
    }

    @Override
    public String stateKey() {
        return eventKey();
    }

    @Override
    public String noun() {
        return "change-request";
    }

    @Override
    public String describe() {
        return "change request '" + id + "' in environment '" + environment + "'";
    }
}
