package io.flagplane.projection.replay;

import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.avro.SegmentState;
import io.flagplane.connections.ClientRole;
import io.flagplane.connections.KafkaClientSettings;
import io.flagplane.contract.TopicNames;
import io.flagplane.projection.fold.EventFold;
import io.flagplane.projection.fold.ProjectionMetrics;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.wire.AvroDeserializer;
import io.flagplane.wire.AvroSerializer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replay's rebuild: {@code flag-events} from offset zero to a given end, folded by
 * {@link EventFold} — the live projection's own decision, in the bytes it makes — into
 * {@link RebuiltStores}, by a few threads each reading its share of the partitions with a plain
 * consumer (no group, no commits: a rebuild that fails is run again from zero).
 *
 * <p>Why not Kafka Streams, which the live projection runs: a rebuild has no outputs, no
 * changelogs, no rebalances and no interactive queries while it runs, and profiled under Streams
 * about half of its time went to Streams' per-record machinery (BENCHMARKS.md, "Projection rebuild:
 * where the time goes"). Here a record costs its decoding, the fold and two entries in a write batch;
 * each thread writes its batch every {@link Replay.Batching#events} events, and each state once, at the end
 * (or when its cache fills). Per partition, records are folded in offset order, as a Streams task
 * folds them.
 */
final class Rebuilder {

    private static final Logger LOG = LoggerFactory.getLogger(Rebuilder.class);
    /** How long an interrupted rebuild waits for its threads to stop before its caller may close the stores. */
    private static final long STOP_PATIENCE_MILLIS = 30_000;

    private final KafkaClientSettings kafka;
    private final TopicNames topics;
    private final SchemaRegistryClient registry;
    private final ProjectionMetrics metrics;
    private final RebuiltStores stores;
    private final Replay.Batching batching;

    Rebuilder(KafkaClientSettings kafka, TopicNames topics, SchemaRegistryClient registry, ProjectionMetrics metrics,
              RebuiltStores stores, Replay.Batching batching) {
        this.kafka = kafka;
        this.topics = topics;
        this.registry = registry;
        this.metrics = metrics;
        this.stores = stores;
        this.batching = batching;
    }

    /** Where one thread's time went: all of it, waiting in {@code poll}, and writing batches (the rest is the fold). */
    record Timing(String thread, int partitions, Duration total, Duration polling, Duration writing) {
        @Override
        public String toString() {
            return String.format("%s (%d partition%s): %.2f s, of which %.2f s waiting for records and %.2f s writing batches",
                    thread, partitions, partitions == 1 ? "" : "s", total.toNanos() / 1e9, polling.toNanos() / 1e9,
                    writing.toNanos() / 1e9);
        }
    }

    /**
     * Folds every partition up to {@code end} (exclusive) with {@code threads} threads and returns
     * once all of it is in the stores.
     *
     * @return where each thread's time went
     * @throws IllegalStateException when a thread failed (its cause attached) or the deadline passed
     */
    List<Timing> run(Map<TopicPartition, Long> end, int threads, Duration timeout) throws InterruptedException {
        List<List<TopicPartition>> shares = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            shares.add(new ArrayList<>());
        }
        List<TopicPartition> partitions = end.entrySet().stream().filter(e -> e.getValue() > 0).map(Map.Entry::getKey)
                .sorted(Comparator.comparingInt(TopicPartition::partition)).toList();
        for (int i = 0; i < partitions.size(); i++) {
            shares.get(i % threads).add(partitions.get(i));
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Timing> timings = new CopyOnWriteArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Thread> running = new ArrayList<>();
        try {
            for (int i = 0; i < threads; i++) {
                List<TopicPartition> share = shares.get(i);
                if (share.isEmpty()) {
                    continue;
                }
                Thread thread = new Thread(() -> {
                    try (Worker worker = new Worker(share, end)) {
                        Timing timing = worker.run(failure, deadline);
                        if (timing != null) {
                            timings.add(timing);
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }, "flagplane-rebuild-" + i);
                thread.start();
                running.add(thread);
            }
            for (Thread thread : running) {
                thread.join();
            }
        } catch (InterruptedException | RuntimeException | Error e) {
            // the caller closes the stores next: no thread may still be writing them
            failure.compareAndSet(null, e);
            stop(running);
            throw e;
        }
        Throwable failed = failure.get();
        if (failed != null) {
            throw new IllegalStateException("the rebuild failed: " + failed.getMessage(), failed);
        }
        return List.copyOf(timings);
    }

    /** Interrupts the threads and waits for them (not interruptibly, within a bound) to leave the stores alone. */
    private static void stop(List<Thread> running) {
        running.forEach(Thread::interrupt);
        long deadline = System.currentTimeMillis() + STOP_PATIENCE_MILLIS;
        boolean interrupted = Thread.interrupted();
        for (Thread thread : running) {
            while (thread.isAlive() && System.currentTimeMillis() < deadline) {
                try {
                    thread.join(Math.max(1, deadline - System.currentTimeMillis()));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (thread.isAlive()) {
                LOG.warn("rebuild thread {} did not stop within {} ms", thread.getName(), STOP_PATIENCE_MILLIS);
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** One thread's share of the partitions: its consumer, its fold, its states and its batch. */
    private final class Worker implements EventFold.Target, AutoCloseable {
        private final List<TopicPartition> partitions;
        private final Map<TopicPartition, Long> end;
        private final KafkaConsumer<String, byte[]> consumer;
        private final EventFold fold = new EventFold(new AvroDeserializer<>(registry, FlagEvent.class),
                new AvroSerializer<>(registry, true), topics, metrics);
        private final BatchBuilder batch = new BatchBuilder(stores);
        private final StateCache<FlagState> flags = new StateCache<>(stores, stores.flags, StateCodec.FLAGS, batching.states());
        private final StateCache<SegmentState> segments = new StateCache<>(stores, stores.segments, StateCodec.SEGMENTS,
                batching.states());
        private final StateCache<RolloutPlanState> plans = new StateCache<>(stores, stores.plans, StateCodec.PLANS,
                batching.states());
        private final SortedEntries history = new SortedEntries();
        private final SortedEntries audit = new SortedEntries();
        private ConsumerRecord<String, byte[]> current;
        private int pending;
        private long pollNanos;
        private long writeNanos;

        Worker(List<TopicPartition> partitions, Map<TopicPartition, Long> end) {
            this.partitions = partitions;
            this.end = end;
            Map<String, Object> config = kafka.applyTo(ClientRole.CONSUMER, new HashMap<>(Map.of(
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                    // never jump: a log start that moved past the position must fail the rebuild, not skip events
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none",
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000,
                    ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024,
                    ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024)));
            config.remove(ConsumerConfig.GROUP_ID_CONFIG);
            this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        }

        /** Folds this share to its end; returns null (quietly) when another thread failed first. */
        Timing run(AtomicReference<Throwable> failure, long deadline) {
            long started = System.nanoTime();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<TopicPartition> open = new ArrayList<>(partitions);
            while (!open.isEmpty()) {
                if (failure.get() != null) {
                    return null;   // another thread failed: its failure is the one reported
                }
                if (Thread.currentThread().isInterrupted()) {
                    throw new IllegalStateException("the rebuild thread was interrupted");
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the rebuild did not reach the end of " + topics.flagEvents() + " in time");
                }
                long polling = System.nanoTime();
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(100));
                pollNanos += System.nanoTime() - polling;
                for (TopicPartition partition : records.partitions()) {
                    long stop = end.get(partition);
                    for (ConsumerRecord<String, byte[]> record : records.records(partition)) {
                        if (record.offset() >= stop) {
                            break;   // written after the replay began: not part of this rebuild
                        }
                        current = record;
                        fold.fold(record.topic(), record.key(), record.value(), this);
                        if (++pending >= batching.events()) {
                            write(false);
                        }
                    }
                }
                // read_committed: the position moves past transaction markers as they are fetched
                List<TopicPartition> done = open.stream().filter(p -> consumer.position(p) >= end.get(p)).toList();
                if (!done.isEmpty()) {
                    consumer.pause(done);   // nothing past the end is folded: stop fetching it
                    open.removeAll(done);
                }
            }
            write(true);
            long total = System.nanoTime() - started;
            return new Timing(Thread.currentThread().getName(), partitions.size(), Duration.ofNanos(total),
                    Duration.ofNanos(pollNanos), Duration.ofNanos(writeNanos));
        }

        /**
         * One batch: history and audit in key order, and — at the end, or when a cache is full — the
         * changed states, written at once.
         */
        private void write(boolean last) {
            long writing = System.nanoTime();
            for (StateCache<?> states : List.of(flags, segments, plans)) {
                if (last || states.full()) {
                    states.writeChanged(batch);
                }
            }
            history.moveTo(batch, stores.historyId);
            audit.moveTo(batch, stores.auditId);
            stores.write(batch);
            pending = 0;
            writeNanos += System.nanoTime() - writing;
        }

        @Override
        public FlagState flag(String stateKey) {
            return flags.get(stateKey);
        }

        @Override
        public SegmentState segment(String stateKey) {
            return segments.get(stateKey);
        }

        @Override
        public RolloutPlanState plan(String planKey) {
            return plans.get(planKey);
        }

        @Override
        public void putFlag(String stateKey, FlagState state) {
            flags.put(stateKey, state);
        }

        @Override
        public void putSegment(String stateKey, SegmentState state) {
            segments.put(stateKey, state);
        }

        @Override
        public void putPlan(String planKey, RolloutPlanState state) {
            plans.put(planKey, state);
        }

        @Override
        public void putHistory(String key, byte[] value) {
            history.add(key, value);
        }

        @Override
        public void putAudit(String key, byte[] value) {
            audit.add(key, value);
        }

        /** A rebuild has no outputs. */
        @Override
        public void forward(String key, SpecificRecord state) {
        }

        /** Counted as undecodable by the fold; the live projection copied it to the dead-letter topic already. */
        @Override
        public void deadLetter(String key, byte[] value, String reason) {
        }

        @Override
        public String deadLetters() {
            return "skipped by the replay (the live projection copies such records to " + topics.deadLetters() + ")";
        }

        @Override
        public String position() {
            return current == null ? "?" : current.topic() + "-" + current.partition() + "@" + current.offset();
        }

        /** A consumer that fails to close after its work is done does not fail the rebuild. */
        @Override
        public void close() {
            try {
                consumer.close();
            } catch (RuntimeException e) {
                LOG.warn("closing a rebuild consumer: {}", e.toString());
            }
        }
    }

    /**
     * History or audit entries of one batch, handed to RocksDB in key order: its memtable (a skip
     * list) inserts a key next to the one before it far faster than at a random place, which more
     * than pays for the sort (measured: the batch writes took 2.0-2.7 s per thread unsorted, 0.7-0.9
     * s sorted, for a million events).
     */
    private static final class SortedEntries {
        private final List<byte[][]> entries = new ArrayList<>();

        void add(String key, byte[] value) {
            entries.add(new byte[][] {key.getBytes(StandardCharsets.UTF_8), value});
        }

        void moveTo(BatchBuilder batch, int store) {
            entries.sort((a, b) -> Arrays.compareUnsigned(a[0], b[0]));
            for (byte[][] entry : entries) {
                batch.put(store, entry[0], entry[1]);
            }
            entries.clear();
        }
    }
}
