package io.flagplane.reporting;

import io.flagplane.avro.EvaluatorReport;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.reporting.telemetry.TelemetryProducer;
import io.flagplane.reporting.telemetry.TelemetrySink;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;

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
 * amount of memory and the counts say what was lost. The sending itself is {@link TelemetryProducer}'s,
 * shared with the exposures and tracked events; only the settings and the cap are the reports' own.
 */
final class KafkaReportSender implements ReportSender {

    static final int MAX_IN_FLIGHT = 16;

    private final String topic;
    private final TelemetryProducer producer;

    KafkaReportSender(String bootstrapServers, String topic, SchemaRegistryClient registry, String clientId,
                      Map<String, Object> overrides) {
        this.topic = topic;
        this.producer = new TelemetryProducer(config(bootstrapServers, clientId, overrides), registry, MAX_IN_FLIGHT,
                Duration.ofSeconds(2));
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
        producer.send(topic, report.getNodeId(), report, new TelemetrySink.Outcome() {
            @Override
            public void sent() {
                outcome.sent();
            }

            @Override
            public void failed(String why) {
                outcome.dropped(why);
            }
        });
    }

    @Override
    public void close() {
        producer.close();
    }
}
