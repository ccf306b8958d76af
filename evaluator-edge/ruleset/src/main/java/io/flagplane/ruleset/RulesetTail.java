package io.flagplane.ruleset;

import io.flagplane.avro.FlagState;
import io.flagplane.avro.SegmentState;
import io.flagplane.contract.RecordKeys;
import io.flagplane.contract.TopicNames;
import io.flagplane.contract.RecordKeys.FlagRef;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.wire.AvroDeserializer;
import io.flagplane.wire.WireFormatException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
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
 */
public final class RulesetTail implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RulesetTail.class);
    private static final Duration RETRY_BACKOFF = Duration.ofMillis(500);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

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

    private final Settings settings;
    private final RulesetStore store;
    private final Consumer<StateBatch> stateListener;
    private final AvroDeserializer<FlagState> flagStates;
    private final AvroDeserializer<SegmentState> segmentStates;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final List<Consumer<Connection>> connectionListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> caughtUpListeners = new CopyOnWriteArrayList<>();
    /** Partitions waiting for the registry to come back, and when to try them again. */
    private final Map<TopicPartition, Long> pausedUntil = new HashMap<>();
    private volatile boolean running = true;
    private volatile Instant lastEventTime;
    private volatile Connection connection = new Connection(null, null, 0);
    private List<TopicPartition> assigned = List.of();
    private Map<TopicPartition, Long> startEndOffsets;
    private long lastProbeNanos;

    /**
     * @param stateListener called on the tail thread with the decoded states of each batch (before
     *                      the version gate), e.g. to keep an on-disk snapshot; may be null
     */
    public RulesetTail(Settings settings, SchemaRegistryClient registry, RulesetStore store,
                       Consumer<StateBatch> stateListener) {
        this.settings = settings;
        this.store = store;
        this.stateListener = stateListener;
        this.flagStates = new AvroDeserializer<>(registry, FlagState.class);
        this.segmentStates = new AvroDeserializer<>(registry, SegmentState.class);
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
        config.putAll(settings.consumerOverrides());
        this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "ruleset-tail");
        this.thread.setDaemon(true);
    }

    public RulesetTail(Settings settings, SchemaRegistryClient registry, RulesetStore store) {
        this(settings, registry, store, null);
    }

    public RulesetTail start() {
        thread.start();
        return this;
    }

    /** True once everything that was on the topic at start has been applied. */
    public boolean isCaughtUp() {
        return caughtUp.getCount() == 0;
    }

    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Records applied to the store so far (including those the version gate dropped). */
    public long recordsApplied() {
        return applied.get();
    }

    /** Records logged and skipped because they could not be decoded or made no sense. */
    public long recordsSkipped() {
        return skipped.get();
    }

    /** When the newest applied change happened (its event time), or null. */
    public Instant lastEventTime() {
        return lastEventTime;
    }

    public Connection connection() {
        return connection;
    }

    /** Called once, on the tail thread, when the tail has caught up (register before {@link #start()}). */
    public void onCaughtUp(Runnable listener) {
        caughtUpListeners.add(listener);
    }

    /** Called on the tail thread whenever Kafka becomes unreachable or reachable again. */
    public void onConnectionChange(Consumer<Connection> listener) {
        connectionListeners.add(listener);
    }

    private void run() {
        try {
            assignAll();
            while (running) {
                resumeDue();
                ConsumerRecords<String, byte[]> records = consumer.poll(settings.pollTimeout());
                if (!records.isEmpty()) {
                    applyBatch(records);
                }
                if (!isCaughtUp() && reachedStartEnd()) {
                    LOG.info("ruleset caught up with {} and {}: {} flags", settings.topics().flagState(),
                            settings.topics().segmentState(), store.current().size());
                    caughtUp.countDown();
                    caughtUpListeners.forEach(Runnable::run);
                }
                probeIfDue();
            }
        } catch (WakeupException e) {
            if (running) {
                LOG.error("ruleset tail woken up while running", e);
            }
        } catch (RuntimeException e) {
            LOG.error("ruleset tail stopped; serving the last ruleset from now on", e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void assignAll() {
        List<PartitionInfo> partitions = new ArrayList<>();
        for (String topic : List.of(settings.topics().flagState(), settings.topics().segmentState())) {
            List<PartitionInfo> found = List.of();
            while (running && found.isEmpty()) {
                try {
                    found = consumer.partitionsFor(topic, PROBE_TIMEOUT);
                    if (found.isEmpty()) {
                        LOG.warn("topic {} does not exist yet; waiting for it to be created", topic);
                        consumer.poll(Duration.ofSeconds(1));
                    }
                } catch (org.apache.kafka.common.errors.TimeoutException e) {
                    markUnreachable();
                }
            }
            partitions.addAll(found);
        }
        assigned = partitions.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(assigned);
        consumer.seekToBeginning(assigned);
        while (running && startEndOffsets == null) {
            try {
                startEndOffsets = consumer.endOffsets(assigned, PROBE_TIMEOUT);
                markReachable(0);
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                markUnreachable();
            }
        }
    }

    private void probeIfDue() {
        long now = System.nanoTime();
        if (now - lastProbeNanos < settings.probeInterval().toNanos()) {
            return;
        }
        lastProbeNanos = now;
        try {
            Map<TopicPartition, Long> end = consumer.endOffsets(assigned, PROBE_TIMEOUT);
            long lag = 0;
            for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
                lag += Math.max(0, e.getValue() - consumer.position(e.getKey(), PROBE_TIMEOUT));
            }
            markReachable(lag);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            markUnreachable();
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            LOG.debug("probe failed: {}", e.toString());
            markUnreachable();
        }
    }

    private void markReachable(long lag) {
        boolean changed = connection.unreachableSince() != null;
        connection = new Connection(Instant.now(), null, lag);
        if (changed) {
            LOG.info("Kafka reachable again; {} is being read", settings.topics().flagState());
            fire();
        }
    }

    private void markUnreachable() {
        if (connection.unreachableSince() == null) {
            connection = new Connection(connection.lastContact(), Instant.now(), connection.lag());
            LOG.warn("Kafka unreachable; serving the last known ruleset ({} flags) until it returns", store.current().size());
            fire();
        }
    }

    private void fire() {
        for (Consumer<Connection> listener : connectionListeners) {
            try {
                listener.accept(connection);
            } catch (RuntimeException e) {
                LOG.warn("a connection listener failed", e);
            }
        }
    }

    private void resumeDue() {
        if (pausedUntil.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        List<TopicPartition> due = pausedUntil.entrySet().stream().filter(e -> e.getValue() - now <= 0)
                .map(Map.Entry::getKey).toList();
        if (!due.isEmpty()) {
            consumer.resume(due);
            due.forEach(pausedUntil::remove);
        }
    }

    private boolean reachedStartEnd() {
        for (Map.Entry<TopicPartition, Long> end : startEndOffsets.entrySet()) {
            if (consumer.position(end.getKey()) < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void applyBatch(ConsumerRecords<String, byte[]> records) {
        List<RulesetStore.Update> updates = new ArrayList<>(records.count());
        List<RulesetStore.SegmentUpdate> segmentUpdates = new ArrayList<>();
        List<FlagState> states = new ArrayList<>(records.count());
        List<SegmentState> segments = new ArrayList<>();
        Instant newest = null;
        String segmentTopic = settings.topics().segmentState();
        for (TopicPartition partition : records.partitions()) {
            boolean segment = partition.topic().equals(segmentTopic);
            for (ConsumerRecord<String, byte[]> record : records.records(partition)) {
                FlagRef ref = refOf(record);
                if (ref == null || !wanted(ref)) {
                    continue;
                }
                if (record.value() == null) {
                    if (segment) {
                        segmentUpdates.add(new RulesetStore.SegmentUpdate(ref, null));
                    } else {
                        updates.add(new RulesetStore.Update(ref, null));
                    }
                    continue;
                }
                Object state;
                try {
                    state = segment ? segmentStates.deserialize(record.topic(), record.value())
                            : flagStates.deserialize(record.topic(), record.value());
                } catch (WireFormatException e) {
                    if (e.reason() == WireFormatException.Reason.REGISTRY_UNAVAILABLE) {
                        LOG.warn("schema registry unreachable at {}-{}@{}; retrying: {}", record.topic(),
                                record.partition(), record.offset(), e.getMessage());
                        consumer.seek(partition, record.offset());
                        consumer.pause(List.of(partition));
                        pausedUntil.put(partition, System.nanoTime() + RETRY_BACKOFF.toNanos());
                        break;
                    }
                    skip(record, e.reason() + ": " + e.getMessage());
                    continue;
                }
                try {
                    Instant at;
                    if (state instanceof SegmentState s) {
                        segmentUpdates.add(new RulesetStore.SegmentUpdate(ref, FlagStateMapper.toSegment(s)));
                        segments.add(s);
                        at = s.getLastChange().getOccurredAt();
                    } else {
                        FlagState f = (FlagState) state;
                        updates.add(new RulesetStore.Update(ref, FlagStateMapper.toFlag(f)));
                        states.add(f);
                        at = f.getLastChange().getOccurredAt();
                    }
                    if (newest == null || at.isAfter(newest)) {
                        newest = at;
                    }
                } catch (RuntimeException e) {
                    skip(record, e.getMessage());
                }
            }
        }
        if (stateListener != null && (!states.isEmpty() || !segments.isEmpty())) {
            try {
                stateListener.accept(new StateBatch(states, segments));
            } catch (RuntimeException e) {
                LOG.warn("the ruleset state listener failed", e);
            }
        }
        if (!updates.isEmpty() || !segmentUpdates.isEmpty()) {
            store.apply(updates, segmentUpdates);
            applied.addAndGet(updates.size() + segmentUpdates.size());
            if (newest != null) {
                lastEventTime = newest;
            }
        }
    }

    private FlagRef refOf(ConsumerRecord<String, byte[]> record) {
        try {
            return RecordKeys.parse(record.key());
        } catch (IllegalArgumentException e) {
            skip(record, e.getMessage());
            return null;
        }
    }

    private boolean wanted(FlagRef ref) {
        return settings.environments().isEmpty() || settings.environments().contains(ref.environment());
    }

    private void skip(ConsumerRecord<String, byte[]> record, String why) {
        skipped.incrementAndGet();
        LOG.warn("skipping record {}-{}@{} (key {}): {}", record.topic(), record.partition(), record.offset(),
                record.key(), why);
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
