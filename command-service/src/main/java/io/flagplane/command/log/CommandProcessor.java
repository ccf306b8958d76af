package io.flagplane.command.log;

import io.flagplane.avro.EnvironmentState;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.SegmentState;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.Decider;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.domain.ReadModel;
import io.flagplane.command.domain.Target;
import io.flagplane.contract.EnvironmentStateFold;
import io.flagplane.contract.FlagStateFold;
import io.flagplane.contract.SegmentStateFold;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.wire.AvroSerializer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
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
 *
 * <p>Every request's outcome, and every commit, is reported to a {@link WriterListener} (metrics)
 * just before the caller is answered, so a count is never behind an answer the caller has seen.
 */
public final class CommandProcessor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommandProcessor.class);
    private static final int MAX_BATCH = 500;

    /** How to reach Kafka and identify this writer role. */
    public record Settings(String bootstrapServers, String topic, String transactionalId, Duration kafkaTimeout,
                           int queueCapacity) {
    }

    private record Pending(CommandRequest request, CompletableFuture<CommandResult> result) {
    }

    /** An earlier answer to an idempotency key: committed before (result), or decided in this batch (staged). */
    private record Answered(CommandResult result, Staged staged, String fingerprint) {
    }

    /** One decided request; {@code wrote[c]}: whether its command {@code c} produced an event. */
    private record Staged(Pending pending, List<FlagEvent> events, List<Change> changes, Map<Target, Object> states,
                          String changeSetId, boolean[] wrote) {
    }

    /** Where the writer is: reading the log before serving, writing, due to resynchronise, or replaced. */
    public enum State {
        /** Reading the event log; not accepting commands yet. */
        STARTING,
        /** Accepting and writing commands. */
        ACTIVE,
        /** A write's outcome was unknown (Kafka unreachable): it re-reads the log on before it writes again. */
        RECOVERING,
        /** A newer instance took over; every command is refused with WRITER_FENCED. */
        FENCED
    }

    private final Settings settings;
    private final SchemaRegistryClient registry;
    private final WriteModel model;
    private final EventLogReader reader;
    private final Clock clock;
    private final WriterListener listener;
    private final BlockingQueue<Pending> queue;
    private final Thread writer;
    private final AtomicLong eventsWritten = new AtomicLong();
    private final AtomicLong transactions = new AtomicLong();
    private KafkaProducer<String, FlagEvent> producer;
    private volatile boolean running = true;
    private volatile boolean ready;
    private volatile boolean fenced;
    private volatile boolean needsRecovery;   // written by the writer thread only; volatile for state()

    public CommandProcessor(Settings settings, SchemaRegistryClient registry, WriteModel model, Clock clock) {
        this(settings, registry, model, clock, WriterListener.NONE);
    }

    public CommandProcessor(Settings settings, SchemaRegistryClient registry, WriteModel model, Clock clock,
                            WriterListener listener) {
        this.settings = settings;
        this.registry = registry;
        this.model = model;
        this.clock = clock;
        this.listener = listener;
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
        long folded = reader.catchUp(model, timeout);
        model.forgetOlderThan(clock.instant());
        LOG.info("read {} events from {}: {} flags, {} idempotency keys remembered; accepting commands", folded,
                settings.topic(), model.flagCount(), model.rememberedKeys());
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

    public State state() {
        if (fenced) {
            return State.FENCED;
        }
        if (!ready) {
            return State.STARTING;
        }
        return needsRecovery ? State.RECOVERING : State.ACTIVE;
    }

    /** Requests waiting for the writer. */
    public int queueDepth() {
        return queue.size();
    }

    public long eventsWritten() {
        return eventsWritten.get();
    }

    public long transactions() {
        return transactions.get();
    }

    /** Queues a request; the future completes when it is committed or refused. */
    public CompletableFuture<CommandResult> submit(CommandRequest request) {
        CompletableFuture<CommandResult> result = new CompletableFuture<>();
        Pending pending = new Pending(request, result);
        if (fenced) {
            fail(pending, fencedError());
        } else if (!ready) {
            fail(pending, new CommandException(ErrorCode.NOT_READY, null,
                    "the command-service is still reading the event log; retry in a moment"));
        } else if (!queue.offer(pending)) {
            fail(pending, new CommandException(ErrorCode.UNAVAILABLE, null,
                    "the command-service is overloaded (" + settings.queueCapacity() + " commands waiting); retry"));
        }
        return result;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        long nextForget = System.nanoTime();
        while (running) {
            try {
                if (System.nanoTime() - nextForget > 0) {
                    model.forgetOlderThan(clock.instant());
                    nextForget = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
                }
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
                batch.forEach(p -> fail(p, unavailable("unexpected error: " + e)));
                needsRecovery = true;
            } finally {
                batch.clear();
            }
        }
        queue.forEach(p -> fail(p, unavailable("the command-service is shutting down")));
    }

    private void process(List<Pending> batch) {
        if (fenced) {
            batch.forEach(p -> fail(p, fencedError()));
            return;
        }
        if (needsRecovery && !recover()) {
            batch.forEach(p -> fail(p, unavailable("Kafka is unreachable; nothing was written")));
            return;
        }
        Map<Target, Object> working = new HashMap<>();
        Map<String, Answered> answeredInBatch = new HashMap<>();
        List<Staged> staged = new ArrayList<>();
        for (Pending pending : batch) {
            String scope = scopeOf(pending.request());
            if (scope != null) {
                Answered earlier = model.remembered(scope) != null
                        ? new Answered(model.remembered(scope), null, model.rememberedFingerprint(scope)) : answeredInBatch.get(scope);
                if (earlier != null) {
                    String fingerprint = pending.request().fingerprint();
                    if (earlier.fingerprint() != null && fingerprint != null && !earlier.fingerprint().equals(fingerprint)) {
                        fail(pending, new CommandException(ErrorCode.IDEMPOTENCY_KEY_REUSED,
                                "Idempotency-Key", "this Idempotency-Key was used for a different request; use a new key"
                                + " for a new request (a retry must repeat the method, path, If-Match and body exactly)"));
                    } else if (earlier.staged() != null) {
                        // the same key twice in one batch: the copy gets the original's outcome once it is
                        // known, never a success for something whose transaction may still fail
                        earlier.staged().pending().result().whenComplete((result, error) -> {
                            if (error != null) {
                                fail(pending, error);
                            } else {
                                succeed(pending, result.asReplay(), null);
                            }
                        });
                    } else {
                        succeed(pending, earlier.result().asReplay(), null);
                    }
                    continue;
                }
            }
            try {
                Staged decided = decide(pending, working);
                working.putAll(decided.states());
                staged.add(decided);
                if (scope != null) {
                    answeredInBatch.put(scope, new Answered(null, decided, pending.request().fingerprint()));
                }
            } catch (CommandException e) {
                fail(pending, e);
            } catch (RuntimeException e) {
                // a defect met while deciding one request stays that request's: the rest of the batch goes on
                LOG.error("deciding a request failed unexpectedly; it alone is refused", e);
                fail(pending, e);
            }
        }
        List<FlagEvent> events = staged.stream().flatMap(s -> s.events().stream()).toList();
        if (events.isEmpty()) {
            staged.forEach(s -> complete(s, s.changes()));
            return;
        }
        List<RecordMetadata> written;
        long began = System.nanoTime();
        try {
            written = writeTransaction(events);
        } catch (KafkaException | ExecutionException | java.util.concurrent.TimeoutException e) {
            if (isFencing(e)) {
                fenced = true;
                LOG.error("this command-service instance has been fenced by a newer one; it no longer writes: {}", e.toString());
                safeAbort();
                staged.forEach(s -> fail(s.pending(), fencedError()));
                return;
            }
            LOG.warn("transaction of {} events failed; the writer will resynchronise before writing again: {}",
                    events.size(), e.toString());
            needsRecovery = true;
            staged.forEach(s -> fail(s.pending(), unavailable(
                    "Kafka did not confirm the write (" + rootMessage(e) + "); retry with the same Idempotency-Key")));
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
            needsRecovery = true;
            staged.forEach(s -> fail(s.pending(), unavailable("interrupted")));
            return;
        }
        long took = System.nanoTime() - began;
        working.forEach(model::put);
        eventsWritten.addAndGet(events.size());
        transactions.incrementAndGet();
        int commands = 0;
        for (Staged s : staged) {
            commands += s.wrote().length;
        }
        listener.committed(commands, events.size(), took);
        int next = 0;
        for (Staged s : staged) {
            List<Change> changes = new ArrayList<>();
            for (Change change : s.changes()) {
                if (change.changed()) {
                    RecordMetadata metadata = written.get(next++);
                    changes.add(change.written(metadata.partition(), metadata.offset()));
                } else {
                    changes.add(change);
                }
            }
            complete(s, changes);
        }
    }

    private void complete(Staged staged, List<Change> changes) {
        CommandResult result = new CommandResult(changes, staged.changeSetId(), false);
        String scope = scopeOf(staged.pending().request());
        if (scope != null) {
            model.remember(scope, result, clock.instant(), staged.pending().request().fingerprint());
        }
        succeed(staged.pending(), result, staged.wrote());
    }

    /*
     * Every answer goes through succeed or fail, which report it and then complete the future: the
     * count comes first, so a caller who has its answer finds it counted. Once queued, a request is
     * completed only by the writer thread, so "not done yet" cannot change between the check and
     * the completion; a request already answered (a batch that failed part-way) is not counted twice.
     */

    /** @param wrote per command, whether it wrote an event; null for a replay */
    private void succeed(Pending pending, CommandResult result, boolean[] wrote) {
        if (pending.result().isDone()) {
            return;
        }
        List<Command> commands = pending.request().commands();
        for (int c = 0; c < commands.size(); c++) {
            listener.answered(commands.get(c), result.replayed() ? WriterListener.Outcome.REPLAYED
                    : wrote[c] ? WriterListener.Outcome.COMMITTED : WriterListener.Outcome.UNCHANGED);
        }
        pending.result().complete(result);
    }

    private void fail(Pending pending, Throwable error) {
        if (pending.result().isDone()) {
            return;
        }
        WriterListener.Outcome outcome = WriterListener.Outcome.of(error);
        if (outcome == WriterListener.Outcome.REFUSED) {
            listener.refused(((CommandException) error).code());
        }
        for (Command command : pending.request().commands()) {
            listener.answered(command, outcome);
        }
        pending.result().completeExceptionally(error);
    }

    private static String scopeOf(CommandRequest request) {
        return request.idempotencyKey() == null ? null
                : WriteModel.idempotencyScope(request.actor().getId(), request.idempotencyKey());
    }

    /** Decides every command of one request against the state so far; throws if any is refused. */
    private Staged decide(Pending pending, Map<Target, Object> working) {
        CommandRequest request = pending.request();
        String changeSetId = request.isChangeSet() ? UUID.randomUUID().toString() : null;
        Map<Target, Object> local = new HashMap<>();
        ReadModel view = new Overlay(model, working, local);
        List<FlagEvent> events = new ArrayList<>();
        List<Change> changes = new ArrayList<>();
        List<Command> commands = request.commands();
        boolean[] wrote = new boolean[commands.size()];
        for (int c = 0; c < commands.size(); c++) {
            int before = events.size();
            List<Decider.Decision> decisions;
            try {
                decisions = Decider.decide(view, commands.get(c));
            } catch (CommandException e) {
                throw commands.size() > 1 ? e.under("commands[" + c + "]") : e;
            }
            for (Decider.Decision decision : decisions) {
                Target target = decision.target();
                Object current = local.containsKey(target) ? local.get(target)
                        : working.containsKey(target) ? working.get(target) : model.state(target);
                if (decision.payload() == null) {
                    changes.add(new Change(target, current, versionOf(current), false, null, null));
                    continue;
                }
                long version = current == null ? 1 : versionOf(current) + 1;
                FlagEvent event = FlagEvent.newBuilder()
                        .setEventId(UUID.randomUUID().toString())
                        .setEnvironment(target.environment())
                        .setFlagKey(target.key())
                        .setVersion(version)
                        .setOccurredAt(occurredAt(current))
                        .setActor(request.actor())
                        .setReason(request.reason())
                        .setChangeSetId(changeSetId)
                        .setIdempotencyKey(request.idempotencyKey())
                        .setChangeSetIndex(changeSetId == null ? null : events.size())
                        .setRequestFingerprint(request.idempotencyKey() == null ? null : request.fingerprint())
                        .setPayload(decision.payload())
                        .build();
                Object after = fold(current, event);
                local.put(target, after);
                events.add(event);
                changes.add(new Change(target, after, version, true, null, null));
            }
            wrote[c] = events.size() > before;
        }
        return new Staged(pending, events, changes, local, changeSetId, wrote);
    }

    /**
     * Now, or the target's last change time if the clock says earlier (a new instance on a host
     * whose clock is behind): event times never go backwards within a flag or segment, so "the
     * flag as of T" is well defined and can be found by binary search over its versions.
     */
    private Instant occurredAt(Object current) {
        Instant now = clock.instant();
        Instant last = current instanceof FlagState f ? f.getLastChange().getOccurredAt()
                : current instanceof SegmentState s ? s.getLastChange().getOccurredAt()
                : current instanceof EnvironmentState e ? e.getLastChange().getOccurredAt() : null;
        return last != null && last.isAfter(now) ? last : now;
    }

    private static long versionOf(Object state) {
        return state instanceof FlagState f ? f.getVersion() : state instanceof SegmentState s ? s.getVersion()
                : state instanceof EnvironmentState e ? e.getVersion() : 0;
    }

    private static Object fold(Object current, FlagEvent event) {
        if (EnvironmentStateFold.isEnvironmentEvent(event)) {
            EnvironmentStateFold.Result r = EnvironmentStateFold.apply((EnvironmentState) current, event);
            if (r.outcome() != FlagStateFold.Outcome.APPLIED) {
                throw new IllegalStateException("decided event does not fold: " + r.detail());
            }
            return r.state();
        }
        if (SegmentStateFold.isSegmentEvent(event)) {
            SegmentStateFold.Result r = SegmentStateFold.apply((SegmentState) current, event);
            if (r.outcome() != FlagStateFold.Outcome.APPLIED) {
                throw new IllegalStateException("decided event does not fold: " + r.detail());
            }
            return r.state();
        }
        FlagStateFold.Result r = FlagStateFold.apply((FlagState) current, event);
        if (r.outcome() != FlagStateFold.Outcome.APPLIED) {
            throw new IllegalStateException("decided event does not fold: " + r.detail());
        }
        return r.state();
    }

    /** The committed model with the batch's and the request's decisions laid over it. */
    private record Overlay(WriteModel model, Map<Target, Object> working, Map<Target, Object> local) implements ReadModel {

        private Object get(Target target) {
            if (local.containsKey(target)) {
                return local.get(target);
            }
            if (working.containsKey(target)) {
                return working.get(target);
            }
            return model.state(target);
        }

        @Override
        public EnvironmentState environment(String name) {
            return (EnvironmentState) get(Target.environment(name));
        }

        @Override
        public FlagState flag(String environment, String key) {
            return (FlagState) get(Target.flag(environment, key));
        }

        @Override
        public SegmentState segment(String environment, String key) {
            return (SegmentState) get(Target.segment(environment, key));
        }

        @Override
        public Collection<FlagState> flags(String environment) {
            Map<String, FlagState> all = new java.util.TreeMap<>();
            model.flags(environment).forEach(f -> all.put(f.getFlagKey(), f));
            Stream.of(working, local).forEach(m -> m.forEach((t, s) -> {
                if (t.kind() == Target.Kind.FLAG && t.environment().equals(environment)) {
                    all.put(t.key(), (FlagState) s);
                }
            }));
            return all.values();
        }

        @Override
        public Collection<SegmentState> segments(String environment) {
            Map<String, SegmentState> all = new java.util.TreeMap<>();
            model.segments(environment).forEach(s -> all.put(s.getSegmentKey(), s));
            Stream.of(working, local).forEach(m -> m.forEach((t, s) -> {
                if (t.kind() == Target.Kind.SEGMENT && t.environment().equals(environment)) {
                    all.put(t.key(), (SegmentState) s);
                }
            }));
            return all.values();
        }
    }

    private List<RecordMetadata> writeTransaction(List<FlagEvent> events)
            throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
        producer.beginTransaction();
        List<Future<RecordMetadata>> sends = new ArrayList<>(events.size());
        try {
            for (FlagEvent event : events) {
                sends.add(producer.send(new ProducerRecord<>(settings.topic(), WriteModel.targetOf(event).eventKey(), event)));
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
