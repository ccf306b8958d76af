package io.flagplane.contract;

import java.util.Objects;

/**
 * Record keys on {@code flag-events} and {@code flag-state}: {@code environment/flagKey}, UTF-8
 * text. One key per flag means one partition per flag, so the events of a flag stay in order.
 * A segment's events on {@code flag-events} are keyed {@code environment/segment:segmentKey}
 * (a flag key, being dot notation, never contains ':'); on {@code segment-state} the key is
 * {@code environment/segmentKey}.
 */
public final class RecordKeys {

    private static final char SEPARATOR = '/';
    public static final String SEGMENT_PREFIX = "segment:";
    /** The flag-key part of an environment's own events: {@code environment/environment:}. */
    public static final String ENVIRONMENT_KEY = "environment:";
    /** The prefix of a change request's key part: {@code environment/change-request:id}. */
    public static final String CHANGE_REQUEST_PREFIX = "change-request:";
    /** The prefix of a rollout plan's key part: {@code environment/plan:key} (also its key on {@code release-signals}). */
    public static final String PLAN_PREFIX = "plan:";
    /** The prefix of a scheduled change's key part: {@code environment/schedule:id}. */
    public static final String SCHEDULE_PREFIX = "schedule:";

    private RecordKeys() {
    }

    public static String of(String environment, String flagKey) {
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(flagKey, "flagKey");
        if (environment.indexOf(SEPARATOR) >= 0) {
            throw new IllegalArgumentException("environment must not contain '/': " + environment);
        }
        return environment + SEPARATOR + flagKey;
    }

    /** The key of a segment's events on {@code flag-events}. */
    public static String ofSegmentEvents(String environment, String segmentKey) {
        return of(environment, SEGMENT_PREFIX + segmentKey);
    }

    /** The key of a change request's events on {@code flag-events}. */
    public static String ofChangeRequestEvents(String environment, String id) {
        return of(environment, CHANGE_REQUEST_PREFIX + id);
    }

    /** The key of a rollout plan's events on {@code flag-events}, and of its verdicts on {@code release-signals}. */
    public static String ofPlanEvents(String environment, String planKey) {
        return of(environment, PLAN_PREFIX + planKey);
    }

    /** The key of a scheduled change's events on {@code flag-events}. */
    public static String ofScheduleEvents(String environment, String id) {
        return of(environment, SCHEDULE_PREFIX + id);
    }

    /**
     * The key of a user's exposures and tracking events: {@code environment/targetingKey}. Both
     * topics are keyed alike (and have as many partitions), so one user's records meet on one partition.
     */
    public static String ofUser(String environment, String targetingKey) {
        return of(environment, targetingKey);
    }

    /** The key of an environment's own events on {@code flag-events}. */
    public static String ofEnvironmentEvents(String environment) {
        return of(environment, ENVIRONMENT_KEY);
    }

    /**
     * Splits a record key into its environment and the rest (a flag key, {@code segment:key},
     * {@code environment:}, or on a state topic a bare key); throws {@link IllegalArgumentException}
     * when it has no separator or an empty side. {@link AggregateRef#ofEventKey} names what it is.
     */
    public static Parts parse(String recordKey) {
        int at = recordKey == null ? -1 : recordKey.indexOf(SEPARATOR);
        if (at <= 0 || at == recordKey.length() - 1) {
            throw new IllegalArgumentException("not an environment/key record key: " + recordKey);
        }
        return new Parts(recordKey.substring(0, at), recordKey.substring(at + 1));
    }

    /** The two sides of a record key, not yet an identity: see {@link AggregateRef} for that. */
    public record Parts(String environment, String key) {
        public Parts {
            Objects.requireNonNull(environment, "environment");
            Objects.requireNonNull(key, "key");
        }
    }
}
