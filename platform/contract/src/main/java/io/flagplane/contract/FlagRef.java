package io.flagplane.contract;

import java.util.Objects;

/** One flag in one environment: keyed {@code environment/flagKey} on {@code flag-events} and {@code flag-state}. */
public record FlagRef(String environment, String key) implements AggregateRef {

    public FlagRef {
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(key, "key");
    }

    /** The flag a {@code flag-state} record key names. */
    public static FlagRef ofStateKey(String recordKey) {
        RecordKeys.Parts parts = RecordKeys.parse(recordKey);
        return new FlagRef(parts.environment(), parts.key());
    }

    @Override
    public String eventKey() {
        return RecordKeys.of(environment, key);
    }

    @Override
    public String stateKey() {
        return RecordKeys.of(environment, key);
    }

    @Override
    public String noun() {
        return "flag";
    }
}
