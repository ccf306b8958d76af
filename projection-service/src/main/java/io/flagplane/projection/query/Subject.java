package io.flagplane.projection.query;

import io.flagplane.contract.RecordKeys;

/**
 * What a history or audit entry is about: a flag or a segment in an environment, or an
 * environment itself (its key is then its name). Per-key queries take flags and segments.
 */
public record Subject(Kind kind, String environment, String key) {

    public enum Kind {
        FLAG, SEGMENT, ENVIRONMENT
    }

    public static Subject flag(String environment, String key) {
        return new Subject(Kind.FLAG, environment, key);
    }

    public static Subject segment(String environment, String key) {
        return new Subject(Kind.SEGMENT, environment, key);
    }

    public static Subject environment(String name) {
        return new Subject(Kind.ENVIRONMENT, name, name);
    }

    public boolean segment() {
        return kind == Kind.SEGMENT;
    }

    /** Its record key on {@code flag-events}: what partitions it, and what its history is filed under. */
    public String eventKey() {
        return switch (kind) {
            case FLAG -> RecordKeys.of(environment, key);
            case SEGMENT -> RecordKeys.ofSegmentEvents(environment, key);
            case ENVIRONMENT -> RecordKeys.ofEnvironmentEvents(environment);
        };
    }

    /** Its key in the current-state store. */
    public String stateKey() {
        return RecordKeys.of(environment, key);
    }

    public String noun() {
        return switch (kind) {
            case FLAG -> "flag";
            case SEGMENT -> "segment";
            case ENVIRONMENT -> "environment";
        };
    }

    public String describe() {
        return kind == Kind.ENVIRONMENT ? "environment '" + environment + "'"
                : noun() + " '" + key + "' in environment '" + environment + "'";
    }
}
