package io.flagplane.projection.fold;

import io.flagplane.avro.FlagState;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.avro.SegmentState;
import io.flagplane.contract.TopicNames;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Runs {@link EventFold} in the live Kafka Streams topology: the fold's reads and writes go to the
 * task's stores, and each new state is forwarded keyed {@code environment/key} (a plan's keyed
 * {@code environment/plan:key}, for the guardrails), an undecodable record as a {@link DeadLetter}.
 */
final class EventFoldProcessor implements Processor<String, byte[], String, Object>, EventFold.Target {

    /** An undecodable record, to be copied to the dead-letter topic as it was. */
    record DeadLetter(byte[] value) {
    }

    private final EventFold fold;
    private final TopicNames topics;
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
    /** The record being processed: its Kafka timestamp is what the states it leads to carry. */
    private Record<String, byte[]> current;

    EventFoldProcessor(EventFold fold, TopicNames topics) {
        this.fold = fold;
        this.topics = topics;
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

    @Override
    public void process(Record<String, byte[]> record) {
        current = record;
        fold.fold(context.recordMetadata().map(RecordMetadata::topic).orElse(topics.flagEvents()), record.key(), record.value(),
                this);
    }

    @Override
    public FlagState flag(String stateKey) {
        FlagState recent = recentFlags.get(stateKey);
        return recent != null ? recent : flags.get(stateKey);
    }

    @Override
    public SegmentState segment(String stateKey) {
        SegmentState recent = recentSegments.get(stateKey);
        return recent != null ? recent : segments.get(stateKey);
    }

    @Override
    public RolloutPlanState plan(String planKey) {
        return plans.get(planKey);
    }

    @Override
    public void putFlag(String stateKey, FlagState state) {
        flags.put(stateKey, state);
        recentFlags.put(stateKey, state);
    }

    @Override
    public void putSegment(String stateKey, SegmentState state) {
        segments.put(stateKey, state);
        recentSegments.put(stateKey, state);
    }

    @Override
    public void putPlan(String planKey, RolloutPlanState state) {
        plans.put(planKey, state);
    }

    @Override
    public void putHistory(String key, byte[] value) {
        history.put(key, value);
    }

    @Override
    public void putAudit(String key, byte[] value) {
        audit.put(key, value);
    }

    /**
     * A state carries the Kafka timestamp of the event record it came from, never the event's
     * {@code occurredAt}: that is the writer's clock, and a broker refuses a record stamped more than
     * {@code log.message.timestamp.after.max.ms} (an hour) ahead of its own, which would stop this
     * stream thread over a skewed (or, in a test, a hand-moved) clock.
     */
    @Override
    public void forward(String key, SpecificRecord state) {
        context.forward(new Record<>(key, state, current.timestamp()));
    }

    @Override
    public void deadLetter(String key, byte[] value, String reason) {
        RecordHeaders headers = new RecordHeaders();
        context.recordMetadata().ifPresent(m -> {
            headers.add("flagplane.dlq.topic", m.topic().getBytes(StandardCharsets.UTF_8));
            headers.add("flagplane.dlq.partition", Integer.toString(m.partition()).getBytes(StandardCharsets.UTF_8));
            headers.add("flagplane.dlq.offset", Long.toString(m.offset()).getBytes(StandardCharsets.UTF_8));
        });
        headers.add("flagplane.dlq.reason", reason.getBytes(StandardCharsets.UTF_8));
        fold.deadLettered();
        context.forward(new Record<String, Object>(key, new DeadLetter(value), current.timestamp(), headers));
    }

    @Override
    public String deadLetters() {
        return "copied to " + topics.deadLetters();
    }

    @Override
    public String position() {
        return context.recordMetadata().map(m -> m.topic() + "-" + m.partition() + "@" + m.offset()).orElse("?");
    }

    private static <V> Map<String, V> lru(int capacity) {
        return new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > capacity;
            }
        };
    }
}
