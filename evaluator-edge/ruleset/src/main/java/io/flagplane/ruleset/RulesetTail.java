package io.flagplane.ruleset;

import io.flagplane.avro.FlagState;
import io.flagplane.avro.SegmentState;
import io.flagplane.contract.TopicNames;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.wire.AvroDeserializer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails {@code flag-state} and {@code segment-state} into a {@link RulesetStore}: every partition
 * of both, from the beginning, no consumer group (every node reads everything and needs no
 * rebalance). It is caught up once it has read to the end offsets it saw when it started; after
 * that each poll's records (flags and segments together) are applied as one batch.
 *
 * <p>A record that cannot be decoded or makes no sense is logged, counted and skipped. A record
 * whose schema cannot be fetched because the registry is unreachable is retried, not skipped:
 * on a compacted topic it might be the flag's only record.
 *
 * <p>It probes the cluster every {@code probeInterval} (end offsets, which also give the lag);
 * when a probe fails the tail reports Kafka unreachable since then, and keeps the ruleset it has.
 *
 * <p>An unexpected failure (a store or mapper that throws, a Kafka error outside the paths above)
 * does not end the tail. It reports itself failed since that instant ({@link #health()}; it is
 * not {@linkplain #isCaughtUp() caught up} again until it has recovered), closes its consumer,
 * waits ({@link RestartBackoff}: 100 ms doubling to 30 s, reset by a healthy minute) and starts
 * again on a new consumer, <em>from the beginning</em> of both topics. It does not resume from
 * the positions it had: after an unknown failure the consumer's state is unknown, and a batch
 * that failed while being applied has already moved the positions past records that never
 * reached the store; on a compacted topic one of them may be a flag's only record. Re-reading
 * costs what a start costs, and is idempotent: the store's version gate drops what it already
 * has, and the store keeps serving the last good ruleset meanwhile. It has recovered once it has
 * read again to the end offsets it saw at the restart. Only {@link #close()} (or an interrupt,
 * which it reports as a failure it does not restart from) stops it.
 *
 * <p>Why one class of ~400 lines: it is one thing, the supervisor of the tail (settings, status,
 * health, listeners, the restart loop); the work of one run on one consumer is {@link TailRun}.
 */
public final class RulesetTail implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RulesetTail.class);

    /** Where to read and what to keep; an empty {@code environments} set keeps every environment. */
    public record Settings(String bootstrapServers, TopicNames topics, Set<String> environments, Duration pollTimeout,
                           Duration probeInterval, Map<String, Object> consumerOverrides) {
        public Settings {
            environments = Set.copyOf(environments);
            consumerOverrides = Map.copyOf(consumerOverrides);
        }

        public static Settings of(String bootstrapServers, TopicNames topics, Set<String> environments) {
            return new Settings(bootstrapServers, topics, environments, Duration.ofMillis(100), Duration.ofSeconds(1), Map.of());
        }
    }

    /** The decoded states of one applied batch, before the version gate. */
    public record StateBatch(List<FlagState> flags, List<SegmentState> segments) {
    }

    /** Whether the tail can reach Kafka: {@code unreachableSince} is null while it can. */
    public record Connection(Instant lastContact, Instant unreachableSince, long lag) {
        public boolean reachable() {
            return unreachableSince == null;
        }
    }

    /**
     * Whether the tail runs as it should: {@code failedSince} is when it failed unexpectedly, null
     * again once a restart has caught up; {@code restarts} counts restarts after such failures;
     * {@code lastFailure} says what went wrong last, in a sentence fit for anyone to read (no
     * class names; the full error is in the log), or is null if nothing has; {@code lastFailureKind}
     * is its {@link FailureKind} (null if nothing has failed).
     */
    public record Health(Instant failedSince, long restarts, String lastFailure, FailureKind lastFailureKind) {
        public Health(Instant failedSince, long restarts, String lastFailure) {
            this(failedSince, restarts, lastFailure, null);
        }

        public boolean failed() {
            return failedSince != null;
        }
    }

    /**
     * How the tail restarts, the clock it reads, and a hook run just before each batch goes to
     * the store (what the hook throws fails the tail as a throwing store would): a test makes the
     * backoff short and the hook throw.
     */
    record Supervision(Clock clock, RestartBackoff backoff, Consumer<StateBatch> beforeApply) {
        static Supervision standard() {
            return new Supervision(Clock.systemUTC(), RestartBackoff.standard(), batch -> { });
        }
    }

    private final Settings settings;
    private final RulesetStore store;
    private final Consumer<StateBatch> stateListener;
    private final Supervision supervision;
    private final Clock clock;
    private final AvroDeserializer<FlagState> flagStates;
    private final AvroDeserializer<SegmentState> segmentStates;
    private final Map<String, Object> consumerConfig;
    private final Thread thread;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong unreadable = new AtomicLong();
    private final List<Consumer<Connection>> connectionListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Health>> healthListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> caughtUpListeners = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;
    /** The first run's consumer, built by the constructor; null once the run has it. */
    private KafkaConsumer<String, byte[]> firstConsumer;
    /** The run under way, null between runs: written by the tail thread, woken by {@link #close()}. */
    private volatile TailRun current;
    /** What the last run was doing when it failed; tail thread only. */
    private String failedWhile;
    private volatile Instant lastEventTime;
    private volatile Connection connection = new Connection(null, null, 0);
    private volatile Health health = new Health(null, 0, null);

    /** How long the broker may hold a fetch that finds nothing (see the constructor). */
    static final int FETCH_MAX_WAIT_MS = 500;

    /**
     * @param stateListener called on the tail thread with the decoded states of each batch (before
     *                      the version gate), e.g. to keep an on-disk snapshot; may be null
     */
    public RulesetTail(Settings settings, SchemaRegistryClient registry, RulesetStore store,
                       Consumer<StateBatch> stateListener) {
        this(settings, registry, store, stateListener, Supervision.standard());
    }

    public RulesetTail(Settings settings, SchemaRegistryClient registry, RulesetStore store) {
        this(settings, registry, store, null);
    }

    RulesetTail(Settings settings, SchemaRegistryClient registry, RulesetStore store, Consumer<StateBatch> stateListener,
                Supervision supervision) {
        this.settings = settings;
        this.store = store;
        this.stateListener = stateListener;
        this.supervision = supervision;
        this.clock = supervision.clock();
        this.flagStates = new AvroDeserializer<>(registry, FlagState.class);
        this.segmentStates = new AvroDeserializer<>(registry, SegmentState.class);
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // A long poll: the broker answers a fetch as soon as a record arrives, so this bounds only how
        // long it holds a fetch that finds nothing. At 10 ms (until issue 17) every idle node asked the
        // broker a hundred times a second: fifty idle nodes and the services in one process on two cores
        // used 135 % of a core doing nothing, 67 % at 500 ms (40 s after start, JIT included), and five
        // nodes propagated a kill as fast at 500 as at 10 (BENCHMARKS.md, issue 17 part 3).
        // kafka.consumer.fetch.max.wait.ms overrides it.
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
        config.putAll(settings.consumerOverrides());
        this.consumerConfig = Map.copyOf(config);
        this.firstConsumer = newConsumer();   // here, so that settings Kafka refuses fail the caller at once
        this.thread = new Thread(this::run, "ruleset-tail");
        this.thread.setDaemon(true);
    }

    private KafkaConsumer<String, byte[]> newConsumer() {
        return new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new ByteArrayDeserializer());
    }

    public RulesetTail start() {
        thread.start();
        return this;
    }

    /**
     * True once everything that was on the topics at start has been applied, and the tail has not
     * failed since (or, after a restart, has read again to where the topics ended at the restart).
     */
    public boolean isCaughtUp() {
        return caughtUp.getCount() == 0 && !health.failed();
    }

    /** Waits until the tail has first caught up. */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Records applied to the store so far (including those the version gate dropped, and those re-read after a restart). */
    public long recordsApplied() {
        return applied.get();
    }

    /** Records logged and skipped because they could not be decoded or made no sense (again after a restart re-reads them). */
    public long recordsSkipped() {
        return skipped.get();
    }

    /**
     * Of the records skipped, those whose writer's schema this reader's contract cannot resolve
     * (a newer, incompatible contract): each is skipped like any undecodable record, and a
     * ruleset that has read nothing else cannot serve at all ({@link FailureKind#CONTRACT}).
     */
    public long recordsUnreadable() {
        return unreadable.get();
    }

    /** When the newest applied change happened (its event time), or null. */
    public Instant lastEventTime() {
        return lastEventTime;
    }

    public Connection connection() {
        return connection;
    }

    public Health health() {
        return health;
    }

    /** Called once, on the tail thread, when the tail has caught up (register before {@link #start()}). */
    public void onCaughtUp(Runnable listener) {
        caughtUpListeners.add(listener);
    }

    /** Called on the tail thread whenever Kafka becomes unreachable or reachable again. */
    public void onConnectionChange(Consumer<Connection> listener) {
        connectionListeners.add(listener);
    }

    /** Called on the tail thread when the tail fails, restarts, and has recovered. */
    public void onHealthChange(Consumer<Health> listener) {
        healthListeners.add(listener);
    }

    private void run() {
        while (running) {
            Instant started = clock.instant();
            Throwable failure = runOnce();
            if (failure == null) {
                return;   // closed, or interrupted
            }
            Instant failedAt = clock.instant();
            Duration wait = supervision.backoff().after(started, failedAt);
            failed(failure, failedAt, wait);
            try {
                if (stopped.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                interrupted(e);
                return;
            }
            Health before = health;
            health = new Health(before.failedSince(), before.restarts() + 1, before.lastFailure(), before.lastFailureKind());
            LOG.info("restarting the ruleset tail (restart {}): reading {} and {} from the beginning", health.restarts(),
                    settings.topics().flagState(), settings.topics().segmentState());
            fireHealth();
        }
    }

    /** One run on a consumer of its own, closed at the end: null once the tail is stopped, or what made it fail. */
    private Throwable runOnce() {
        String activity = "starting a Kafka consumer";
        TailRun run = null;
        try {
            KafkaConsumer<String, byte[]> consumer = firstConsumer != null ? firstConsumer : newConsumer();
            firstConsumer = null;
            run = new TailRun(this, settings, consumer);
            current = run;
            if (running) {   // after publishing the run, so that close() either sees it or is seen here
                run.read();
            }
            return null;
        } catch (InterruptException e) {   // Kafka's word for an interrupt of this thread
            Thread.currentThread().interrupt();
            if (running) {
                interrupted(e);
            }
            return null;
        } catch (RuntimeException | Error e) {   // WakeupException too: only close() may wake the tail
            if (run != null) {
                activity = run.activity();
            }
            failedWhile = activity;
            return running ? e : null;
        } finally {
            current = null;
            if (run != null) {
                run.close();
            }
        }
    }

    /** Called by the run when it has read to the end offsets it saw when it started. */
    void runCaughtUp() {
        LOG.info("ruleset caught up with {} and {}: {} flags", settings.topics().flagState(),
                settings.topics().segmentState(), store.current().size());
        if (caughtUp.getCount() > 0) {
            caughtUp.countDown();
            caughtUpListeners.forEach(Runnable::run);
        }
        Health before = health;
        if (before.failed()) {
            health = new Health(null, before.restarts(), before.lastFailure(), before.lastFailureKind());
            LOG.info("ruleset tail current again after {} restart(s); it had not been since {}", before.restarts(),
                    before.failedSince());
            fireHealth();
        }
    }

    private void failed(Throwable failure, Instant at, Duration wait) {
        Health before = health;
        FailureKind kind = FailureKind.of(failure);
        health = new Health(before.failed() ? before.failedSince() : at, before.restarts(),
                kind == FailureKind.RETRYABLE ? "Unexpected failure while " + failedWhile + "; details are in the log."
                        : "Failed while " + failedWhile + ": " + kind.describe() + ". Details are in the log.", kind);
        LOG.error("ruleset tail failed while {}; serving the last ruleset ({} flags), restarting in {} ms", failedWhile,
                store.current().size(), wait.toMillis(), failure);
        fireHealth();
    }

    private void interrupted(Exception e) {
        Health before = health;
        health = new Health(before.failed() ? before.failedSince() : clock.instant(), before.restarts(),
                "The ruleset tail was interrupted and has stopped; details are in the log.", FailureKind.RETRYABLE);
        LOG.error("ruleset tail interrupted: it has stopped, and serves the last ruleset ({} flags) from now on",
                store.current().size(), e);
        fireHealth();
    }

    // ------------------------------------------------------------------ for the run

    boolean running() {
        return running;
    }

    /** Waits, returning early when the tail is closed; an interrupt surfaces as Kafka's, which the tail handles. */
    void pause(Duration wait) {
        try {
            stopped.await(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            throw new InterruptException(e);
        }
    }

    AvroDeserializer<FlagState> flagStates() {
        return flagStates;
    }

    AvroDeserializer<SegmentState> segmentStates() {
        return segmentStates;
    }

    /**
     * One polled batch: its decoded states go to the state listener, then (through the
     * {@link Supervision#beforeApply()} hook) its updates to the store as one snapshot.
     */
    void apply(List<RulesetStore.Update> updates, List<RulesetStore.SegmentUpdate> segmentUpdates, StateBatch batch,
               Instant newest) {
        if (stateListener != null && (!batch.flags().isEmpty() || !batch.segments().isEmpty())) {
            try {
                stateListener.accept(batch);
            } catch (RuntimeException e) {
                LOG.warn("the ruleset state listener failed", e);
            }
        }
        if (!updates.isEmpty() || !segmentUpdates.isEmpty()) {
            supervision.beforeApply().accept(batch);
            store.apply(updates, segmentUpdates);
            applied.addAndGet(updates.size() + segmentUpdates.size());
            if (newest != null) {
                lastEventTime = newest;
            }
        }
    }

    /** A record skipped because its schema cannot be read into this reader's contract. */
    void skipUnreadable(ConsumerRecord<String, byte[]> record, String why) {
        unreadable.incrementAndGet();
        skip(record, why);
    }

    void skip(ConsumerRecord<String, byte[]> record, String why) {
        skipped.incrementAndGet();
        LOG.warn("skipping record {}-{}@{} (key {}): {}", record.topic(), record.partition(), record.offset(),
                record.key(), why);
    }

    void markReachable(long lag) {
        boolean changed = connection.unreachableSince() != null;
        connection = new Connection(clock.instant(), null, lag);
        if (changed) {
            LOG.info("Kafka reachable again; {} is being read", settings.topics().flagState());
            fireConnection();
        }
    }

    void markUnreachable() {
        if (connection.unreachableSince() == null) {
            connection = new Connection(connection.lastContact(), clock.instant(), connection.lag());
            LOG.warn("Kafka unreachable; serving the last known ruleset ({} flags) until it returns", store.current().size());
            fireConnection();
        }
    }

    private void fireConnection() {
        for (Consumer<Connection> listener : connectionListeners) {
            try {
                listener.accept(connection);
            } catch (RuntimeException e) {
                LOG.warn("a connection listener failed", e);
            }
        }
    }

    private void fireHealth() {
        for (Consumer<Health> listener : healthListeners) {
            try {
                listener.accept(health);
            } catch (RuntimeException e) {
                LOG.warn("a health listener failed", e);
            }
        }
    }

    /** Stops the tail: wakes it from a poll or from its wait before a restart, and waits up to 5 s for it to end. */
    @Override
    public void close() {
        running = false;
        stopped.countDown();
        TailRun run = current;
        if (run != null) {
            run.wakeup();
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
