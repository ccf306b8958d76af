package io.flagplane.projection.history;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.avro.ChangeRequestState;
import io.flagplane.avro.EnvironmentState;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.RolloutPlanDefinition;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.avro.ScheduledChangeState;
import io.flagplane.avro.SegmentState;
import io.flagplane.contract.AggregateRef;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.ChangeRequestStateFold;
import io.flagplane.contract.EnvironmentStateFold;
import io.flagplane.contract.FlagStateFold;
import io.flagplane.contract.RolloutPlanFold;
import io.flagplane.contract.ScheduledChangeFold;
import io.flagplane.contract.SegmentRef;
import io.flagplane.contract.SegmentStateFold;
import io.flagplane.contract.json.StateJson;
import io.flagplane.projection.plans.EventSummaries;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.wire.AvroDeserializer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Reads one flag's (or segment's) past out of the {@code history} store: its state at any
 * version (the keyframe at or below it, then a fold of at most {@value HistoryCodec#KEYFRAME_INTERVAL}
 * events — the same fold the live projection runs), the version current at any instant (a binary
 * search over the versions' event times, which never go backwards within a flag), and pages of
 * entries with their structured diffs.
 */
public final class HistoryReader {

    /**
     * One change: the event as written, what it changed, and for a rollout plan's or scheduled
     * change's event a sentence saying what happened ({@link EventSummaries}; null for others).
     */
    public record Entry(long version, Instant occurredAt, FlagEvent event, JsonNode diff, String summary) {
    }

    /** A page of entries, newest first; {@code nextCursor} is null on the last page. */
    public record Page(List<Entry> entries, Long nextCursor) {
    }

    private final ReadOnlyKeyValueStore<String, byte[]> history;
    private final AvroDeserializer<FlagEvent> events;
    private final AvroDeserializer<FlagState> flagStates;
    private final AvroDeserializer<SegmentState> segmentStates;

    public HistoryReader(ReadOnlyKeyValueStore<String, byte[]> history, SchemaRegistryClient registry) {
        this.history = history;
        this.events = new AvroDeserializer<>(registry, FlagEvent.class);
        this.flagStates = new AvroDeserializer<>(registry, FlagState.class);
        this.segmentStates = new AvroDeserializer<>(registry, SegmentState.class);
    }

    /** True for a segment's record key ({@code environment/segment:key}). */
    public static boolean isSegment(String recordKey) {
        return AggregateRef.ofEventKey(recordKey) instanceof SegmentRef;
    }

    /** The state right after {@code version}: a {@link FlagState} or {@link SegmentState}; null if there is no such version. */
    public Object stateAt(String recordKey, long version) {
        if (version < 1) {
            return null;
        }
        Object state = null;
        AggregateRef subject = AggregateRef.ofEventKey(recordKey);
        // flags and segments keep keyframes; environments, change requests, plans and scheduled changes have few
        // versions and are folded from the first
        boolean keyframed = subject instanceof FlagRef || subject instanceof SegmentRef;
        long expected = keyframed ? HistoryCodec.keyframeFor(version) : 1;
        try (KeyValueIterator<String, byte[]> range = history.range(HistoryCodec.historyKey(recordKey, expected),
                HistoryCodec.historyKey(recordKey, version))) {
            while (range.hasNext()) {
                KeyValue<String, byte[]> next = range.next();
                HistoryCodec.HistoryValue value = HistoryCodec.readHistoryValue(next.value);
                if (state == null && !keyframed) {
                    state = fold(null, events.deserialize(null, value.event()));
                } else if (state == null) {
                    if (!value.hasKeyframe()) {
                        throw new IllegalStateException("history of " + recordKey + " has no keyframe at version " + expected);
                    }
                    state = decodeState(recordKey, value.keyframe());
                } else {
                    state = fold(state, events.deserialize(null, value.event()));
                }
                expected++;
            }
        }
        return expected == version + 1 ? state : null;
    }

    /** The version current at {@code at} (the last one whose event time is not after it), or 0 if none yet. */
    public long versionAt(String recordKey, Instant at, long latestVersion) {
        long millis = at.toEpochMilli();
        long low = 1;
        long high = latestVersion;
        long found = 0;
        while (low <= high) {
            long mid = (low + high) >>> 1;
            byte[] value = history.get(HistoryCodec.historyKey(recordKey, mid));
            if (value == null) {
                throw new IllegalStateException("history of " + recordKey + " has no version " + mid);
            }
            if (HistoryCodec.occurredAtMillis(value) <= millis) {
                found = mid;
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return found;
    }

    /**
     * Entries below {@code beforeVersion} (exclusive; {@code Long.MAX_VALUE} for the newest),
     * newest first, whose time is in [since, until] (either may be null), at most {@code limit}.
     */
    public Page page(String recordKey, long beforeVersion, int limit, Instant since, Instant until) {
        List<Long> versions = new ArrayList<>();
        List<HistoryCodec.HistoryValue> values = new ArrayList<>();
        boolean more = false;
        long top = Math.min(beforeVersion - 1, Long.MAX_VALUE - 1);
        try (KeyValueIterator<String, byte[]> range = history.reverseRange(HistoryCodec.historyKey(recordKey, 1),
                HistoryCodec.historyKey(recordKey, top))) {
            while (range.hasNext()) {
                KeyValue<String, byte[]> next = range.next();
                HistoryCodec.HistoryValue value = HistoryCodec.readHistoryValue(next.value);
                Instant at = Instant.ofEpochMilli(value.occurredAtMillis());
                if (until != null && at.isAfter(until)) {
                    continue;
                }
                if (since != null && at.isBefore(since)) {
                    break;   // times never go backwards within a flag: nothing older can be in range
                }
                if (versions.size() == limit) {
                    more = true;
                    break;
                }
                versions.add(versionOf(next.key));
                values.add(value);
            }
        }
        if (versions.isEmpty()) {
            return new Page(List.of(), null);
        }
        // fold forward from the state before the oldest entry, diffing as we go
        long oldest = versions.get(versions.size() - 1);
        Object state = stateAt(recordKey, oldest - 1);
        List<Entry> entries = new ArrayList<>(versions.size());
        for (int i = versions.size() - 1; i >= 0; i--) {
            FlagEvent event = events.deserialize(null, values.get(i).event());
            Object after = fold(state, event);
            entries.add(new Entry(versions.get(i), event.getOccurredAt(), event, StateDiff.diff(json(state), json(after)),
                    summary(event, state, after)));
            state = after;
        }
        Collections.reverse(entries);
        return new Page(entries, more ? oldest : null);
    }

    /** The structured diff between two versions (0 = before creation). */
    public JsonNode diff(String recordKey, long from, long to) {
        return StateDiff.diff(json(stateAt(recordKey, from)), json(stateAt(recordKey, to)));
    }

    /** One entry with its diff; null if there is no such version. */
    public Entry entry(String recordKey, long version) {
        byte[] raw = history.get(HistoryCodec.historyKey(recordKey, version));
        if (raw == null) {
            return null;
        }
        FlagEvent event = events.deserialize(null, HistoryCodec.readHistoryValue(raw).event());
        Object before = stateAt(recordKey, version - 1);
        Object after = fold(before, event);
        return new Entry(version, event.getOccurredAt(), event, StateDiff.diff(json(before), json(after)),
                summary(event, before, after));
    }

    /** The entry's sentence; a plan's steps are named from its definition as it stood. */
    private static String summary(FlagEvent event, Object before, Object after) {
        Object plan = before != null ? before : after;
        RolloutPlanDefinition definition = plan instanceof RolloutPlanState p ? p.getDefinition() : null;
        return EventSummaries.of(event, definition);
    }

    public static JsonNode json(Object state) {
        if (state instanceof FlagState f) {
            return StateJson.flag(f);
        }
        if (state instanceof SegmentState s) {
            return StateJson.segment(s);
        }
        if (state instanceof EnvironmentState e) {
            return StateJson.environment(e);
        }
        if (state instanceof ChangeRequestState r) {
            return StateJson.changeRequest(r);
        }
        if (state instanceof RolloutPlanState p) {
            return StateJson.plan(p);
        }
        if (state instanceof ScheduledChangeState c) {
            return StateJson.scheduledChange(c);
        }
        return null;
    }

    private Object decodeState(String recordKey, byte[] bytes) {
        return isSegment(recordKey) ? segmentStates.deserialize(null, bytes) : flagStates.deserialize(null, bytes);
    }

    private static Object fold(Object state, FlagEvent event) {
        if (ChangeRequestStateFold.isChangeRequestEvent(event)) {
            return ChangeRequestStateFold.apply((ChangeRequestState) state, event).state();
        }
        if (ScheduledChangeFold.isScheduledChangeEvent(event)) {
            return ScheduledChangeFold.apply((ScheduledChangeState) state, event).state();
        }
        if (EnvironmentStateFold.isEnvironmentEvent(event)) {
            return EnvironmentStateFold.apply((EnvironmentState) state, event).state();
        }
        if (SegmentStateFold.isSegmentEvent(event)) {
            return SegmentStateFold.apply((SegmentState) state, event).state();
        }
        if (RolloutPlanFold.isPlanEvent(event)) {
            return RolloutPlanFold.apply((RolloutPlanState) state, event).state();
        }
        if (ScheduledChangeFold.isScheduledChangeEvent(event)) {
            return ScheduledChangeFold.apply((ScheduledChangeState) state, event).state();
        }
        return FlagStateFold.apply((FlagState) state, event).state();
    }

    private static long versionOf(String historyKey) {
        return Long.parseLong(historyKey.substring(historyKey.lastIndexOf('#') + 1));
    }
}
