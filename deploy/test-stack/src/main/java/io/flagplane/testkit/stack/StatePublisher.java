package io.flagplane.testkit.stack;

import io.flagplane.avro.FlagState;
import io.flagplane.contract.RecordKeys;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.wire.AvroSerializer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Writes {@code FlagState} records the way the projection does: keyed, Confluent wire format, acks=all. */
final class StatePublisher {

    private StatePublisher() {
    }

    static void publish(String bootstrapServers, SchemaRegistryClient registry, String topic, FlagState... states) {
        AvroSerializer<FlagState> serializer = new AvroSerializer<>(registry, true);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new ByteArraySerializer())) {
            for (FlagState state : states) {
                producer.send(new ProducerRecord<>(topic, RecordKeys.of(state.getEnvironment(), state.getFlagKey()),
                        serializer.serialize(topic, state))).get(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing flag states to " + topic, e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot publish flag states to " + topic, e);
        }
    }
}
