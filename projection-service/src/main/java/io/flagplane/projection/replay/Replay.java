package io.flagplane.projection.replay;

import io.flagplane.connections.ClientRole;
import io.flagplane.connections.KafkaClientSettings;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.contract.TopicNames;
import io.flagplane.projection.fold.FlagProjectionTopology;
import io.flagplane.projection.fold.ProjectionMetrics;
import io.flagplane.projection.query.LocalStores;
import io.flagplane.projection.http.ProjectionJson;
import io.flagplane.projection.query.ProjectionQueries;
import io.flagplane.registry.SchemaRegistryClient;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Rebuilds every projection store from offset zero under a fresh application id, next to the
 * live projection and without touching it: no output topics, no changelogs, its own state
 * directory, removed afterwards. Then {@link Verifier} compares what it built, byte for byte,
 * with the live application's changelogs (Promise 4), and {@link #export} writes the whole
 * ruleset as of any instant.
 */
public final class Replay implements AutoCloseable {

    /** How to reach Kafka and what to compare with. */
    public record Options(KafkaClientSettings kafka, TopicNames topics, String liveApplicationId, Path stateDir, int threads,
                          PrintStream progress) {
        /** Plaintext to {@code bootstrapServers}: tests and benchmarks. */
        public Options(String bootstrapServers, TopicNames topics, String liveApplicationId, Path stateDir, int threads,
                       PrintStream progress) {
            this(KafkaClientSettings.plaintext(bootstrapServers), topics, liveApplicationId, stateDir, threads, progress);
        }
    }

    /** What the rebuild read and how fast. */
    public record Result(long events, Duration took) {
        public double eventsPerSecond() {
            return events / Math.max(1e-9, took.toNanos() / 1e9);
        }
    }

    private final Options options;
    private final SchemaRegistryClient registry;
    private final String applicationId = "flagplane-replay-" + UUID.randomUUID();
    private final ProjectionMetrics metrics = new ProjectionMetrics();
    private KafkaStreams streams;
    private LocalStores stores;

    public Replay(Options options, SchemaRegistryClient registry) {
        this.options = options;
        this.registry = registry;
    }

    public String applicationId() {
        return applicationId;
    }

