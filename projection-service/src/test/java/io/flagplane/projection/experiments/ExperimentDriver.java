package io.flagplane.projection.experiments;

import io.flagplane.avro.Exposure;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.TrackingEvent;
import io.flagplane.contract.RecordKeys;
import io.flagplane.contract.TopicNames;
import io.flagplane.projection.telemetry.FlagStatesGlobal;
import io.flagplane.registry.InMemorySchemaRegistry;
import io.flagplane.wire.AvroSerializer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/** The analysis sub-topology (and the global copy of flag-state it reads) in a {@code TopologyTestDriver}. */
public final class ExperimentDriver implements AutoCloseable {

    public final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    public final ExperimentMetrics metrics = new ExperimentMetrics();
    public final TopologyTestDriver driver;
    private final TestInputTopic<String, byte[]> exposures;
    private final TestInputTopic<String, byte[]> tracking;
    private final TestInputTopic<String, byte[]> flagStates;
    private final AvroSerializer<SpecificRecord> serializer = new AvroSerializer<>(registry, true);

    public ExperimentDriver(UserFold.Limits limits) {
        StreamsBuilder builder = new StreamsBuilder();
        FlagStatesGlobal.add(builder, TopicNames.DEFAULT);
        ExperimentsTopology.build(builder, TopicNames.DEFAULT, registry, new ExperimentsTopology.Settings(metrics, limits,
                Duration.ofSeconds(10), 1_000));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "experiments-test");
        try {   // several drivers may be open at once (two interleavings compared), each with its own stores
            props.put(StreamsConfig.STATE_DIR_CONFIG, java.nio.file.Files.createTempDirectory("experiments-driver").toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(builder.build(), props, Experiments.LAUNCHED);
        exposures = driver.createInputTopic(TopicNames.DEFAULT.flagExposures(), new StringSerializer(), new ByteArraySerializer());
        tracking = driver.createInputTopic(TopicNames.DEFAULT.trackingEvents(), new StringSerializer(), new ByteArraySerializer());
        flagStates = driver.createInputTopic(TopicNames.DEFAULT.flagState(), new StringSerializer(), new ByteArraySerializer());
    }

    public ExperimentDriver() {
        this(UserFold.Limits.DEFAULT);
    }

    public void publish(FlagState state) {
        flagStates.pipeInput(RecordKeys.of(state.getEnvironment(), state.getFlagKey()), serializer.serialize("flag-state", state));
    }

    /** An exposure that arrives when it happened. */
    public void send(Exposure exposure) {
        send(exposure, exposure.getExposedAt());
    }

    public void send(Exposure exposure, Instant arrives) {
        exposures.pipeInput(RecordKeys.ofUser(exposure.getEnvironment(), exposure.getTargetingKey()),
                serializer.serialize("flag-exposures", exposure), arrives);
    }

    public void send(TrackingEvent event) {
        send(event, event.getOccurredAt());
    }

    public void send(TrackingEvent event, Instant arrives) {
        tracking.pipeInput(RecordKeys.ofUser(event.getEnvironment(), event.getTargetingKey()),
                serializer.serialize("tracking-events", event), arrives);
    }

    public void sendRaw(boolean exposure, String key, byte[] value, Instant arrives) {
        (exposure ? exposures : tracking).pipeInput(key, value, arrives);
    }

    public void advanceWallClock(Duration by) {
        driver.advanceWallClockTime(by);
    }

    public ExperimentTotals totals(String experimentKey) {
        KeyValueStore<String, ExperimentTotals> store = driver.getKeyValueStore(ExperimentStores.TOTALS);
        return store.get(ExperimentStores.totalsKey(Experiments.ENV, experimentKey));
    }

    public UserFacts user(String targetingKey) {
        KeyValueStore<String, UserFacts> store = driver.getKeyValueStore(ExperimentStores.USERS);
        return store.get(RecordKeys.ofUser(Experiments.ENV, targetingKey));
    }

    public List<KeyValue<String, Snapshot>> points() {
        KeyValueStore<String, Snapshot> store = driver.getKeyValueStore(ExperimentStores.SERIES);
        List<KeyValue<String, Snapshot>> all = new ArrayList<>();
        try (KeyValueIterator<String, Snapshot> it = store.all()) {
            it.forEachRemaining(all::add);
        }
        return all;
    }

    @Override
    public void close() {
        driver.close();
    }
}
