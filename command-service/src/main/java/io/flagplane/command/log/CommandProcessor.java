package io.flagplane.command.log;

import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagState;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.domain.FlagCommand;
import io.flagplane.command.domain.FlagDecider;
import io.flagplane.contract.FlagStateFold;
import io.flagplane.contract.RecordKeys;
import io.flagplane.contract.RecordKeys.FlagRef;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.wire.AvroSerializer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
 * The single writer of {@code flag-events}. One thread takes requests off a queue, decides each
 * against the current state (plus what earlier requests in the same batch decided), and writes
 * every resulting event of the batch in one Kafka transaction (group commit). A request's future
 * completes only after the transaction has committed, with the versions and offsets written.
 *
 * <p>Guarantees: per flag, versions are gapless because only this thread assigns them, from
 * state that includes everything committed; a request is all-or-nothing because its events are
 * in one transaction; a refused request writes nothing. A newer instance with the same
 * transactional id fences this one: from then on every request fails with WRITER_FENCED. When
 * a transaction's outcome is unknown (Kafka unreachable), the writer recreates its producer and
 * reads the log on from where it was before it writes again.
 */
public final class CommandProcessor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommandProcessor.class);
    private static final int MAX_BATCH = 500;

    /** How to reach Kafka and identify this writer role. */
    public record Settings(String bootstrapServers, String topic, String transactionalId, Duration kafkaTimeout,
                           int queueCapacity) {
    }

    private record Pending(CommandRequest request, CompletableFuture<List<FlagChange>> result) {
    }

    private record Staged(Pending pending, List<FlagEvent> events, List<FlagChange> changes, Map<FlagRef, FlagState> states) {
    }

    private final Settings settings;
    private final SchemaRegistryClient registry;
    private final FlagStates states;
    private final EventLogReader reader;
    private final Clock clock;
    private final BlockingQueue<Pending> queue;
    private final Thread writer;
    private final AtomicLong eventsWritten = new AtomicLong();
    private final AtomicLong transactions = new AtomicLong();
    private KafkaProducer<String, FlagEvent> producer;
    private volatile boolean running = true;
    private volatile boolean ready;
    private volatile boolean fenced;
    private boolean needsRecovery;

    public CommandProcessor(Settings settings, SchemaRegistryClient registry, FlagStates states, Clock clock) {
        this.settings = settings;
        this.registry = registry;
        this.states = states;
        this.clock = clock;
        this.reader = new EventLogReader(settings.bootstrapServers(), settings.topic(), registry);
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.writer = new Thread(this::run, "command-writer");
    }

    /**
     * Fences any older instance, reads the whole log, then starts taking requests. Blocks until
     * ready; throws when Kafka cannot be reached within the timeout.
     */
    public CommandProcessor start(Duration timeout) {
        producer = newProducer();
        producer.initTransactions();
        long folded = reader.catchUp(states, timeout);
        LOG.info("read {} events from {}: {} flags; accepting commands", folded, settings.topic(), states.size());
        ready = true;
        writer.start();
        return this;
    }

    private KafkaProducer<String, FlagEvent> newProducer() {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, settings.transactionalId());
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        int timeoutMs = (int) settings.kafkaTimeout().toMillis();
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs * 2);
        config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Math.max(15_000, timeoutMs * 4));
        return new KafkaProducer<>(config, new StringSerializer(), new AvroSerializer<>(registry, true));
    }

    public boolean isReady() {
        return ready && !fenced;
    }

    public boolean isFenced() {
        return fenced;
    }

    public long eventsWritten() {
        return eventsWritten.get();
    }

    public long transactions() {
        return transactions.get();
    }

    /** Queues a request; the future completes when it is committed or refused. */
    public CompletableFuture<List<FlagChange>> submit(CommandRequest request) {
        CompletableFuture<List<FlagChange>> result = new CompletableFuture<>();
        if (fenced) {
            result.completeExceptionally(fencedError());
        } else if (!ready) {
            result.completeExceptionally(new CommandException(ErrorCode.NOT_READY, null,
                    "the command-service is still reading the event log; retry in a moment"));
        } else if (!queue.offer(new Pending(request, result))) {
            result.completeExceptionally(new CommandException(ErrorCode.UNAVAILABLE, null,
                    "the command-service is overloaded (" + settings.queueCapacity() + " commands waiting); retry"));
        }
        return result;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        while (running) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                process(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            } catch (RuntimeException e) {
                LOG.error("command batch failed unexpectedly", e);
                batch.forEach(p -> p.result().completeExceptionally(unavailable("unexpected error: " + e)));
                needsRecovery = true;
            } finally {
                batch.clear();
            }
        }
        queue.forEach(p -> p.result().completeExceptionally(unavailable("the command-service is shutting down")));
    }

    private void process(List<Pending> batch) {
        if (fenced) {
            batch.forEach(p -> p.result().completeExceptionally(fencedError()));
            return;
        }
        if (needsRecovery && !recover()) {
            batch.forEach(p -> p.result().completeExceptionally(unavailable("Kafka is unreachable; nothing was written")));
            return;
        }
        Map<FlagRef, FlagState> working = new HashMap<>();
        List<Staged> staged = new ArrayList<>();
        for (Pending pending : batch) {
            try {
                Staged decided = decide(pending, working);
                working.putAll(decided.states());
                staged.add(decided);
            } catch (CommandException e) {
                pending.result().completeExceptionally(e);
            }
        }
        List<FlagEvent> events = staged.stream().flatMap(s -> s.events().stream()).toList();
        if (events.isEmpty()) {
            staged.forEach(s -> s.pending().result().complete(s.changes()));
            return;
        }
        List<RecordMetadata> written;
        try {
            written = writeTransaction(events);
        } catch (KafkaException | ExecutionException | java.util.concurrent.TimeoutException e) {
            if (isFencing(e)) {
                fenced = true;
                LOG.error("this command-service instance has been fenced by a newer one; it no longer writes: {}", e.toString());
                safeAbort();
                staged.forEach(s -> s.pending().result().completeExceptionally(fencedError()));
                return;
            }
            LOG.warn("transaction of {} events failed; the writer will resynchronise before writing again: {}",
                    events.size(), e.toString());
            needsRecovery = true;
            staged.forEach(s -> s.pending().result().completeExceptionally(unavailable(
                    "Kafka did not confirm the write (" + rootMessage(e) + "); retry with the same Idempotency-Key")));
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
            needsRecovery = true;
            staged.forEach(s -> s.pending().result().completeExceptionally(unavailable("interrupted")));
            return;
        }
        states.putAll(working);
        eventsWritten.addAndGet(events.size());
        transactions.incrementAndGet();
        int next = 0;
        for (Staged s : staged) {
            List<FlagChange> changes = new ArrayList<>();
            for (FlagChange change : s.changes()) {
                if (change.changed()) {
                    RecordMetadata metadata = written.get(next++);
                    changes.add(new FlagChange(change.flag(), change.state(), true, metadata.partition(), metadata.offset()));
                } else {
                    changes.add(change);
                }
            }
            s.pending().result().complete(changes);
        }
    }

    /** Decides every command of one request against the state so far; throws if any is refused. */
    private Staged decide(Pending pending, Map<FlagRef, FlagState> working) {
        CommandRequest request = pending.request();
        String changeSetId = request.isChangeSet() ? UUID.randomUUID().toString() : null;
        Map<FlagRef, FlagState> local = new HashMap<>();
        List<FlagEvent> events = new ArrayList<>();
        List<FlagChange> changes = new ArrayList<>();
        for (FlagCommand command : request.commands()) {
            FlagRef ref = command.flag();
            FlagState current = local.containsKey(ref) ? local.get(ref)
                    : working.containsKey(ref) ? working.get(ref) : states.get(ref);
            Object payload = FlagDecider.decide(current, command);
            if (payload == null) {
                changes.add(new FlagChange(ref, current, false, null, null));
                continue;
            }
            FlagEvent event = FlagEvent.newBuilder()
                    .setEventId(UUID.randomUUID().toString())
                    .setEnvironment(ref.environment())
                    .setFlagKey(ref.flagKey())
                    .setVersion(current == null ? 1 : current.getVersion() + 1)
                    .setOccurredAt(clock.instant())
                    .setActor(request.actor())
                    .setReason(request.reason())
                    .setChangeSetId(changeSetId)
                    .setIdempotencyKey(request.idempotencyKey())
                    .setPayload(payload)
                    .build();
            FlagStateFold.Result folded = FlagStateFold.apply(current, event);
            if (folded.outcome() != FlagStateFold.Outcome.APPLIED) {
                throw new IllegalStateException("decided event does not fold: " + folded.detail());
            }
            local.put(ref, folded.state());
            events.add(event);
            changes.add(new FlagChange(ref, folded.state(), true, null, null));
        }
        return new Staged(pending, events, changes, local);
    }

    private List<RecordMetadata> writeTransaction(List<FlagEvent> events)
            throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
        producer.beginTransaction();
        List<Future<RecordMetadata>> sends = new ArrayList<>(events.size());
        try {
            for (FlagEvent event : events) {
                sends.add(producer.send(new ProducerRecord<>(settings.topic(),
                        RecordKeys.of(event.getEnvironment(), event.getFlagKey()), event)));
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

    /** Recreates the producer (which fences and aborts our own unfinished transaction) and reads on. */
    private boolean recover() {
        try {
            producer.close(Duration.ZERO);
            producer = newProducer();
            producer.initTransactions();
            long folded = reader.catchUp(states, settings.kafkaTimeout().multipliedBy(4));
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
    private static boolean isFencing(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException) {
                return true;
            }
        }
        return false;
    }

    private static CommandException fencedError() {
        return new CommandException(ErrorCode.WRITER_FENCED, null,
                "this command-service instance has been replaced by a newer one and no longer accepts writes");
    }

    private static CommandException unavailable(String message) {
        return new CommandException(ErrorCode.UNAVAILABLE, null, message);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    @Override
    public void close() {
        running = false;
        try {
            writer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(2));
        }
        reader.close();
    }
}
