package io.flagplane.projection.fold;

import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.avro.SegmentState;
import io.flagplane.contract.FlagStateFold;
import io.flagplane.contract.RecordKeys;
import io.flagplane.contract.ChangeRequestStateFold;
import io.flagplane.contract.ScheduledChangeFold;
import io.flagplane.contract.EnvironmentStateFold;
import io.flagplane.contract.RolloutPlanFold;
import io.flagplane.contract.ScheduledChangeFold;
import io.flagplane.contract.SegmentStateFold;
import io.flagplane.contract.TopicNames;
import io.flagplane.projection.history.HistoryCodec;
import io.flagplane.wire.AvroDeserializer;
import io.flagplane.wire.AvroSerializer;
import io.flagplane.wire.WireFormatException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds each event into its flag's state with {@link FlagStateFold} (its segment's with
 * {@link SegmentStateFold}, its rollout plan's with {@link RolloutPlanFold}), records it in the
 * history and audit stores, and forwards the new state keyed {@code environment/key} (a plan's
 * keyed {@code environment/plan:key}, for the guardrails). Only events that move a flag, segment or
 * plan forward are recorded, so a redelivered or duplicated event appears in the history once.
 * Environments, change requests and scheduled changes live in the command-service: their events
 * are recorded in history and the audit log only.
 *
 * <p>Decoding happens here rather than in a serde so that an undecodable record is counted,
 * forwarded as a {@link DeadLetter} and skipped without stopping the application. A record whose
 * schema the registry cannot serve right now fails the task instead, so it is retried rather than
 * lost.
 */
