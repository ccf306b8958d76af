package io.flagplane.testkit.stack;

import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.wire.AvroDeserializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a telemetry topic ({@code flag-exposures}, {@code tracking-events}) from the beginning,
 * every partition, decoding each value with the project's deserializer: for tests of what
 * evaluators send. Call {@link #records()} inside an Awaitility condition; it reads what arrived
 * since the last call.
 */
public final class TelemetryReader<T extends SpecificRecord> implements AutoCloseable {

    /** One record: its key and decoded value. */
    public record Keyed<T>(String key, T value) {
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final AvroDeserializer<T> deserializer;
    private final List<Keyed<T>> seen = new ArrayList<>();

    public TelemetryReader(String bootstrapServers, SchemaRegistryClient registry, String topic, Class<T> type) {
        this.consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer());
        this.deserializer = new AvroDeserializer<>(registry, type);
        List<TopicPartition> partitions = List.of();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (partitions.isEmpty() && System.nanoTime() < deadline) {   // a topic just created may not be in metadata yet
            partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        }
        if (partitions.isEmpty()) {
            consumer.close();
            throw new IllegalStateException("topic " + topic + " has no partitions");
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Every record read so far, with its key. */
    public List<Keyed<T>> records() {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            seen.add(new Keyed<>(record.key(), deserializer.deserialize(record.topic(), record.value())));
        }
        return List.copyOf(seen);
    }

    /** Every value read so far. */
    public List<T> values() {
        return records().stream().map(Keyed::value).toList();
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
