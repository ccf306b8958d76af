package io.flagplane.contract;

import java.util.Objects;

/**
 * An environment itself: its own events are keyed {@code name/environment:} on {@code flag-events};
 * its {@link #environment()} and its {@link #key()} are its name.
 */
public record EnvironmentRef(String name) implements AggregateRef {

    public EnvironmentRef {
        Objects.requireNonNull(name, "name");
    }

    @Override
    public String environment() {
        return name;
    }

    @Override
    public String key() {
        return name;
    }

    @Override
    public String eventKey() {
        return RecordKeys.ofEnvironmentEvents(name);
    }

    @Override
    public String stateKey() {
        return RecordKeys.of(name, name);
    }

    @Override
    public String noun() {
        return "environment";
    }

    @Override
    public String describe() {
        return "environment '" + name + "'";
    }
}