final class EventFoldProcessor implements Processor<String, byte[], String, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(EventFoldProcessor.class);

    /** An undecodable record, to be copied to the dead-letter topic as it was. */
    record DeadLetter(byte[] value) {
    }

    private final AvroDeserializer<FlagEvent> events;
    private final AvroSerializer<SpecificRecord> states;
    private final TopicNames topics;
    private final ProjectionMetrics metrics;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, FlagState> flags;
    private KeyValueStore<String, SegmentState> segments;
    private KeyValueStore<String, RolloutPlanState> plans;
    private KeyValueStore<String, byte[]> history;
    private KeyValueStore<String, byte[]> audit;
    /**
     * The states this task wrote last, as objects: reading them back from the store would decode
     * them on every event (the store keeps bytes). This task is the stores' only writer, so the
     * map never disagrees with them; it is a bounded read cache, not a second source of truth.
     */
    private final Map<String, FlagState> recentFlags = lru(20_000);
    private final Map<String, SegmentState> recentSegments = lru(2_000);

    EventFoldProcessor(AvroDeserializer<FlagEvent> events, AvroSerializer<SpecificRecord> states, TopicNames topics,
                       ProjectionMetrics metrics) {
        this.events = events;
        this.states = states;
        this.topics = topics;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.flags = context.getStateStore(FlagProjectionTopology.FLAG_STORE);
        this.segments = context.getStateStore(FlagProjectionTopology.SEGMENT_STORE);
        this.plans = context.getStateStore(FlagProjectionTopology.PLAN_STORE);
        this.history = context.getStateStore(FlagProjectionTopology.HISTORY_STORE);
        this.audit = context.getStateStore(FlagProjectionTopology.AUDIT_STORE);
    }

    /** The Kafka timestamp of the record being processed; what the states it leads to carry. */
    private long inputTimestamp;

    @Override
    public void process(Record<String, byte[]> record) {
        inputTimestamp = record.timestamp();
        if (record.value() == null) {
            return;
        }
        FlagEvent event;
        try {
            event = events.deserialize(context.recordMetadata().map(RecordMetadata::topic).orElse(topics.flagEvents()),
                    record.value());
        } catch (WireFormatException e) {
            if (e.reason() == WireFormatException.Reason.REGISTRY_UNAVAILABLE) {
                throw e;
            }
            metrics.undecodable.incrementAndGet();
            LOG.warn("skipping undecodable event (key {}, {}): {}; copied to {}", record.key(), position(), e.getMessage(),
                    topics.deadLetters());
            deadLetter(record, e.reason() + ": " + e.getMessage());
            return;
        }
        if (EnvironmentStateFold.isEnvironmentEvent(event)) {
            // environments are declared on the log; the projection keeps their events in history and the audit log
            if (!RecordKeys.ofEnvironmentEvents(event.getEnvironment()).equals(record.key())) {
                metrics.rejected.incrementAndGet();
                LOG.warn("skipping event {}: record key {} is not environment {}'s ({})", event.getEventId(), record.key(),
                        event.getEnvironment(), position());
                return;
            }
            remember(record, event, null, List.of(), null);
            metrics.applied.incrementAndGet();
            return;
        }
        if (ChangeRequestStateFold.isChangeRequestEvent(event)) {
            // change requests live in the command-service; the projection keeps their steps in history and the audit log
            if (!RecordKeys.ofChangeRequestEvents(event.getEnvironment(), event.getFlagKey()).equals(record.key())) {
                metrics.rejected.incrementAndGet();
                LOG.warn("skipping event {}: record key {} is not change request {}'s ({})", event.getEventId(), record.key(),
                        event.getFlagKey(), position());
                return;
            }
            remember(record, event, null, List.of(), null);
            metrics.applied.incrementAndGet();
            return;
        }
        if (ScheduledChangeFold.isScheduledChangeEvent(event)) {
            // scheduled changes live in the command-service; the projection keeps their events in history and the audit log
            if (!RecordKeys.ofScheduleEvents(event.getEnvironment(), event.getFlagKey()).equals(record.key())) {
                metrics.rejected.incrementAndGet();
                LOG.warn("skipping event {}: record key {} is not scheduled change {}'s ({})", event.getEventId(), record.key(),
                        event.getFlagKey(), position());
                return;
            }
            remember(record, event, null, List.of(), null);
            metrics.applied.incrementAndGet();
            return;
        }
        if (RolloutPlanFold.isPlanEvent(event)) {
            plan(record, event);
            return;
        }
        boolean segment = SegmentStateFold.isSegmentEvent(event);
        String expected = segment ? RecordKeys.ofSegmentEvents(event.getEnvironment(), event.getFlagKey())
                : RecordKeys.of(event.getEnvironment(), event.getFlagKey());
        if (!expected.equals(record.key())) {
            metrics.rejected.incrementAndGet();
            LOG.warn("skipping event {}: record key {} does not match its {} {} ({})", event.getEventId(), record.key(),
                    segment ? "segment" : "flag", expected, position());
            return;
        }
        String stateKey = RecordKeys.of(event.getEnvironment(), event.getFlagKey());
        FlagStateFold.Outcome outcome;
        String detail;
        if (segment) {
            SegmentState current = recentSegments.get(stateKey);
            SegmentStateFold.Result result = SegmentStateFold.apply(current != null ? current : segments.get(stateKey), event);
            outcome = result.outcome();
            detail = result.detail();
            if (outcome == FlagStateFold.Outcome.APPLIED) {
                segments.put(stateKey, result.state());
                recentSegments.put(stateKey, result.state());
                remember(record, event, result.state(), List.of(), topics.segmentState());
                forward(stateKey, result.state());
            }
        } else {
            FlagState current = recentFlags.get(stateKey);
            FlagStateFold.Result result = FlagStateFold.apply(current != null ? current : flags.get(stateKey), event);
            outcome = result.outcome();
            detail = result.detail();
            if (outcome == FlagStateFold.Outcome.APPLIED) {
                flags.put(stateKey, result.state());
                recentFlags.put(stateKey, result.state());
                remember(record, event, result.state(), result.state().getDefinition().getTags(), topics.flagState());
                forward(stateKey, result.state());
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
                LOG.warn("event {} cannot apply ({}): {}", event.getEventId(), position(), detail);
            }
        }
    }

    /**
     * A rollout plan's event: folded into the plan's state (version-gated, like a flag's), recorded in
     * history (no keyframes: a plan has tens of versions, folded from the first) and forwarded.
     */
    private void plan(Record<String, byte[]> record, FlagEvent event) {
        String key = RecordKeys.ofPlanEvents(event.getEnvironment(), event.getFlagKey());
        if (!key.equals(record.key())) {
            metrics.rejected.incrementAndGet();
            LOG.warn("skipping event {}: record key {} is not plan {}'s ({})", event.getEventId(), record.key(), event.getFlagKey(),
                    position());
            return;
        }
        RolloutPlanFold.Result result = RolloutPlanFold.apply(plans.get(key), event);
        switch (result.outcome()) {
            case APPLIED -> {
                plans.put(key, result.state());
                remember(record, event, null, List.of(), null);
                forward(key, result.state());
                metrics.applied.incrementAndGet();
            }
            case STALE -> metrics.stale.incrementAndGet();
            case REJECTED -> {
                metrics.rejected.incrementAndGet();
                LOG.warn("event {} cannot apply ({}): {}", event.getEventId(), position(), result.detail());
            }
        }
    }

    /** History keeps the event exactly as it was read, plus the state after it at keyframes. */
    private void remember(Record<String, byte[]> record, FlagEvent event, SpecificRecord stateAfter, List<String> tags,
                          String stateTopic) {
        long version = event.getVersion();
        long at = event.getOccurredAt().toEpochMilli();
        byte[] keyframe = stateAfter != null && HistoryCodec.isKeyframe(version) ? states.serialize(stateTopic, stateAfter) : null;
        history.put(HistoryCodec.historyKey(record.key(), version), HistoryCodec.historyValue(at, record.value(), keyframe));
        audit.put(HistoryCodec.auditKey(at, record.key(), version),
                HistoryCodec.auditValue(event.getActor().getId(), FlagStateFold.typeOf(event), tags));
    }

    private static <V> Map<String, V> lru(int capacity) {
        return new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > capacity;
            }
        };
    }

    /**
     * A state carries the Kafka timestamp of the event record it came from, never the event's
     * {@code occurredAt}: that is the writer's clock, and a broker refuses a record stamped more than
     * {@code log.message.timestamp.after.max.ms} (an hour) ahead of its own, which would stop this
     * stream thread over a skewed (or, in a test, a hand-moved) clock.
     */
    private void forward(String key, Object state) {
        context.forward(new Record<>(key, state, inputTimestamp));
    }

    private void deadLetter(Record<String, byte[]> record, String reason) {
        RecordHeaders headers = new RecordHeaders();
        context.recordMetadata().ifPresent(m -> {
            headers.add("flagplane.dlq.topic", m.topic().getBytes(StandardCharsets.UTF_8));
            headers.add("flagplane.dlq.partition", Integer.toString(m.partition()).getBytes(StandardCharsets.UTF_8));
            headers.add("flagplane.dlq.offset", Long.toString(m.offset()).getBytes(StandardCharsets.UTF_8));
        });
        headers.add("flagplane.dlq.reason", reason.getBytes(StandardCharsets.UTF_8));
        metrics.deadLettered.incrementAndGet();
        context.forward(new Record<String, Object>(record.key(), new DeadLetter(record.value()), record.timestamp(), headers));
    }

    private String position() {
        return context.recordMetadata().map(m -> m.topic() + "-" + m.partition() + "@" + m.offset()).orElse("?");
    }
}
