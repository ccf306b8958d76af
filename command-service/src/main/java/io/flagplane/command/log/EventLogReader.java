package io.flagplane.command.log;

import io.flagplane.connections.ClientRole;
import io.flagplane.connections.KafkaClientSettings;
import io.flagplane.avro.FlagEvent;
import io.flagplane.command.domain.Aggregates;
import io.flagplane.contract.AggregateRef;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.wire.AvroDeserializer;
import io.flagplane.wire.WireFormatException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code flag-events} (read_committed, every partition, no group) into the
 * {@link WriteModel}, including the results remembered for Idempotency-Keys. Before an instance
 * serves it reads from the beginning to the end; after a write whose outcome is unknown it reads
 * on from where it was, so it learns whatever did commit.
 */
final class EventLogReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventLogReader.class);

    private final String topic;
    private final KafkaConsumer<String, byte[]> consumer;
    private final AvroDeserializer<FlagEvent> deserializer;
    private final AtomicLong undecodable = new AtomicLong();
    private List<TopicPartition> partitions;

    EventLogReader(KafkaClientSettings kafka, String topic, SchemaRegistryClient registry) {
        this.topic = topic;
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
        config.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        kafka.applyTo(ClientRole.CONSUMER, config);
        this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        this.deserializer = new AvroDeserializer<>(registry, FlagEvent.class);
    }

    /**
     * Reads until every partition is at the end offset it had when this call began.
     *
     * @return the number of events folded
     */
    long catchUp(WriteModel model, Duration timeout) {
        if (partitions == null) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist; provision the topics first");
            }
            partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        long deadline = System.nanoTime() + timeout.toNanos();
        long folded = 0;
        while (!reached(end)) {
            if (System.nanoTime() > deadline) {
                throw new org.apache.kafka.common.errors.TimeoutException("could not read " + topic + " to its end within "
                        + timeout);
            }
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                if (record.value() == null) {
                    continue;
                }
                FlagEvent event;
                try {
                    event = deserializer.deserialize(record.topic(), record.value());
                } catch (WireFormatException e) {
                    if (e.reason() == WireFormatException.Reason.REGISTRY_UNAVAILABLE) {
                        // skipping would leave a hole in the versions we hand out; fail and retry later
                        throw e;
                    }
                    undecodable.incrementAndGet();
                    LOG.warn("skipping undecodable event {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
                            e.getMessage());
                    continue;
                }
                Object after = model.fold(event);
                folded++;
                if (after != null && event.getIdempotencyKey() != null) {
                    AggregateRef target = Aggregates.targetOf(event);
                    model.rememberFromLog(WriteModel.idempotencyScope(event.getActor().getId(), event.getIdempotencyKey()),
                            event.getChangeSetIndex() == null ? 0 : event.getChangeSetIndex(),
                            new Change(target, after, event.getVersion(), true, record.partition(), record.offset()),
                            event.getChangeSetId(), event.getOccurredAt(), event.getRequestFingerprint());
                }
            }
        }
        return folded;
    }

    private boolean reached(Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    long undecodableEvents() {
        return undecodable.get();
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
