package io.flagplane.reporting;

import io.flagplane.avro.EvaluatorReport;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.wire.AvroSerializer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends reports to {@code evaluator-reports}, keyed by node id, in the Confluent wire format.
 *
 * <p>Reports are telemetry, and sending them must never hold anything up. So the producer waits
 * for the partition leader only ({@code acks=1}: the topic asks for one in-sync replica anyway, and
 * a report lost with a broker is replaced by the next heartbeat), holds at most 2 MB, gives up on
 * a report after 15 s, and blocks its caller (the reporter's own thread, never an evaluating or
 * tailing one) at most 500 ms when it has no metadata or no room. On top of that at most
 * {@value #MAX_IN_FLIGHT} reports may be unacknowledged at once: beyond that a report is dropped at
 * once instead of queued behind the others, so that a Kafka that is slow or away costs a bounded
 * amount of memory and the counts say what was lost.
 */
final class KafkaReportSender implements ReportSender {

    static final int MAX_IN_FLIGHT = 16;

    private static final Logger LOG = LoggerFactory.getLogger(KafkaReportSender.class);

    private final String topic;
    private final AvroSerializer<EvaluatorReport> serializer;
    private final KafkaProducer<String, byte[]> producer;
    private final AtomicInteger inFlight = new AtomicInteger();

    KafkaReportSender(String bootstrapServers, String topic, SchemaRegistryClient registry, String clientId,
                      Map<String, Object> overrides) {
        this.topic = topic;
        this.serializer = new AvroSerializer<>(registry, true);
        this.producer = new KafkaProducer<>(config(bootstrapServers, clientId, overrides), new StringSerializer(),
                new ByteArraySerializer());
    }

    static Map<String, Object> config(String bootstrapServers, String clientId, Map<String, Object> overrides) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ProducerConfig.ACKS_CONFIG, "1");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);   // a node's reports stay in order
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 500);
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 2 * 1024 * 1024);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
        config.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
        config.putAll(overrides);
        return config;
    }

    @Override
    public void send(EvaluatorReport report, Outcome outcome) {
        if (inFlight.get() >= MAX_IN_FLIGHT) {
            outcome.dropped(MAX_IN_FLIGHT + " reports are still waiting for Kafka");
            return;
        }
        byte[] value;
        try {
            value = serializer.serialize(topic, report);
        } catch (RuntimeException e) {
            outcome.dropped("cannot encode the report: " + e.getMessage());
            return;
        }
        AtomicBoolean settled = new AtomicBoolean();
        inFlight.incrementAndGet();
        try {
            producer.send(new ProducerRecord<>(topic, report.getNodeId(), value), (metadata, error) -> {
                if (settled.compareAndSet(false, true)) {
                    inFlight.decrementAndGet();
                    if (error == null) {
                        outcome.sent();
                    } else {
                        outcome.dropped(error.toString());
                    }
                }
            });
        } catch (InterruptException e) {
            Thread.currentThread().interrupt();
            settle(settled, outcome, "interrupted");
        } catch (RuntimeException e) {
            settle(settled, outcome, e.toString());
        }
    }

    private void settle(AtomicBoolean settled, Outcome outcome, String why) {
        if (settled.compareAndSet(false, true)) {
            inFlight.decrementAndGet();
            outcome.dropped(why);
        }
    }

    @Override
    public void close() {
        try {
            producer.close(Duration.ofSeconds(2));
        } catch (InterruptException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("closing the report producer failed: {}", e.toString());
        }
    }
}
