package io.flagplane.command.release;

import io.flagplane.avro.ReleaseSignal;
import io.flagplane.connections.ClientRole;
import io.flagplane.connections.KafkaClientSettings;
import io.flagplane.contract.PlanRef;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.wire.AvroDeserializer;
import io.flagplane.wire.WireFormatException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails {@code release-signals} (every partition, no group: each instance reads all of it) with the
 * wire format's deserializer, keeping the latest signal per plan by when it was evaluated. On a
 * rewind (this instance just became the writer) it seeks every partition back by the look-back
 * (record timestamps, the producers' wall clock), far enough to see the last verdict of every
 * running plan, since the projection publishes one per plan every interval. A record it cannot
 * decode is counted and skipped: a verdict lost only delays a decision by one interval.
 */
public final class ReleaseSignalReader implements ReleaseSignals {

    private static final Logger LOG = LoggerFactory.getLogger(ReleaseSignalReader.class);
    /** Polls per tick at most, so one tick never reads for long (the rest is read on the next). */
    private static final int MAX_POLLS = 20;

    private final String topic;
    private final Duration lookBack;
    private final KafkaConsumer<String, byte[]> consumer;
    private final AvroDeserializer<ReleaseSignal> deserializer;
    private final Map<PlanRef, ReleaseSignal> latest = new ConcurrentHashMap<>();
    private final AtomicLong undecodable = new AtomicLong();
    private List<TopicPartition> partitions;
    /** A rewind asked for and not done yet (it failed, or the topic was not there): done before the next read. */
    private boolean pendingRewind;

    public ReleaseSignalReader(KafkaClientSettings kafka, String topic, SchemaRegistryClient registry, Duration lookBack) {
        this.topic = topic;
        this.lookBack = lookBack;
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
        config.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        kafka.applyTo(ClientRole.CONSUMER, config);
        this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        this.deserializer = new AvroDeserializer<>(registry, ReleaseSignal.class);
    }

    @Override
    public synchronized void poll(boolean rewind) {
        pendingRewind |= rewind;
        if (partitions == null) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist; provision the topics (guardrails are not read"
                        + " until it does)");
            }
            partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            pendingRewind = true;
        }
        if (pendingRewind) {
            rewind();
            pendingRewind = false;
        }
        for (int i = 0; i < MAX_POLLS; i++) {
            ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(i == 0 ? 50 : 0));
            if (records.isEmpty()) {
                return;
            }
            for (ConsumerRecord<String, byte[]> record : records) {
                take(record);
            }
        }
    }

    private void rewind() {
        long from = System.currentTimeMillis() - lookBack.toMillis();
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(p -> query.put(p, from));
        Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(query);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        for (TopicPartition p : partitions) {
            OffsetAndTimestamp at = offsets.get(p);
            consumer.seek(p, at == null ? ends.get(p) : at.offset());
        }
        LOG.info("reading {} back from {} ms ago for the latest verdict of each rollout plan", topic, lookBack.toMillis());
    }

    private void take(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return;
        }
        ReleaseSignal signal;
        try {
            signal = deserializer.deserialize(record.topic(), record.value());
        } catch (WireFormatException e) {
            undecodable.incrementAndGet();
            LOG.warn("skipping undecodable release signal {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
            return;
        }
        latest.merge(new PlanRef(signal.getEnvironment(), signal.getPlanKey()), signal,
                (old, next) -> next.getEvaluatedAt().isBefore(old.getEvaluatedAt()) ? old : next);
    }

    @Override
    public ReleaseSignal latest(PlanRef plan) {
        return latest.get(plan);
    }

    /** Records on the topic this reader could not decode (skipped). */
    public long undecodableSignals() {
        return undecodable.get();
    }

    @Override
    public synchronized void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
