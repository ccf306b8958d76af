package io.flagplane.projection.fold;

import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.avro.SegmentState;
import io.flagplane.contract.ChangeRequestStateFold;
import io.flagplane.contract.EnvironmentStateFold;
import io.flagplane.contract.FlagStateFold;
import io.flagplane.contract.RecordKeys;
import io.flagplane.contract.RolloutPlanFold;
import io.flagplane.contract.ScheduledChangeFold;
import io.flagplane.contract.SegmentStateFold;
import io.flagplane.contract.TopicNames;
import io.flagplane.projection.history.HistoryCodec;
import io.flagplane.wire.AvroDeserializer;
import io.flagplane.wire.AvroSerializer;
import io.flagplane.wire.WireFormatException;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The projection's one decision per {@code flag-events} record, apart from what runs it: decode,
 * check the record key, fold the event into its flag's state with {@link FlagStateFold} (its
 * segment's with {@link SegmentStateFold}, its rollout plan's with {@link RolloutPlanFold}), and
 * record it in the history and audit stores. Only events that move a flag, segment or plan forward
 * are recorded, so a redelivered or duplicated event appears in the history once. Environments,
 * change requests and scheduled changes live in the command-service: their events are recorded in
 * history and the audit log only.
 *
 * <p>Two things run it: the live Kafka Streams topology ({@link EventFoldProcessor}) and the
 * replay's rebuild (a plain consumer per partition group, {@code io.flagplane.projection.replay}).
 * Both write what this class decides, in the bytes this class makes, which is why a rebuild can be
 * held byte for byte to the live stores.
 *
 * <p>An undecodable record is counted, handed to {@link Target#deadLetter} and skipped. A record
 * whose schema the registry cannot serve right now throws instead, so it is retried rather than lost.
 */
public final class EventFold {

    private static final Logger LOG = LoggerFactory.getLogger(EventFold.class);

    /** Where the fold reads the current states and writes what it decided; one per task or partition group. */
    public interface Target {
        FlagState flag(String stateKey);

        SegmentState segment(String stateKey);

        RolloutPlanState plan(String planKey);

        void putFlag(String stateKey, FlagState state);

        void putSegment(String stateKey, SegmentState state);

        void putPlan(String planKey, RolloutPlanState state);

        void putHistory(String key, byte[] value);

        void putAudit(String key, byte[] value);

        /** A new flag, segment or plan state, keyed by its state key; outputs are the runner's business. */
        void forward(String key, SpecificRecord state);

        /** A record nobody can decode, as it was read. */
        void deadLetter(String key, byte[] value, String reason);

        /** What becomes of such records here, for the log line (e.g. "copied to flag-events-dlq"). */
        String deadLetters();

        /** Where the record being folded sits ({@code topic-partition@offset}), for log lines. */
        String position();
    }

    private final AvroDeserializer<FlagEvent> events;
    private final AvroSerializer<SpecificRecord> states;
    private final TopicNames topics;
    private final ProjectionMetrics metrics;

    public EventFold(AvroDeserializer<FlagEvent> events, AvroSerializer<SpecificRecord> states, TopicNames topics,
                     ProjectionMetrics metrics) {
        this.events = events;
        this.states = states;
        this.topics = topics;
        this.metrics = metrics;
    }

    /** Counts a record the runner copied to the dead-letter topic. */
    void deadLettered() {
        metrics.deadLettered.incrementAndGet();
    }

    /** Folds one record of {@code topic} (a tombstone is ignored, uncounted). */
    public void fold(String topic, String recordKey, byte[] value, Target target) {
        if (value == null) {
            return;
        }
        FlagEvent event;
        try {
            event = events.deserialize(topic, value);
        } catch (WireFormatException e) {
            if (e.reason() == WireFormatException.Reason.REGISTRY_UNAVAILABLE) {
                throw e;
            }
            metrics.undecodable.incrementAndGet();
            LOG.warn("skipping undecodable event (key {}, {}): {}; {}", recordKey, target.position(), e.getMessage(),
                    target.deadLetters());
            target.deadLetter(recordKey, value, e.reason() + ": " + e.getMessage());
            return;
        }
        if (EnvironmentStateFold.isEnvironmentEvent(event)) {
            // environments are declared on the log; the projection keeps their events in history and the audit log
            recordOnly(recordKey, value, event, RecordKeys.ofEnvironmentEvents(event.getEnvironment()), "environment", target);
            return;
        }
        if (ChangeRequestStateFold.isChangeRequestEvent(event)) {
            // change requests live in the command-service; the projection keeps their steps in history and the audit log
            recordOnly(recordKey, value, event, RecordKeys.ofChangeRequestEvents(event.getEnvironment(), event.getFlagKey()),
                    "change request", target);
            return;
        }
        if (ScheduledChangeFold.isScheduledChangeEvent(event)) {
            // scheduled changes live in the command-service; the projection keeps their events in history and the audit log
            recordOnly(recordKey, value, event, RecordKeys.ofScheduleEvents(event.getEnvironment(), event.getFlagKey()),
                    "scheduled change", target);
            return;
        }
        if (RolloutPlanFold.isPlanEvent(event)) {
            plan(recordKey, value, event, target);
            return;
        }
        boolean segment = SegmentStateFold.isSegmentEvent(event);
        String expected = segment ? RecordKeys.ofSegmentEvents(event.getEnvironment(), event.getFlagKey())
                : RecordKeys.of(event.getEnvironment(), event.getFlagKey());
        if (!expected.equals(recordKey)) {
            metrics.rejected.incrementAndGet();
            LOG.warn("skipping event {}: record key {} does not match its {} {} ({})", event.getEventId(), recordKey,
                    segment ? "segment" : "flag", expected, target.position());
            return;
        }
        String stateKey = RecordKeys.of(event.getEnvironment(), event.getFlagKey());
        FlagStateFold.Outcome outcome;
        String detail;
        if (segment) {
            SegmentStateFold.Result result = SegmentStateFold.apply(target.segment(stateKey), event);
            outcome = result.outcome();
            detail = result.detail();
            if (outcome == FlagStateFold.Outcome.APPLIED) {
                target.putSegment(stateKey, result.state());
                remember(recordKey, value, event, result.state(), List.of(), topics.segmentState(), target);
                target.forward(stateKey, result.state());
            }
        } else {
            FlagStateFold.Result result = FlagStateFold.apply(target.flag(stateKey), event);
            outcome = result.outcome();
            detail = result.detail();
            if (outcome == FlagStateFold.Outcome.APPLIED) {
                target.putFlag(stateKey, result.state());
                remember(recordKey, value, event, result.state(), result.state().getDefinition().getTags(), topics.flagState(),
                        target);
                target.forward(stateKey, result.state());
            }
        }
        switch (outcome) {
            case APPLIED -> {
                metrics.applied.incrementAndGet();
                if (detail != null) {
                    LOG.warn("{}: {}", stateKey, detail);
                }
            }
            case STALE -> metrics.stale.incrementAndGet();
            case REJECTED -> {
                metrics.rejected.incrementAndGet();
                LOG.warn("event {} cannot apply ({}): {}", event.getEventId(), target.position(), detail);
            }
        }
    }

    /** An event of an aggregate the projection only records: its key checked, then history and audit. */
    private void recordOnly(String recordKey, byte[] value, FlagEvent event, String expected, String what, Target target) {
        if (!expected.equals(recordKey)) {
            metrics.rejected.incrementAndGet();
            LOG.warn("skipping event {}: record key {} is not {} {}'s ({})", event.getEventId(), recordKey, what,
                    what.equals("environment") ? event.getEnvironment() : event.getFlagKey(), target.position());
            return;
        }
        remember(recordKey, value, event, null, List.of(), null, target);
        metrics.applied.incrementAndGet();
    }

    /**
     * A rollout plan's event: folded into the plan's state (version-gated, like a flag's), recorded in
     * history (no keyframes: a plan has tens of versions, folded from the first) and forwarded.
     */
    private void plan(String recordKey, byte[] value, FlagEvent event, Target target) {
        String key = RecordKeys.ofPlanEvents(event.getEnvironment(), event.getFlagKey());
        if (!key.equals(recordKey)) {
            metrics.rejected.incrementAndGet();
            LOG.warn("skipping event {}: record key {} is not plan {}'s ({})", event.getEventId(), recordKey, event.getFlagKey(),
                    target.position());
            return;
        }
        RolloutPlanFold.Result result = RolloutPlanFold.apply(target.plan(key), event);
        switch (result.outcome()) {
            case APPLIED -> {
                target.putPlan(key, result.state());
                remember(recordKey, value, event, null, List.of(), null, target);
                target.forward(key, result.state());
                metrics.applied.incrementAndGet();
            }
            case STALE -> metrics.stale.incrementAndGet();
            case REJECTED -> {
                metrics.rejected.incrementAndGet();
                LOG.warn("event {} cannot apply ({}): {}", event.getEventId(), target.position(), result.detail());
            }
        }
    }

    /** History keeps the event exactly as it was read, plus the state after it at keyframes. */
    private void remember(String recordKey, byte[] value, FlagEvent event, SpecificRecord stateAfter, List<String> tags,
                          String stateTopic, Target target) {
        long version = event.getVersion();
        long at = event.getOccurredAt().toEpochMilli();
        byte[] keyframe = stateAfter != null && HistoryCodec.isKeyframe(version) ? states.serialize(stateTopic, stateAfter) : null;
        target.putHistory(HistoryCodec.historyKey(recordKey, version), HistoryCodec.historyValue(at, value, keyframe));
        target.putAudit(HistoryCodec.auditKey(at, recordKey, version),
                HistoryCodec.auditValue(event.getActor().getId(), FlagStateFold.typeOf(event), tags));
    }
}
