package io.flagplane.command;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.avro.GuardrailKind;
import io.flagplane.avro.GuardrailReading;
import io.flagplane.avro.GuardrailVerdict;
import io.flagplane.avro.ReleaseSignal;
import io.flagplane.contract.RecordKeys;
import io.flagplane.testkit.stack.TestStack;
import io.flagplane.wire.AvroSerializer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes guardrail verdicts to the real {@code release-signals} topic as the projection does
 * (wire format, keyed {@code environment/plan:key}): the release controller's input, in tests.
 */
final class SignalPublisher implements AutoCloseable {

    private final String topic;
    private final KafkaProducer<String, byte[]> producer;
    private final AvroSerializer<ReleaseSignal> serializer;

    SignalPublisher(TestStack stack, String topic) {
        this.topic = topic;
        this.producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.bootstrapServers(), "acks", "all", "linger.ms", 0),
                new StringSerializer(), new ByteArraySerializer());
        this.serializer = new AvroSerializer<>(stack.registryClient(), true);
    }

    /** One verdict on the error-rate guardrail for the plan's current step, as the plan's JSON (GET) shows it. */
    void publish(String environment, JsonNode plan, GuardrailVerdict verdict, String summary, Instant evaluatedAt,
                 Map<String, Long> exposedUsers) {
        publish(new ReleaseSignal(UUID.randomUUID().toString(), environment, plan.get("key").asText(), plan.get("currentStep").asInt(),
                Instant.parse(plan.get("stepStartedAt").asText()), evaluatedAt, exposedUsers,
                List.of(new GuardrailReading("error-rate", GuardrailKind.THRESHOLD, verdict, 0.072, 0.05, 5_000L, summary))));
    }

    void publish(ReleaseSignal signal) {
        try {
            producer.send(new ProducerRecord<>(topic, RecordKeys.ofPlanEvents(signal.getEnvironment(), signal.getPlanKey()),
                    serializer.serialize(topic, signal))).get();
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
