package io.flagplane.testkit.stack;

import io.flagplane.avro.FlagState;
import io.flagplane.avro.SegmentState;
import io.flagplane.contract.RecordKeys;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.wire.AvroSerializer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Writes {@code FlagState} and {@code SegmentState} records the way the projection does: keyed, Confluent wire format, acks=all. */
final class StatePublisher {

    private StatePublisher() {
    }

    static void publish(String bootstrapServers, SchemaRegistryClient registry, String topic, SpecificRecord... states) {
        AvroSerializer<SpecificRecord> serializer = new AvroSerializer<>(registry, true);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new ByteArraySerializer())) {
            for (SpecificRecord state : states) {
                String key = state instanceof FlagState f ? RecordKeys.of(f.getEnvironment(), f.getFlagKey())
                        : RecordKeys.of(((SegmentState) state).getEnvironment(), ((SegmentState) state).getSegmentKey());
                producer.send(new ProducerRecord<>(topic, key, serializer.serialize(topic, state))).get(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing flag states to " + topic, e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot publish flag states to " + topic, e);
        }
    }
}
