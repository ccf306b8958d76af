package io.flagplane.projection.fold;

import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.SegmentState;
import io.flagplane.contract.RecordKeys;
import io.flagplane.contract.TopicNames;
import io.flagplane.registry.InMemorySchemaRegistry;
import io.flagplane.wire.AvroDeserializer;
import io.flagplane.wire.AvroSerializer;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/** The projection topology in a {@code TopologyTestDriver}, with its topics and a way to send events as the writer does. */
final class ProjectionDriver implements AutoCloseable {

    final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    final ProjectionMetrics metrics = new ProjectionMetrics();
    final TopologyTestDriver driver;
    final TestInputTopic<String, byte[]> events;
    final TestOutputTopic<String, FlagState> flagStates;
    final TestOutputTopic<String, SegmentState> segmentStates;
    final TestOutputTopic<String, byte[]> deadLetters;
    private final AvroSerializer<FlagEvent> eventSerializer = new AvroSerializer<>(registry, true);

    ProjectionDriver(String applicationId) {
        StreamsBuilder builder = new StreamsBuilder();
        FlagProjectionTopology.build(builder, TopicNames.DEFAULT, registry, metrics);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(builder.build(), props);
        events = driver.createInputTopic("flag-events", new StringSerializer(), new ByteArraySerializer());
        flagStates = driver.createOutputTopic("flag-state", new StringDeserializer(), new AvroDeserializer<>(registry, FlagState.class));
        segmentStates = driver.createOutputTopic("segment-state", new StringDeserializer(),
                new AvroDeserializer<>(registry, SegmentState.class));
        deadLetters = driver.createOutputTopic("flag-events-dlq", new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** An event under the key {@code environment/flagKey}. */
    void send(FlagEvent event) {
        events.pipeInput(RecordKeys.of(event.getEnvironment(), event.getFlagKey()), eventSerializer.serialize("flag-events", event));
    }

    /** An event under a key of the caller's choosing (a plan's, a scheduled change's, or a wrong one). */
    void send(String key, FlagEvent event) {
        events.pipeInput(key, eventSerializer.serialize("flag-events", event));
    }

    @Override
    public void close() {
        driver.close();
    }
}
