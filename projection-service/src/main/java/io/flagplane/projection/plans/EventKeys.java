package io.flagplane.projection.plans;

import io.flagplane.contract.AggregateRef;
import io.flagplane.contract.RecordKeys;

/**
 * What a {@code flag-events} record key names, as the projection shows it: environment, key and
 * noun ({@code flag}, {@code segment}, {@code environment}, {@code change-request}, {@code plan},
 * {@code scheduled-change}). {@link AggregateRef#ofEventKey} reads {@code env/plan:key} and
 * {@code env/schedule:id} as flags named {@code plan:key}; this reads them as what they are.
 */
public final class EventKeys {

    /** The parts of a record key, as history, the audit log and the event stream name them. */
    public record Named(String environment, String key, String noun) {
    }

    private EventKeys() {
    }

    public static Named of(String recordKey) {
        RecordKeys.Parts parts = RecordKeys.parse(recordKey);
        if (isPlan(recordKey)) {
            return new Named(parts.environment(), parts.key().substring(RecordKeys.PLAN_PREFIX.length()), "plan");
        }
        if (isScheduledChange(recordKey)) {
            return new Named(parts.environment(), parts.key().substring(RecordKeys.SCHEDULE_PREFIX.length()), "scheduled-change");
        }
        AggregateRef ref = AggregateRef.ofEventKey(recordKey);
        return new Named(ref.environment(), ref.key(), ref.noun());
    }

    /** True for {@code environment/plan:key}. */
    public static boolean isPlan(String recordKey) {
        int slash = recordKey.indexOf('/');
        return slash > 0 && recordKey.startsWith(RecordKeys.PLAN_PREFIX, slash + 1)
                && recordKey.length() > slash + 1 + RecordKeys.PLAN_PREFIX.length();
    }

    /** True for {@code environment/schedule:id}. */
    public static boolean isScheduledChange(String recordKey) {
        int slash = recordKey.indexOf('/');
        return slash > 0 && recordKey.startsWith(RecordKeys.SCHEDULE_PREFIX, slash + 1)
                && recordKey.length() > slash + 1 + RecordKeys.SCHEDULE_PREFIX.length();
    }
}
