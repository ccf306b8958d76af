package io.flagplane.contract;

import java.util.Objects;

/**
 * One segment in one environment: keyed {@code environment/segment:segmentKey} on
 * {@code flag-events} and {@code environment/segmentKey} on {@code segment-state}.
 */
public record SegmentRef(String environment, String key) implements AggregateRef {

    public SegmentRef {
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(key, "key");
    }

    /** The segment a {@code segment-state} record key names. */
    public static SegmentRef ofStateKey(String recordKey) {
        RecordKeys.Parts parts = RecordKeys.parse(recordKey);
        return new SegmentRef(parts.environment(), parts.key());
    }

    @Override
    public String eventKey() {
        return RecordKeys.ofSegmentEvents(environment, key);
    }

    @Override
    public String stateKey() {
        return RecordKeys.of(environment, key);
    }

    @Override
    public String noun() {
        return "segment";
    }
}
