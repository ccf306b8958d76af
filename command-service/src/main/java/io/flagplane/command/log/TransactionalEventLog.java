package io.flagplane.command.log;

import io.flagplane.avro.FlagEvent;
import io.flagplane.command.domain.Aggregates;
import io.flagplane.connections.ClientRole;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.wire.AvroSerializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code flag-events} as this writer sees it: the transactional producer and the reader that keeps
 * the {@link WriteModel} level with the log. Writes a batch's events in one transaction (group
 * commit); tells fencing (a newer instance with the same transactional id) from an unknown outcome
 * (Kafka unreachable); after an unknown outcome, recovers before the next write by recreating the
 * producer (which aborts our own unfinished transaction) and reading on from where it was, so it
 * learns whatever did commit. Used by the writer thread only, apart from the state getters.
 */
final class TransactionalEventLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionalEventLog.class);

    /** A transaction that did not commit (or whose commit is not known); nothing may be assumed written. */
    static final class WriteFailed extends Exception {
        private final boolean fenced;

        WriteFailed(Throwable cause, boolean fenced) {
            super(cause);
            this.fenced = fenced;
        }

        /** A newer instance took over: this one must never write again. */
        boolean fenced() {
            return fenced;
        }

        /** The innermost cause, for the caller's message. */
        String rootMessage() {
            Throwable root = getCause();
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            return root.getClass().getSimpleName() + ": " + root.getMessage();
        }
    }

    private final CommandProcessor.Settings settings;
    private final SchemaRegistryClient registry;
    private final WriteModel model;
    private final EventLogReader reader;
    private final AtomicLong eventsWritten = new AtomicLong();
    private final AtomicLong transactions = new AtomicLong();
    private KafkaProducer<String, FlagEvent> producer;
    private volatile boolean fenced;
    private volatile boolean needsRecovery;

    TransactionalEventLog(CommandProcessor.Settings settings, SchemaRegistryClient registry, WriteModel model) {
        this.settings = settings;
        this.registry = registry;
        this.model = model;
        this.reader = new EventLogReader(settings.kafka(), settings.topic(), registry);
    }

    /**
     * Fences any older instance and reads the log into the model: all of it the first time, on
     * from where it was when this instance writes again after a spell as a standby (the model folds
     * each event once, so what it wrote itself and reads back changes nothing).
     *
     * @return the number of events read
     */
    long open(Duration timeout) {
        if (producer != null) {
            producer.close(Duration.ZERO);
            producer = null;
        }
        long began = System.nanoTime();
        producer = newProducer();
        initTransactionsWithin(timeout);
        long fencedAt = System.nanoTime();
        long folded = reader.catchUp(model, timeout);
        fenced = false;
        needsRecovery = false;
        LOG.info("transactional id {} is ours (initTransactions took {} ms); read on {} events in {} ms",
                settings.transactionalId(), (fencedAt - began) / 1_000_000, folded, (System.nanoTime() - fencedAt) / 1_000_000);
        return folded;
    }

    /**
     * {@code initTransactions} waits at most {@code max.block.ms} (the Kafka timeout, a few seconds)
     * for the transaction coordinator; on a broker that is slow to elect one (just started, or a
     * loaded machine) that is not enough, and the call may be repeated on the same producer. So
     * start-up keeps asking until its own deadline instead of failing on the first wait.
     */
    private void initTransactionsWithin(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                producer.initTransactions();
                return;
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                if (System.nanoTime() >= deadline) {
                    throw e;
                }
                LOG.warn("no transaction coordinator for {} yet ({}); asking again", settings.transactionalId(), e.getMessage());
            }
        }
    }

    /**
     * A standby keeps its model level with the log without writing, so that when it is elected it
     * has only the tail left to read. Never touches the producer (that would fence the writer).
     */
    void follow(Duration timeout) {
        reader.catchUp(model, timeout);
    }

    private KafkaProducer<String, FlagEvent> newProducer() {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, settings.transactionalId());
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        int timeoutMs = (int) settings.kafkaTimeout().toMillis();
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs * 2);
        config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Math.max(15_000, timeoutMs * 4));
        settings.kafka().applyTo(ClientRole.PRODUCER, config);
        return new KafkaProducer<>(config, new StringSerializer(), new AvroSerializer<>(registry, true));
    }

    boolean isFenced() {
        return fenced;
    }

    boolean needsRecovery() {
        return needsRecovery;
    }

    /**
     * Stops a producer whose last transaction's outcome is unknown, without fencing anyone (no new
     * {@code initTransactions}): left open, it would keep retrying that commit while the writer
     * waits for the election, and could commit it long after the caller was told to retry.
     */
    void abandonProducer() {
        if (producer != null) {
            producer.close(Duration.ZERO);
            producer = null;
        }
        needsRecovery = true;
    }

    /** Something unexpected happened mid-batch: read the log on before writing again. */
    void markUncertain() {
        needsRecovery = true;
    }

    long eventsWritten() {
        return eventsWritten.get();
    }

    long transactions() {
        return transactions.get();
    }

    /**
     * Writes the events in one transaction, each keyed by its target.
     *
     * @return where each event was written, in order
     * @throws WriteFailed when the transaction did not commit or its outcome is unknown (the log
     *                     then recovers before the next write), or this writer has been fenced
     */
    List<RecordMetadata> write(List<FlagEvent> events) throws WriteFailed, InterruptedException {
        try {
            List<RecordMetadata> written = transaction(events);
            eventsWritten.addAndGet(events.size());
            transactions.incrementAndGet();
            return written;
        } catch (KafkaException | ExecutionException | TimeoutException e) {
            if (isFencing(e)) {
                fenced = true;
                LOG.error("this command-service instance has been fenced by a newer one; it no longer writes: {}", e.toString());
                safeAbort();
                throw new WriteFailed(e, true);
            }
            LOG.warn("transaction of {} events failed; the writer will resynchronise before writing again: {}",
                    events.size(), e.toString());
            needsRecovery = true;
            throw new WriteFailed(e, false);
        } catch (InterruptedException e) {
            needsRecovery = true;
            throw e;
        }
    }

    private List<RecordMetadata> transaction(List<FlagEvent> events)
            throws ExecutionException, InterruptedException, TimeoutException {
        producer.beginTransaction();
        List<Future<RecordMetadata>> sends = new ArrayList<>(events.size());
        try {
            for (FlagEvent event : events) {
                sends.add(producer.send(new ProducerRecord<>(settings.topic(), Aggregates.targetOf(event).eventKey(), event)));
            }
            producer.commitTransaction();
        } catch (KafkaException e) {
            if (!isFencing(e)) {
                safeAbort();
            }
            throw e;
        }
        List<RecordMetadata> written = new ArrayList<>(sends.size());
        for (Future<RecordMetadata> send : sends) {
            written.add(send.get(settings.kafkaTimeout().toMillis(), TimeUnit.MILLISECONDS));
        }
        return written;
    }

    private void safeAbort() {
        try {
            producer.abortTransaction();
        } catch (RuntimeException e) {
            LOG.debug("abort after a failed transaction also failed: {}", e.toString());
        }
    }

    /**
     * Recovers if a write's outcome was unknown: recreates the producer (which fences and aborts
     * our own unfinished transaction) and reads on. Returns whether the log may be written now.
     */
    boolean ensureWritable() {
        if (fenced) {
            return false;
        }
        if (!needsRecovery) {
            return true;
        }
        try {
            if (producer != null) {
                producer.close(Duration.ZERO);
            }
            producer = newProducer();
            producer.initTransactions();
            long folded = reader.catchUp(model, settings.kafkaTimeout().multipliedBy(4));
            needsRecovery = false;
            LOG.info("writer resynchronised with {} ({} events read)", settings.topic(), folded);
            return true;
        } catch (RuntimeException e) {
            if (isFencing(e)) {
                fenced = true;
                return false;
            }
            LOG.warn("cannot resynchronise with Kafka yet: {}", e.toString());
            return false;
        }
    }

    /**
     * A newer producer with our transactional id exists. Under transaction version 2 the first
     * sign is often InvalidProducerEpochException rather than ProducerFencedException, and
     * either may arrive wrapped.
     */
    static boolean isFencing(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(2));
        }
        reader.close();
    }
}
