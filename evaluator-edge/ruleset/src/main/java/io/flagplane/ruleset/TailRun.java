package io.flagplane.ruleset;

import io.flagplane.avro.FlagState;
import io.flagplane.avro.SegmentState;
import io.flagplane.contract.AggregateRef;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.SegmentRef;
import io.flagplane.mapping.FlagStateMapper;
import io.flagplane.wire.WireFormatException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a {@link RulesetTail}: one consumer, assigned every partition of both topics and
 * sought to their beginning, reading until the tail stops or something unexpected is thrown out
 * of {@link #read()}. A restart is a new run, so nothing a failed run knew (positions, paused
 * partitions, the end offsets it was catching up to) outlives it. What it reads, and what it
 * learns about the cluster, goes to the tail; the run itself decides nothing about failures.
 */
final class TailRun implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TailRun.class);
    private static final Duration RETRY_BACKOFF = Duration.ofMillis(500);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    private final RulesetTail tail;
    private final RulesetTail.Settings settings;
    private final KafkaConsumer<String, byte[]> consumer;
    /** Partitions waiting for the registry to come back, and when to try them again. */
    private final Map<TopicPartition, Long> pausedUntil = new HashMap<>();
    private List<TopicPartition> assigned = List.of();
    private Map<TopicPartition, Long> startEndOffsets;
    private long lastProbeNanos;
    private boolean caughtUp;
    /** What the run is doing, for the sentence that says where it failed; written by the tail thread. */
    private volatile String activity = "reading the flag and segment topics";

    TailRun(RulesetTail tail, RulesetTail.Settings settings, KafkaConsumer<String, byte[]> consumer) {
        this.tail = tail;
        this.settings = settings;
        this.consumer = consumer;
    }

    /** Reads until the tail stops; anything unexpected is thrown. */
    void read() {
        assignAll();
        while (tail.running()) {
            resumeDue();
            ConsumerRecords<String, byte[]> records = consumer.poll(settings.pollTimeout());
            if (!records.isEmpty()) {
                activity = "applying flag and segment states";
                applyBatch(records);
                activity = "reading the flag and segment topics";
            }
            if (!caughtUp && reachedStartEnd()) {
                caughtUp = true;
                tail.runCaughtUp();
            }
            probeIfDue();
        }
    }

    String activity() {
        return activity;
    }

    /** From any thread: makes a blocked poll or probe throw {@link WakeupException}. */
    void wakeup() {
        consumer.wakeup();
    }

    @Override
    public void close() {
        try {
            // at once: the tail reads by assignment and commits nothing, so there is nothing to finish; a
            // timed close would wait out the fetch the broker is holding (up to fetch.max.wait.ms)
            consumer.close(Duration.ZERO);
        } catch (InterruptException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("closing the ruleset tail's consumer failed: {}", e.toString());
        }
    }

    private void assignAll() {
        List<PartitionInfo> partitions = new ArrayList<>();
        for (String topic : List.of(settings.topics().flagState(), settings.topics().segmentState())) {
            List<PartitionInfo> found = List.of();
            while (tail.running() && found.isEmpty()) {
                try {
                    found = consumer.partitionsFor(topic, PROBE_TIMEOUT);
                    if (found.isEmpty()) {
                        LOG.warn("topic {} does not exist yet; waiting for it to be created", topic);
                        tail.pause(Duration.ofSeconds(1));   // not consumer.poll: a consumer assigned nothing throws
                    }
                } catch (TimeoutException e) {
                    tail.markUnreachable();
                }
            }
            partitions.addAll(found);
        }
        assigned = partitions.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(assigned);
        consumer.seekToBeginning(assigned);
        while (tail.running() && startEndOffsets == null) {
            try {
                startEndOffsets = consumer.endOffsets(assigned, PROBE_TIMEOUT);
                tail.markReachable(0);
            } catch (TimeoutException e) {
                tail.markUnreachable();
            }
        }
    }

    private void probeIfDue() {
        long now = System.nanoTime();
        if (now - lastProbeNanos < settings.probeInterval().toNanos()) {
            return;
        }
        lastProbeNanos = now;
        try {
            Map<TopicPartition, Long> end = consumer.endOffsets(assigned, PROBE_TIMEOUT);
            long lag = 0;
            for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
                lag += Math.max(0, e.getValue() - consumer.position(e.getKey(), PROBE_TIMEOUT));
            }
            tail.markReachable(lag);
        } catch (TimeoutException e) {
            tail.markUnreachable();
        } catch (WakeupException | InterruptException e) {
            throw e;
        } catch (KafkaException e) {
            LOG.debug("probe failed: {}", e.toString());
            tail.markUnreachable();
        }
    }

    private void resumeDue() {
        if (pausedUntil.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        List<TopicPartition> due = pausedUntil.entrySet().stream().filter(e -> e.getValue() - now <= 0)
                .map(Map.Entry::getKey).toList();
        if (!due.isEmpty()) {
            consumer.resume(due);
            due.forEach(pausedUntil::remove);
        }
    }

    private boolean reachedStartEnd() {
        for (Map.Entry<TopicPartition, Long> end : startEndOffsets.entrySet()) {
            if (consumer.position(end.getKey()) < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void applyBatch(ConsumerRecords<String, byte[]> records) {
        List<RulesetStore.Update> updates = new ArrayList<>(records.count());
        List<RulesetStore.SegmentUpdate> segmentUpdates = new ArrayList<>();
        List<FlagState> states = new ArrayList<>(records.count());
        List<SegmentState> segments = new ArrayList<>();
        Instant newest = null;
        String segmentTopic = settings.topics().segmentState();
        for (TopicPartition partition : records.partitions()) {
            boolean segment = partition.topic().equals(segmentTopic);
            for (ConsumerRecord<String, byte[]> record : records.records(partition)) {
                AggregateRef ref = refOf(record, segment);
                if (ref == null || !wanted(ref)) {
                    continue;
                }
                if (record.value() == null) {
                    if (ref instanceof SegmentRef s) {
                        segmentUpdates.add(new RulesetStore.SegmentUpdate(s, null));
                    } else if (ref instanceof FlagRef f) {
                        updates.add(new RulesetStore.Update(f, null));
                    }
                    continue;
                }
                Object state;
                try {
                    state = segment ? tail.segmentStates().deserialize(record.topic(), record.value())
                            : tail.flagStates().deserialize(record.topic(), record.value());
                } catch (WireFormatException e) {
                    if (e.reason() == WireFormatException.Reason.REGISTRY_UNAVAILABLE) {
                        LOG.warn("schema registry unreachable at {}-{}@{}; retrying: {}", record.topic(),
                                record.partition(), record.offset(), e.getMessage());
                        consumer.seek(partition, record.offset());
                        consumer.pause(List.of(partition));
                        pausedUntil.put(partition, System.nanoTime() + RETRY_BACKOFF.toNanos());
                        break;
                    }
                    if (e.reason() == WireFormatException.Reason.INCOMPATIBLE_SCHEMA) {
                        tail.skipUnreadable(record, e.reason() + ": " + e.getMessage());
                    } else {
                        tail.skip(record, e.reason() + ": " + e.getMessage());
                    }
                    continue;
                }
                try {
                    Instant at;
                    if (state instanceof SegmentState s) {
                        segmentUpdates.add(new RulesetStore.SegmentUpdate((SegmentRef) ref, FlagStateMapper.toSegment(s)));
                        segments.add(s);
                        at = s.getLastChange().getOccurredAt();
                    } else {
                        FlagState f = (FlagState) state;
                        updates.add(new RulesetStore.Update((FlagRef) ref, FlagStateMapper.toFlag(f)));
                        states.add(f);
                        at = f.getLastChange().getOccurredAt();
                    }
                    if (newest == null || at.isAfter(newest)) {
                        newest = at;
                    }
                } catch (RuntimeException e) {
                    tail.skip(record, e.getMessage());
                }
            }
        }
        tail.apply(updates, segmentUpdates, new RulesetTail.StateBatch(states, segments), newest);
    }

    /** What a state record's key names: a segment on the segment-state topic, a flag on flag-state. */
    private AggregateRef refOf(ConsumerRecord<String, byte[]> record, boolean segment) {
        try {
            return segment ? SegmentRef.ofStateKey(record.key()) : FlagRef.ofStateKey(record.key());
        } catch (IllegalArgumentException e) {
            tail.skip(record, e.getMessage());
            return null;
        }
    }

    private boolean wanted(AggregateRef ref) {
        return settings.environments().isEmpty() || settings.environments().contains(ref.environment());
    }
}