    /** Reads {@code flag-events} from offset zero to where it ended when the replay began; blocks until then. */
    public Result rebuild(Duration timeout) throws InterruptedException {
        Map<TopicPartition, Long> end = committedEnd();
        long total = end.values().stream().mapToLong(Long::longValue).sum();
        options.progress().printf("replaying %s: %d partitions, up to %,d offsets, under application id %s%n",
                options.topics().flagEvents(), end.size(), total, applicationId);

        Properties properties = properties();
        StreamsBuilder builder = new StreamsBuilder(new TopologyConfig(new StreamsConfig(properties)));
        FlagProjectionTopology.build(builder, options.topics(), registry, metrics, FlagProjectionTopology.Options.REPLAY);
        streams = new KafkaStreams(builder.build(), properties);
        HostInfo self = new HostInfo("replay", 0);
        stores = new LocalStores(() -> streams, options.topics().flagEvents(), () -> self);
        long started = System.nanoTime();
        streams.start();

        long deadline = started + timeout.toNanos();
        long lastReport = started;
        long lastSeen = 0;
        long lastProgress = started;
        try (Admin admin = admin()) {
            while (true) {
                Thread.sleep(100);
                long now = System.nanoTime();
                long seen = metrics.seen();
                if (seen != lastSeen) {
                    lastSeen = seen;
                    lastProgress = now;
                }
                if (now - lastReport >= TimeUnit.SECONDS.toNanos(1)) {
                    double seconds = (now - started) / 1e9;
                    options.progress().printf("  … %,d events folded in %.1f s (%,.0f/s)%n", seen, seconds, seen / seconds);
                    lastReport = now;
                }
                if (streams.state() == KafkaStreams.State.RUNNING && reached(admin, end)) {
                    break;
                }
                if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                    throw new IllegalStateException("the replay stopped: " + streams.state());
                }
                if (now > deadline) {
                    throw new IllegalStateException("the replay did not reach the end of " + options.topics().flagEvents()
                            + " within " + timeout);
                }
            }
        }
        Duration took = Duration.ofNanos(lastProgress - started);
        Result result = new Result(metrics.seen(), took);
        options.progress().printf("rebuilt from %,d events in %.2f s: %,.0f events/s (applied %,d, stale %,d, rejected %,d, "
                        + "undecodable %,d)%n", result.events(), took.toNanos() / 1e9, result.eventsPerSecond(), metrics.applied(),
                metrics.stale(), metrics.rejected(), metrics.undecodable());
        return result;
    }

    /** The end of each partition as a read_committed reader sees it now. */
    private Map<TopicPartition, Long> committedEnd() {
        try (Admin admin = admin()) {
            List<TopicPartition> partitions = admin.describeTopics(Set.of(options.topics().flagEvents())).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get(options.topics().flagEvents()).partitions().stream()
                    .map(p -> new TopicPartition(options.topics().flagEvents(), p.partition())).toList();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
            Map<TopicPartition, Long> end = new HashMap<>();
            admin.listOffsets(latest, new org.apache.kafka.clients.admin.ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                    .all().get(30, TimeUnit.SECONDS).forEach((p, info) -> end.put(p, info.offset()));
            return end;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot read the end of " + options.topics().flagEvents() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** True once the replay has committed every partition up to its end (Streams commits past transaction markers). */
    private boolean reached(Admin admin, Map<TopicPartition, Long> end) throws InterruptedException {
        if (end.values().stream().allMatch(offset -> offset == 0)) {
            return true;
        }
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(applicationId)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
                OffsetAndMetadata at = committed.get(e.getKey());
                if (e.getValue() > 0 && (at == null || at.offset() < e.getValue())) {
                    return false;
                }
            }
            return true;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        }
    }

    private Properties properties() {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.STATE_DIR_CONFIG, options.stateDir().toString());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, options.threads());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        // long commits: a replay that fails is run again from zero, and each commit writes every changed flag once
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 5_000);
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 64L * 1024 * 1024);
        p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, "replay:0");
        p.put("processing.exception.handler.global.enabled", true);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 5_000);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_BYTES_CONFIG), 64 * 1024 * 1024);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), 8 * 1024 * 1024);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        return options.kafka().applyTo(ClientRole.STREAMS, p);
    }

    private Admin admin() {
        return Admin.create(options.kafka().forRole(ClientRole.ADMIN));
    }

    /** Waits out a rebalance of the replay itself (Kafka Streams may have one after start-up) before reading its stores. */
    private void awaitQueryable() {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Compares the rebuilt stores with the live application's changelogs. */
    public Verifier.Report verify(Duration patience) throws InterruptedException {
        awaitQueryable();
        return new Verifier(options.kafka(), options.liveApplicationId(), registry, stores, options.progress())
                .verify(patience);
    }

    /** Queries over the rebuilt stores (time travel, history, diffs), once {@link #rebuild} has returned. */
    public ProjectionQueries queries() {
        awaitQueryable();
        return new ProjectionQueries(stores, registry);
    }

    /**
     * Every flag and segment as of {@code asOf} (null = the end of the replay), from the rebuilt
     * stores, in the export API's JSON.
     */
    public ObjectNode export(Instant asOf) {
        return ProjectionJson.export(asOf == null ? Instant.now() : asOf, null, queries().exportLocal(asOf, environment -> true));
    }

    /** Stops the replay and removes everything it made: its state directory and its consumer group. */
    @Override
    public void close() {
        if (streams != null) {
            streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(Duration.ofSeconds(10)));
            streams.cleanUp();
        }
        try (Admin admin = admin()) {
            admin.deleteConsumerGroups(List.of(applicationId)).all().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            options.progress().println("could not delete consumer group " + applicationId + ": " + e.getMessage());
        }
        deleteQuietly(options.stateDir().resolve(applicationId));
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // the temporary directory is left behind; nothing depends on it
        }
    }
}
