package io.flagplane.reporting.telemetry;

import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.wire.AvroSerializer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one Kafka producer an evaluator's exposures and tracking events share, writing the
 * contract's Avro records in the Confluent wire format (the schema registered under
 * {@code <topic>-value}, as the evaluator reports are).
 *
 * <p>Like the report sender it must never hold anything up, and only the channels' background
 * threads call it: {@code acks=1} (the topics ask for one in-sync replica: a record lost with a
 * broker costs a count), no idempotence, a short linger so records travel in batches, an 8 MB
 * buffer, at most 500 ms blocked when that is full or metadata is missing, a 30 s delivery
 * timeout, and at most {@value #MAX_IN_FLIGHT} records unacknowledged: beyond that a record fails
 * at once rather than queueing behind the others.
 */
public final class TelemetryProducer implements AutoCloseable {

    static final int MAX_IN_FLIGHT = 50_000;
    private static final Logger LOG = LoggerFactory.getLogger(TelemetryProducer.class);

    private final AvroSerializer<SpecificRecord> serializer;
    private final KafkaProducer<String, byte[]> producer;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final int maxInFlight;
    private final Duration closeWait;

    public TelemetryProducer(String bootstrapServers, SchemaRegistryClient registry, String clientId,
                             Map<String, Object> overrides) {
        this(config(bootstrapServers, clientId, overrides), registry, MAX_IN_FLIGHT, Duration.ofSeconds(3));
    }

    /**
     * A producer with its own settings and cap on unacknowledged records: the evaluator reports use
     * it so, with settings of their own (no linger, one request in flight so a node's reports stay in order).
     */
    public TelemetryProducer(Map<String, Object> config, SchemaRegistryClient registry, int maxInFlight, Duration closeWait) {
        this.serializer = new AvroSerializer<>(registry, true);
        this.producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
        this.maxInFlight = maxInFlight;
        this.closeWait = closeWait;
    }

    static Map<String, Object> config(String bootstrapServers, String clientId, Map<String, Object> overrides) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ProducerConfig.ACKS_CONFIG, "1");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 500);
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 8 * 1024 * 1024);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        config.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
        config.putAll(overrides);
        return config;
    }

    /** Sends one record; its outcome arrives later, once. Never throws. */
    public void send(String topic, String key, SpecificRecord value, TelemetrySink.Outcome outcome) {
        if (inFlight.get() >= maxInFlight) {
            outcome.failed(maxInFlight + " records are still waiting for Kafka");
            return;
        }
        byte[] bytes;
        try {
            bytes = serializer.serialize(topic, value);
        } catch (RuntimeException e) {
            outcome.failed("cannot encode the record: " + e.getMessage());
            return;
        }
        AtomicBoolean settled = new AtomicBoolean();
        inFlight.incrementAndGet();
        try {
            producer.send(new ProducerRecord<>(topic, key, bytes), (metadata, error) -> {
                if (settled.compareAndSet(false, true)) {
                    inFlight.decrementAndGet();
                    if (error == null) {
                        outcome.sent();
                    } else {
                        outcome.failed(error.toString());
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

    private void settle(AtomicBoolean settled, TelemetrySink.Outcome outcome, String why) {
        if (settled.compareAndSet(false, true)) {
            inFlight.decrementAndGet();
            outcome.failed(why);
        }
    }

    /** Sends what it holds, waiting a few seconds at most. */
    @Override
    public void close() {
        try {
            producer.close(closeWait);
        } catch (InterruptException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("closing the telemetry producer failed: {}", e.toString());
        }
    }
}
