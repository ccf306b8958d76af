package io.flagplane.faults;

import io.flagplane.avro.FlagEvent;
import io.flagplane.registry.CachingSchemaRegistryClient;
import io.flagplane.registry.RestSchemaRegistryClient;
import io.flagplane.wire.AvroDeserializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What is committed on {@code flag-events}, read as every service reads it (read_committed, from
 * the beginning to the end offsets of now): the events carrying a run's Idempotency-Keys, by key.
 */
final class EventLog {

    static final String TOPIC = "flag-events";

    /** Where one event is. */
    record Found(int partition, long offset, String reason) {
    }

    private final String bootstrap;
    private final AvroDeserializer<FlagEvent> deserializer;

    EventLog(String bootstrap, String registryUrl) {
        this.bootstrap = bootstrap;
        this.deserializer = new AvroDeserializer<>(new CachingSchemaRegistryClient(new RestSchemaRegistryClient(registryUrl)),
                FlagEvent.class);
    }

    private KafkaConsumer<String, byte[]> consumer() {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** The committed events whose Idempotency-Key starts with the prefix, by key (a key found twice is a duplicate). */
    Map<String, List<Found>> eventsByKey(String prefix) {
        Map<String, List<Found>> found = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = partitions(consumer);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (!partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + TOPIC + " to its end in 3 minutes");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    FlagEvent event = decode(r);
                    if (event != null && event.getIdempotencyKey() != null && event.getIdempotencyKey().startsWith(prefix)) {
                        found.computeIfAbsent(event.getIdempotencyKey(), k -> new ArrayList<>())
                                .add(new Found(r.partition(), r.offset(), event.getReason()));
                    }
                }
            }
        }
        return found;
    }

    /** Committed events (any) after the given end offsets, up to the end offsets of now. */
    List<FlagEvent> eventsAfter(Map<TopicPartition, Long> from) {
        List<FlagEvent> events = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = partitions(consumer);
            consumer.assign(partitions);
            partitions.forEach(p -> consumer.seek(p, from.get(p)));
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (!partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    FlagEvent event = decode(r);
                    if (event != null) {
                        events.add(event);
                    }
                }
            }
        }
        return events;
    }

    /** The end offsets of now (they count transaction markers too, so compare events, not only these). */
    Map<TopicPartition, Long> endOffsets() {
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            return consumer.endOffsets(partitions(consumer), Duration.ofSeconds(30));
        }
    }

    private FlagEvent decode(ConsumerRecord<String, byte[]> r) {
        if (r.value() == null) {
            return null;
        }
        try {
            return deserializer.deserialize(r.topic(), r.value());
        } catch (RuntimeException e) {
            return null; // a poison record (fault 6) is no event of ours
        }
    }

    private static List<TopicPartition> partitions(KafkaConsumer<String, byte[]> consumer) {
        return consumer.partitionsFor(TOPIC, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(TOPIC, p.partition())).toList();
    }
}
