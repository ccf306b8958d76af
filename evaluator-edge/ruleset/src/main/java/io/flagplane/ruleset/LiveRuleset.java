package io.flagplane.ruleset;

import io.flagplane.avro.FlagState;
import io.flagplane.avro.SegmentState;
import io.flagplane.contract.AggregateRef;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.SegmentRef;
import io.flagplane.contract.TopicNames;
import io.flagplane.mapping.FlagStateMapper;
import io.flagplane.registry.SchemaRegistryClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A ruleset that stays current on its own: the {@link RulesetTail} keeps the
 * {@link RulesetStore} up to date, and (when a snapshot file is configured) the last known states
 * are written to disk every few seconds and loaded at start, so a process started while Kafka is
 * down still serves. The edge node and the Java SDK both run one.
 *
 * <p>Ready means it has a ruleset to serve: caught up with the topic, or loaded from a snapshot.
 * Stale means, since {@link Status#staleSince()}, it has served a ruleset it may not be able to
 * refresh: Kafka is unreachable, or the tail failed and has not caught up again since it
 * restarted, or the ruleset came from a snapshot and has not caught up yet. Once ready it stays
 * ready: a stale ruleset is still served, and says so.
 *
 * <p>Offline ({@link Options#offline()}): no Kafka client at all. The snapshot file is read once
 * at {@link #start()}, which fails when it cannot be read (nothing else could ever make the
 * ruleset ready), and is never written; the ruleset is then served as it is, from the snapshot
 * and stale since it was loaded, until the process ends. For a service that takes its flags from
 * a file it is given, and for tests and benchmarks that need no broker.
 */
public final class LiveRuleset implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LiveRuleset.class);

    /**
     * @param snapshotFile     where to keep the last known ruleset, or null for none
     * @param snapshotInterval how often a changed ruleset is written out
     * @param countUsage       whether each flag gets usage counters in the snapshot (for the evaluator report)
     * @param offline          no Kafka: serve the snapshot file alone (which must then be given), never write it
     */
    public record Options(String bootstrapServers, TopicNames topics, Set<String> environments, Path snapshotFile,
                          Duration snapshotInterval, Map<String, Object> consumerOverrides, boolean countUsage,
                          boolean offline) {
        public Options {
            environments = Set.copyOf(environments);
            consumerOverrides = Map.copyOf(consumerOverrides);
            if (offline && snapshotFile == null) {
                throw new IllegalArgumentException("offline needs a snapshot file to serve from");
            }
        }

        /** Online: tails Kafka. */
        public Options(String bootstrapServers, TopicNames topics, Set<String> environments, Path snapshotFile,
                       Duration snapshotInterval, Map<String, Object> consumerOverrides, boolean countUsage) {
            this(bootstrapServers, topics, environments, snapshotFile, snapshotInterval, consumerOverrides, countUsage, false);
        }

        public static Options of(String bootstrapServers, TopicNames topics, Set<String> environments) {
            return new Options(bootstrapServers, topics, environments, null, Duration.ofSeconds(5), Map.of(), false);
        }

        public Options withSnapshot(Path file) {
            return new Options(bootstrapServers, topics, environments, file, snapshotInterval, consumerOverrides, countUsage,
                    offline);
        }

        public Options withUsageCounting(boolean count) {
            return new Options(bootstrapServers, topics, environments, snapshotFile, snapshotInterval, consumerOverrides, count,
                    offline);
        }

        /** Offline: serve {@code file} alone, with no Kafka client at all (see {@link LiveRuleset}). */
        public static Options offline(Path file, Set<String> environments, boolean countUsage) {
            return new Options("", TopicNames.DEFAULT, environments, file, Duration.ofSeconds(5), Map.of(), countUsage, true);
        }
    }

    /**
     * Where the ruleset stands. {@code staleSince} is the earliest instant from which it has not
     * been current (null while it is); {@code tailFailed} says the tail failed unexpectedly and
     * has not caught up again since; {@code tailRestarts} counts its restarts after such failures,
     * and {@code lastTailFailure} says what went wrong last, in a sentence with no internals in it
     * (null if nothing has). {@code failure} is the kind of what stands in the way now: the kind of
     * the tail's failure while it has failed, {@link FailureKind#CONTRACT} when it caught up
     * having read no flag it could decode and some it could not, else null.
     */
    public record Status(boolean ready, boolean caughtUp, boolean fromSnapshot, Instant staleSince, long lag, int flags,
                         boolean tailFailed, long tailRestarts, String lastTailFailure, FailureKind failure) {
        public Status(boolean ready, boolean caughtUp, boolean fromSnapshot, Instant staleSince, long lag, int flags,
                      boolean tailFailed, long tailRestarts, String lastTailFailure) {
            this(ready, caughtUp, fromSnapshot, staleSince, lag, flags, tailFailed, tailRestarts, lastTailFailure, null);
        }

        public boolean stale() {
            return staleSince != null;
        }

        /** True when what stands in the way is something a retry cannot fix (see {@link FailureKind}). */
        public boolean failedBeyondRetry() {
            return failure != null && failure.retryCannotFix();
        }
    }

    private final Options options;
    private final RulesetStore store;
    /** Null when offline. */
    private final RulesetTail tail;
    /** The newest state of every flag and segment seen, for the snapshot; guarded by itself. */
    private final Map<FlagRef, FlagState> latest = new HashMap<>();
    private final Map<SegmentRef, SegmentState> latestSegments = new HashMap<>();
    private final CountDownLatch ready = new CountDownLatch(1);
    /** Told once, when there first is a ruleset to serve; guarded by itself. */
    private final List<Runnable> readyListeners = new ArrayList<>();
    private final List<Consumer<RulesetTail.StateBatch>> batchListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Status>> statusListeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService snapshots;
    private volatile boolean fromSnapshot;
    private volatile Instant snapshotSince;
    private boolean dirty;

    public LiveRuleset(Options options, SchemaRegistryClient registry) {
        this(options, registry, RulesetTail.Supervision.standard());
    }

    LiveRuleset(Options options, SchemaRegistryClient registry, RulesetTail.Supervision supervision) {
        this.options = options;
        this.store = new RulesetStore(options.countUsage() ? UsageCounters.enabled() : UsageCounters.DISABLED,
                supervision.clock());
        if (options.offline()) {
            this.tail = null;
            this.snapshots = null;
            return;
        }
        this.tail = new RulesetTail(new RulesetTail.Settings(options.bootstrapServers(), options.topics(),
                options.environments(), Duration.ofMillis(100), Duration.ofSeconds(1), options.consumerOverrides()),
                registry, store, this::received, supervision);
        tail.onConnectionChange(connection -> statusChanged());
        tail.onHealthChange(health -> statusChanged());
        this.snapshots = options.snapshotFile() == null ? null : Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ruleset-snapshot");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Loads the snapshot (if any), starts tailing, and starts writing snapshots. Does not block.
     * Offline, only loads the snapshot.
     *
     * @throws IllegalStateException offline, when the snapshot file is missing or cannot be read
     */
    public LiveRuleset start() {
        if (options.offline()) {
            loadOffline();
            return this;
        }
        if (options.snapshotFile() != null) {
            loadSnapshot();
            snapshots.scheduleWithFixedDelay(this::writeIfDirty, options.snapshotInterval().toMillis(),
                    options.snapshotInterval().toMillis(), TimeUnit.MILLISECONDS);
        }
        tail.onCaughtUp(() -> {   // ready now, and current: tell listeners (a provider that failed to start waits for this)
            fromSnapshot = false;
            snapshotSince = null;
            markReady();
            statusChanged();
        });
        tail.start();
        return this;
    }

    private void loadOffline() {
        Path file = options.snapshotFile();
        SnapshotFile.Snapshot snapshot;
        try {
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException("offline, and the snapshot file " + file + " does not exist");
            }
            snapshot = SnapshotFile.read(file);
        } catch (IOException e) {
            throw new IllegalStateException("offline, and the snapshot file " + file + " cannot be read: " + e.getMessage(), e);
        }
        try {
            apply(snapshot, "and not reading Kafka (offline)");   // an empty file is a ruleset too: every flag answers FLAG_NOT_FOUND
        } catch (RuntimeException e) {   // a state the engine cannot prepare: as the online load, the whole file is refused
            throw new IllegalStateException("offline, and the snapshot file " + file + " holds a flag that cannot be served: "
                    + e.getMessage(), e);
        }
    }

    private void loadSnapshot() {
        try {
            SnapshotFile.Snapshot snapshot = SnapshotFile.read(options.snapshotFile());
            if (snapshot.isEmpty()) {
                return;
            }
            apply(snapshot, "until Kafka has been read");
        } catch (IOException | RuntimeException e) {
            LOG.warn("ignoring snapshot {}: {}", options.snapshotFile(), e.getMessage());
        }
    }

    /** Applies the snapshot's states of the wanted environments and marks the ruleset ready, from the snapshot. */
    private void apply(SnapshotFile.Snapshot snapshot, String until) {
        List<RulesetStore.Update> updates = new ArrayList<>();
        List<RulesetStore.SegmentUpdate> segmentUpdates = new ArrayList<>();
        synchronized (latest) {
            for (FlagState state : snapshot.flags()) {
                FlagRef ref = new FlagRef(state.getEnvironment(), state.getFlagKey());
                if (wanted(ref)) {
                    updates.add(new RulesetStore.Update(ref, FlagStateMapper.toFlag(state)));
                    latest.put(ref, state);
                }
            }
            for (SegmentState state : snapshot.segments()) {
                SegmentRef ref = new SegmentRef(state.getEnvironment(), state.getSegmentKey());
                if (wanted(ref)) {
                    segmentUpdates.add(new RulesetStore.SegmentUpdate(ref, FlagStateMapper.toSegment(state)));
                    latestSegments.put(ref, state);
                }
            }
        }
        store.apply(updates, segmentUpdates);
        fromSnapshot = true;
        snapshotSince = Instant.now();
        markReady();
        LOG.info("serving {} flags and {} segments from snapshot {} {}", updates.size(), segmentUpdates.size(),
                options.snapshotFile(), until);
    }

    private boolean wanted(AggregateRef ref) {
        return options.environments().isEmpty() || options.environments().contains(ref.environment());
    }

    private void received(RulesetTail.StateBatch batch) {
        if (options.snapshotFile() != null) {
            remember(batch);
        }
        for (Consumer<RulesetTail.StateBatch> listener : batchListeners) {
            try {
                listener.accept(batch);
            } catch (RuntimeException e) {
                LOG.warn("a state listener failed", e);
            }
        }
    }

    /** Called on the tail thread with the states of each batch read (before the version gate): for metrics. */
    public void onStates(Consumer<RulesetTail.StateBatch> listener) {
        batchListeners.add(listener);
    }

    private void remember(RulesetTail.StateBatch batch) {
        synchronized (latest) {
            for (FlagState state : batch.flags()) {
                FlagRef ref = new FlagRef(state.getEnvironment(), state.getFlagKey());
                FlagState known = latest.get(ref);
                if (known == null || state.getVersion() > known.getVersion()) {
                    latest.put(ref, state);
                    dirty = true;
                }
            }
            for (SegmentState state : batch.segments()) {
                SegmentRef ref = new SegmentRef(state.getEnvironment(), state.getSegmentKey());
                SegmentState known = latestSegments.get(ref);
                if (known == null || state.getVersion() > known.getVersion()) {
                    latestSegments.put(ref, state);
                    dirty = true;
                }
            }
        }
    }

    private void writeIfDirty() {
        List<FlagState> states;
        List<SegmentState> segments;
        synchronized (latest) {
            if (!dirty) {
                return;
            }
            states = new ArrayList<>(latest.values());
            segments = new ArrayList<>(latestSegments.values());
            dirty = false;
        }
        try {
            SnapshotFile.write(options.snapshotFile(), states, segments);
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot write snapshot {}: {}", options.snapshotFile(), e.getMessage());
            synchronized (latest) {
                dirty = true;
            }
        }
    }

    public Ruleset current() {
        return store.current();
    }

    public RulesetStore store() {
        return store;
    }

    /** The Kafka side; null when offline. */
    public RulesetTail tail() {
        return tail;
    }

    public boolean isReady() {
        return ready.getCount() == 0;
    }

    /**
     * Called once, when there first is a ruleset to serve (from Kafka or from the snapshot); at
     * once, on the caller's thread, if there already is one.
     */
    public void onReady(Runnable listener) {
        synchronized (readyListeners) {
            if (!isReady()) {
                readyListeners.add(listener);
                return;
            }
        }
        listener.run();
    }

    private void markReady() {
        List<Runnable> toTell;
        synchronized (readyListeners) {
            if (isReady()) {
                return;
            }
            ready.countDown();
            toTell = List.copyOf(readyListeners);
            readyListeners.clear();
        }
        for (Runnable listener : toTell) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.warn("a ready listener failed", e);
            }
        }
    }

    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public Status status() {
        if (tail == null) {   // offline: from the snapshot, never refreshed
            return new Status(isReady(), false, fromSnapshot, snapshotSince, 0, store.current().size(), false, 0, null, null);
        }
        RulesetTail.Connection connection = tail.connection();
        RulesetTail.Health health = tail.health();
        Instant staleSince = earliest(earliest(connection.unreachableSince(), health.failedSince()),
                fromSnapshot ? snapshotSince : null);
        int flags = store.current().size();
        boolean caughtUp = tail.isCaughtUp();
        FailureKind failure = health.failed() ? health.lastFailureKind()
                : caughtUp && flags == 0 && tail.recordsUnreadable() > 0 ? FailureKind.CONTRACT : null;
        return new Status(isReady(), caughtUp, fromSnapshot, staleSince, connection.lag(), flags,
                health.failed(), health.restarts(), health.lastFailure(), failure);
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
    }

    /** Called, on the applying thread, with the flag and segment versions each batch applied and when. */
    public void onApplied(Consumer<RulesetStore.Applied> listener) {
        store.onApplied(listener);
    }

    /** Called with the flags each applied batch changed. */
    public void onChange(Consumer<List<FlagRef>> listener) {
        store.onChange(listener);
    }

    /** Called when Kafka becomes unreachable or reachable again; never when offline. */
    public void onConnectionChange(Consumer<RulesetTail.Connection> listener) {
        if (tail != null) {
            tail.onConnectionChange(listener);
        }
    }

    /**
     * Called, on the tail thread, with the status whenever it may have turned stale or current:
     * Kafka unreachable or reachable again, the tail failed, restarted or caught up again, a
     * ruleset from a snapshot replaced by Kafka's.
     */
    public void onStatusChange(Consumer<Status> listener) {
        statusListeners.add(listener);
    }

    private void statusChanged() {
        Status status = status();
        for (Consumer<Status> listener : statusListeners) {
            try {
                listener.accept(status);
            } catch (RuntimeException e) {
                LOG.warn("a status listener failed", e);
            }
        }
    }

    @Override
    public void close() {
        if (tail == null) {
            return;
        }
        tail.close();
        if (snapshots != null) {
            snapshots.shutdownNow();
            writeIfDirty();
        }
    }
}
