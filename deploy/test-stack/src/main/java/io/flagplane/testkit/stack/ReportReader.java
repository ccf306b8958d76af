package io.flagplane.testkit.stack;

import io.flagplane.avro.EvaluatorReport;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.wire.AvroDeserializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads {@code evaluator-reports} from the beginning, every partition, decoding each record with
 * the project's deserializer (as the projection will): for tests of what evaluators report.
 * Call {@link #reports()} inside an Awaitility condition; it reads what arrived since the last call.
 */
public final class ReportReader implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final AvroDeserializer<EvaluatorReport> deserializer;
    private final List<EvaluatorReport> seen = new ArrayList<>();

    public ReportReader(String bootstrapServers, SchemaRegistryClient registry, String topic) {
        this.consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer());
        this.deserializer = new AvroDeserializer<>(registry, EvaluatorReport.class);
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

    /** Every report read so far (in arrival order per node: a node's reports share one partition). */
    public List<EvaluatorReport> reports() {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            EvaluatorReport report = deserializer.deserialize(record.topic(), record.value());
            if (!report.getNodeId().equals(record.key())) {
                throw new AssertionError("report of " + report.getNodeId() + " keyed " + record.key());
            }
            seen.add(report);
        }
        return List.copyOf(seen);
    }

    /** The reports one node sent, read so far. */
    public List<EvaluatorReport> reportsOf(String nodeId) {
        return reports().stream().filter(r -> r.getNodeId().equals(nodeId)).toList();
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
