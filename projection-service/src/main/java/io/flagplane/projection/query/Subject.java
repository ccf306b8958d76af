package io.flagplane.projection.query;

import io.flagplane.contract.RecordKeys;

/** What a per-key query is about: a flag or a segment in an environment. */
public record Subject(boolean segment, String environment, String key) {

    public static Subject flag(String environment, String key) {
        return new Subject(false, environment, key);
    }

    public static Subject segment(String environment, String key) {
        return new Subject(true, environment, key);
    }

    /** Its record key on {@code flag-events}: what partitions it, and what its history is filed under. */
    public String eventKey() {
        return segment ? RecordKeys.ofSegmentEvents(environment, key) : RecordKeys.of(environment, key);
    }

    /** Its key in the current-state store. */
    public String stateKey() {
        return RecordKeys.of(environment, key);
    }

    public String noun() {
        return segment ? "segment" : "flag";
    }

    public String describe() {
        return noun() + " '" + key + "' in environment '" + environment + "'";
    }
}
