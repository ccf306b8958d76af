package io.flagplane.projection.it;

import io.flagplane.avro.EvaluatorReport;
import io.flagplane.testkit.stack.TestStack;
import io.flagplane.wire.AvroSerializer;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Sends evaluator reports onto a test's {@code evaluator-reports} topic as evaluators do: keyed by node id, Confluent wire format. */
final class Reporter implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;
    private final AvroSerializer<EvaluatorReport> serializer;
    private final String topic;

    Reporter(TestStack stack, String topic) {
        this.topic = topic;
        this.serializer = new AvroSerializer<>(stack.registryClient(), true);
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new ByteArraySerializer());
    }

    void send(EvaluatorReport report) {
        sendRaw(report.getNodeId(), serializer.serialize(topic, report));
    }

    /** Bytes under a key, for records no evaluator would send. */
    void sendRaw(String key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
