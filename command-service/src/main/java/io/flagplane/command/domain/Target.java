package io.flagplane.command.domain;

import io.flagplane.contract.RecordKeys;
import java.util.Objects;

/**
 * What a command changes: one flag or one segment in one environment, or an environment itself
 * (its key is then its name). Each has its own versions.
 */
public record Target(Kind kind, String environment, String key) {

    public enum Kind {
        FLAG, SEGMENT, ENVIRONMENT
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

    public static Target environment(String name) {
        return new Target(Kind.ENVIRONMENT, name, name);
    }

    /** The record key of this target's events on {@code flag-events}. */
    public String eventKey() {
        return switch (kind) {
            case FLAG -> RecordKeys.of(environment, key);
            case SEGMENT -> RecordKeys.ofSegmentEvents(environment, key);
            case ENVIRONMENT -> RecordKeys.ofEnvironmentEvents(environment);
        };
    }

    public String describe() {
        return switch (kind) {
            case FLAG -> "flag '" + key + "' in environment '" + environment + "'";
            case SEGMENT -> "segment '" + key + "' in environment '" + environment + "'";
            case ENVIRONMENT -> "environment '" + environment + "'";
        };
    }
}
