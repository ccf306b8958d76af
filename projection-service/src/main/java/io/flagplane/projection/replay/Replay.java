package io.flagplane.projection.replay;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.connections.ClientRole;
import io.flagplane.connections.KafkaClientSettings;
import io.flagplane.contract.TopicNames;
import io.flagplane.projection.fold.ProjectionMetrics;
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
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Rebuilds every store the fold of {@code flag-events} writes, from offset zero to where the log
 * ended when the replay began, next to the live projection and without touching it: no output
 * topics, no consumer group, a directory of its own, removed afterwards ({@link Rebuilder} folds
 * with the live projection's own {@code EventFold} into {@link RebuiltStores}). Then
 * {@link Verifier} compares what it built, byte for byte, with the live application's changelogs
 * (Promise 4), and {@link #export} writes the whole ruleset as of any instant.
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

    /**
     * How often a rebuild thread writes: every {@code events} events it folds, and its states when
     * more than {@code states} of one kind are held (else once, at the end).
     */
    public record Batching(int events, int states) {
        /** Measured at a million events (BENCHMARKS.md): larger batches bought nothing more. */
        public static final Batching DEFAULT = new Batching(20_000, 20_000);

        public Batching {
            if (events < 1 || states < 1) {
                throw new IllegalArgumentException("batching needs at least one event and one state, not " + events + "/" + states);
            }
        }
    }

    private final Options options;
    private final SchemaRegistryClient registry;
    private final Batching batching;
    private final Path directory;
    private final ProjectionMetrics metrics = new ProjectionMetrics();
    private RebuiltStores stores;
    private boolean rebuilt;

    public Replay(Options options, SchemaRegistryClient registry) {
        this(options, registry, Batching.DEFAULT);
    }

    /** With other batch sizes (tests: to write many small batches and to overflow the state caches). */
    public Replay(Options options, SchemaRegistryClient registry, Batching batching) {
        this.options = options;
        this.registry = registry;
        this.batching = batching;
        this.directory = options.stateDir().resolve("flagplane-replay-" + UUID.randomUUID());
    }

    /** Reads {@code flag-events} from offset zero to where it ended when the replay began; blocks until then. */
    public Result rebuild(Duration timeout) throws InterruptedException {
        if (stores != null) {
            throw new IllegalStateException("this replay has rebuilt already");
        }
        Map<TopicPartition, Long> end = committedEnd();
        long total = end.values().stream().mapToLong(Long::longValue).sum();
        options.progress().printf("replaying %s: %d partitions, up to %,d offsets, with %d threads into %s%n",
                options.topics().flagEvents(), end.size(), total, options.threads(), directory);
        long started = System.nanoTime();
        stores = RebuiltStores.create(directory);
        Rebuilder rebuilder = new Rebuilder(options.kafka(), options.topics(), registry, metrics, stores, batching);
        Thread progress = new Thread(() -> reportProgress(started, total), "flagplane-rebuild-progress");
        progress.setDaemon(true);
        progress.start();
        List<Rebuilder.Timing> timings;
        try {
            timings = rebuilder.run(end, Math.max(1, options.threads()), timeout);
        } finally {
            progress.interrupt();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        rebuilt = true;
        Result result = new Result(metrics.seen(), took);
        options.progress().printf("rebuilt from %,d events in %.2f s: %,.0f events/s (applied %,d, stale %,d, rejected %,d, "
                        + "undecodable %,d)%n", result.events(), took.toNanos() / 1e9, result.eventsPerSecond(), metrics.applied(),
                metrics.stale(), metrics.rejected(), metrics.undecodable());
        timings.forEach(timing -> options.progress().println("  " + timing));
        return result;
    }

    /** A line a second while the rebuild runs; the share is of offsets, which count transaction markers too. */
    private void reportProgress(long started, long offsets) {
        try {
            while (true) {
                // a pace, not a wait for anything: one line a second until rebuild() interrupts this thread
                Thread.sleep(1_000);
                double seconds = (System.nanoTime() - started) / 1e9;
                long seen = metrics.seen();
                options.progress().printf("  … %,d events folded in %.1f s (%,.0f/s, about %d %% of the log)%n", seen, seconds,
                        seen / seconds, offsets == 0 ? 100 : Math.min(100, seen * 100 / offsets));
            }
        } catch (InterruptedException e) {
            // the rebuild is over
        }
    }

    /** The end of each partition as a read_committed reader sees it now. */
    private Map<TopicPartition, Long> committedEnd() {
        try (Admin admin = Admin.create(options.kafka().forRole(ClientRole.ADMIN))) {
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

    /** The stores of a rebuild that completed; a failed or unfinished one is never read. */
    private RebuiltStores stores() {
        if (!rebuilt) {
            throw new IllegalStateException(stores == null ? "rebuild() first" : "the rebuild did not complete");
        }
        return stores;
    }

    /** Compares the rebuilt stores with the live application's changelogs. */
    public Verifier.Report verify(Duration patience) throws InterruptedException {
        return new Verifier(options.kafka(), options.liveApplicationId(), registry, stores(), options.progress())
                .verify(patience);
    }

    /** Queries over the rebuilt stores (time travel, history, diffs), once {@link #rebuild} has returned. */
    public ProjectionQueries queries() {
        return new ProjectionQueries(stores(), registry);
    }

    /**
     * Every flag and segment as of {@code asOf} (null = the end of the replay), from the rebuilt
     * stores, in the export API's JSON.
     */
    public ObjectNode export(Instant asOf) {
        return ProjectionJson.export(asOf == null ? Instant.now() : asOf, null, queries().exportLocal(asOf, environment -> true));
    }

    /** Closes the stores and removes their directory. */
    @Override
    public void close() {
        if (stores != null) {
            stores.close();
        }
        deleteQuietly(directory);
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
