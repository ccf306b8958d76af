package io.flagplane.command.domain;

import io.flagplane.contract.RecordKeys;
import java.util.Objects;

/** What a command changes: one flag or one segment, in one environment. Each has its own versions. */
public record Target(Kind kind, String environment, String key) {

    public enum Kind {
        FLAG, SEGMENT
    }

    public Target {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(key, "key");
    }

    public static Target flag(String environment, String key) {
        return new Target(Kind.FLAG, environment, key);
    }

    public static Target segment(String environment, String key) {
        return new Target(Kind.SEGMENT, environment, key);
    }

    /** The record key of this target's events on {@code flag-events}. */
    public String eventKey() {
        return kind == Kind.FLAG ? RecordKeys.of(environment, key) : RecordKeys.ofSegmentEvents(environment, key);
    }

    public String describe() {
        return (kind == Kind.FLAG ? "flag '" : "segment '") + key + "' in environment '" + environment + "'";
    }
}
