package io.flagplane.contract;

/**
 * The identity of one aggregate on {@code flag-events}: a flag, a segment, a change request or a
 * rollout plan or a scheduled change in an environment, or an environment itself. Every service names what a command changes, what an event belongs to and
 * what a history entry is about with one of these; the key formats stay in {@link RecordKeys}.
 */
public sealed interface AggregateRef permits FlagRef, SegmentRef, EnvironmentRef, ChangeRequestRef, PlanRef,
        ScheduleRef {

    /** The environment it lives in (an environment's own name for an {@link EnvironmentRef}). */
    String environment();

    /** Its key within its kind and environment: a flag key, a segment key, an environment's name. */
    String key();

    /** Its record key on {@code flag-events}: what partitions its events, and what its history is filed under. */
    String eventKey();

    /** Its key on its state topic and in a current-state store. */
    String stateKey();

    /** What it is, as the APIs render it: {@code flag}, {@code segment} or {@code environment}. */
    String noun();

    /** For messages: {@code flag 'k' in environment 'e'}, {@code environment 'e'}. */
    default String describe() {
        return noun() + " '" + key() + "' in environment '" + environment() + "'";
    }

    /**
     * What a {@code flag-events} record key names: {@code env/flagKey}, {@code env/segment:key},
     * {@code env/change-request:id}, {@code env/plan:key}, {@code env/schedule:id} or {@code env/environment:}. Throws {@link IllegalArgumentException} for a malformed key.
     */
    static AggregateRef ofEventKey(String recordKey) {
        RecordKeys.Parts parts = RecordKeys.parse(recordKey);
        String rest = parts.key();
        if (rest.equals(RecordKeys.ENVIRONMENT_KEY)) {
            return new EnvironmentRef(parts.environment());
        }
        if (rest.startsWith(RecordKeys.CHANGE_REQUEST_PREFIX)) {
            String id = rest.substring(RecordKeys.CHANGE_REQUEST_PREFIX.length());
            if (id.isEmpty()) {
                throw new IllegalArgumentException("change-request record key without an id: " + recordKey);
            }
            return new ChangeRequestRef(parts.environment(), id);
        }
        if (rest.startsWith(RecordKeys.SCHEDULE_PREFIX)) {
            String id = rest.substring(RecordKeys.SCHEDULE_PREFIX.length());
            if (id.isEmpty()) {
                throw new IllegalArgumentException("schedule record key without an id: " + recordKey);
            }
            return new ScheduleRef(parts.environment(), id);
        }
        if (rest.startsWith(RecordKeys.PLAN_PREFIX)) {
            String key = rest.substring(RecordKeys.PLAN_PREFIX.length());
            if (key.isEmpty()) {
                throw new IllegalArgumentException("plan record key without a plan key: " + recordKey);
            }
            return new PlanRef(parts.environment(), key);
        }
        if (rest.startsWith(RecordKeys.SEGMENT_PREFIX)) {
            String key = rest.substring(RecordKeys.SEGMENT_PREFIX.length());
            if (key.isEmpty()) {
                throw new IllegalArgumentException("segment record key without a segment key: " + recordKey);
            }
            return new SegmentRef(parts.environment(), key);
        }
        return new FlagRef(parts.environment(), rest);
    }
}
