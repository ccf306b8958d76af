package io.flagplane.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flagplane.contract.TopicNames;
import io.flagplane.testkit.SecureKafkaCluster;
import io.flagplane.testkit.SharedSecureKafka;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The ACLs {@code flagplane acls} grants are the least each service needs, checked against the
 * broker's authorizer: an edge's principal reads the state and writes telemetry but cannot write
 * {@code flag-events}; the command-service's writes {@code flag-events} but cannot write
 * {@code flag-state}.
 */
@ExtendWith(SharedSecureKafka.class)
class LeastPrivilegeIT {

    private Principals p;
    private TopicNames topics;
    private String edge;
    private String command;

    @BeforeEach
    void provision(SecureKafkaCluster kafka) {
        p = new Principals(kafka);
        p.provisionTopics();
        topics = TopicNames.withPrefix(p.prefix);
        edge = p.user("edge");
        command = p.user("command");
        p.grant(Map.of("edge", edge, "command", command));
    }

    private KafkaProducer<String, String> producer(String user) {
        Map<String, Object> config = new HashMap<>(p.client(user));
        config.put("bootstrap.servers", p.kafka.bootstrapServers());
        config.put("max.block.ms", 10_000);
        config.put("delivery.timeout.ms", 10_000);
        config.put("request.timeout.ms", 5_000);
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    private static void write(KafkaProducer<String, String> producer, String topic) throws Exception {
        try {
            producer.send(new ProducerRecord<>(topic, "production/x", "v")).get(15, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    @Test
    void an_edges_principal_cannot_write_flag_events_but_reads_the_state_and_writes_its_reports() throws Exception {
        try (KafkaProducer<String, String> producer = producer(edge)) {
            assertThatThrownBy(() -> write(producer, topics.flagEvents())).isInstanceOf(TopicAuthorizationException.class)
                    .hasMessageContaining(topics.flagEvents());
            assertThatThrownBy(() -> write(producer, topics.flagState())).isInstanceOf(TopicAuthorizationException.class);
            write(producer, topics.evaluatorReports());
        }
        Map<String, Object> config = new HashMap<>(p.client(edge));
        config.put("bootstrap.servers", p.kafka.bootstrapServers());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition state = new TopicPartition(topics.flagState(), 0);
            assertThat(consumer.endOffsets(List.of(state), Duration.ofSeconds(10))).containsKey(state);
            TopicPartition events = new TopicPartition(topics.flagEvents(), 0);
            assertThatThrownBy(() -> consumer.endOffsets(List.of(events), Duration.ofSeconds(10)))
                    .isInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void the_command_services_principal_cannot_write_flag_state_but_writes_flag_events() throws Exception {
        try (KafkaProducer<String, String> producer = producer(command)) {
            assertThatThrownBy(() -> write(producer, topics.flagState())).isInstanceOf(TopicAuthorizationException.class)
                    .hasMessageContaining(topics.flagState());
            assertThatThrownBy(() -> write(producer, topics.evaluatorReports())).isInstanceOf(TopicAuthorizationException.class);
            write(producer, topics.flagEvents());
        }
    }
}
