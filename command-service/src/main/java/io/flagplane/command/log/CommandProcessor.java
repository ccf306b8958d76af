package io.flagplane.command.log;

import io.flagplane.avro.FlagEvent;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.registry.SchemaRegistryClient;
import java.time.Clock;
import io.flagplane.connections.KafkaClientSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of {@code flag-events}: the loop between the {@link Stager} (what a request
 * writes, decided without Kafka) and the {@link TransactionalEventLog} (one transaction per batch,
 * fencing, recovery). One thread takes requests off a queue, answers a repeated Idempotency-Key
 * from memory, stages each other request against the current state plus what earlier requests in
 * the same batch decided, and writes every resulting event of the batch in one Kafka transaction
 * (group commit). A request's future completes only after the transaction has committed, with the
 * versions and offsets written.
 *
 * <p>Guarantees: per target, versions are gapless because only this thread assigns them, from
 * state that includes everything committed; a request is all-or-nothing because its events are
 * in one transaction; a refused request writes nothing. A newer instance with the same
 * transactional id fences this one: from then on every request fails with WRITER_FENCED. When
 * a transaction's outcome is unknown (Kafka unreachable), the writer recreates its producer and
 * reads the log on from where it was before it writes again.
 *
 * <p>Every request's outcome, and every commit, is reported to a {@link WriterListener} (metrics)
 * just before the caller is answered, so a count is never behind an answer the caller has seen.
 *
 * <p>Standby: started with {@link #startStandby()}, the writer holds no producer and refuses every
 * request with WRITER_STANDBY until {@link #promote()} (the leader election says this instance
 * writes now); {@link #demote()} makes it refuse again at once. Both only ask: the writer thread
 * itself opens the log (fencing the old writer, reading the log on from where it was) or stops,
 * between batches, so the log and the model stay one thread's. While it waits, the writer thread
 * reads the log every second (a warm standby), so a promotion reads only the tail.
 */
public final class CommandProcessor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommandProcessor.class);
    private static final int MAX_BATCH = 500;
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** How to reach Kafka (the bootstrap servers and the client pass-through) and identify this writer role. */
    public record Settings(KafkaClientSettings kafka, String topic, String transactionalId, Duration kafkaTimeout,
                           int queueCapacity) {
        /** Plaintext to {@code bootstrapServers}: tests. */
        public Settings(String bootstrapServers, String topic, String transactionalId, Duration kafkaTimeout, int queueCapacity) {
            this(KafkaClientSettings.plaintext(bootstrapServers), topic, transactionalId, kafkaTimeout, queueCapacity);
        }
    }

    private record Pending(CommandRequest request, CompletableFuture<CommandResult> result) {
    }

    /** An earlier answer to an idempotency key: committed before (result), or staged in this batch (original). */
    private record Answered(CommandResult result, Pending original, String fingerprint) {
    }

    /** A request of the batch and what it stages. */
    private record Decided(Pending pending, Staged staged) {
    }

    /** Where the writer is: waiting as a standby, reading the log before serving, writing, due to resynchronise, or replaced. */
    public enum State {
        /** Another instance is the active writer (or none is elected yet); every command is refused with WRITER_STANDBY. */
        STANDBY,
        /** Elected (or started as the only writer): fencing the old writer and reading the event log; not accepting commands yet. */
        STARTING,
        /** Accepting and writing commands. */
        ACTIVE,
        /** A write's outcome was unknown (Kafka unreachable): it re-reads the log on before it writes again. */
        RECOVERING,
        /** A newer instance took over; every command is refused with WRITER_FENCED. */
        FENCED
    }

    private final Settings settings;
    private final WriteModel model;
    private final TransactionalEventLog log;
    private final Stager stager;
    private final Clock clock;
    private final WriterListener listener;
    private final BlockingQueue<Pending> queue;
    private final Thread writer;
    private volatile boolean running = true;
    /** Asked by the leader election (or by {@link #start}): should this instance write? */
    private volatile boolean wanted;
    /** Set by the writer thread once the log is open and read: this instance writes. */
    private volatile boolean active;
    private volatile Runnable onActive = () -> { };
    private volatile Runnable onStall = () -> { };
    private volatile long stallLimitNanos;

    public CommandProcessor(Settings settings, SchemaRegistryClient registry, WriteModel model, Clock clock) {
        this(settings, registry, model, clock, WriterListener.NONE);
    }

    public CommandProcessor(Settings settings, SchemaRegistryClient registry, WriteModel model, Clock clock,
                            WriterListener listener) {
        this.settings = settings;
        this.model = model;
        this.clock = clock;
        this.listener = listener;
        this.log = new TransactionalEventLog(settings, registry, model);
        this.stager = new Stager(clock);
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.writer = new Thread(this::run, "command-writer");
    }

    /**
     * Runs as the only writer, without an election: fences any older instance, reads the whole log,
     * then starts taking requests. Blocks until ready; throws when Kafka cannot be reached within
     * the timeout.
     */
    public CommandProcessor start(Duration timeout) {
        openLog(timeout);
        wanted = true;
        active = true;
        writer.start();
        return this;
    }

    /** Starts the writer thread as a standby: nothing is read or written until {@link #promote()}. */
    public CommandProcessor startStandby() {
        writer.start();
        return this;
    }

    /** Runs after every promotion, on a thread of its own (the writer must be free to take what it submits). */
    public CommandProcessor onActive(Runnable action) {
        this.onActive = action;
        return this;
    }

    /**
     * Makes a writer that was frozen for longer than {@code limit} step down and call {@code action}
     * (ask the election to confirm it), instead of answering from what it knew before the freeze.
     */
    public CommandProcessor onStall(Duration limit, Runnable action) {
        this.stallLimitNanos = limit.toNanos();
        this.onStall = action;
        return this;
    }

    /** This instance is the writer now: the writer thread fences the old one and reads the log on, then serves. */
    public void promote() {
        wanted = true;
    }

    /** This instance is no longer the writer: every request is refused from now, until promoted again. */
    public void demote() {
        wanted = false;
    }

    /** Fences any older instance and reads the log (on from where it was, if it was read before). */
    private void openLog(Duration timeout) {
        long folded = log.open(timeout);
        model.forgetOlderThan(clock.instant());
        LOG.info("read {} events from {}: {} flags, {} idempotency keys remembered; accepting commands", folded,
                settings.topic(), model.flagCount(), model.rememberedKeys());
    }

    public boolean isReady() {
        State state = state();
        return state == State.ACTIVE || state == State.RECOVERING;
    }

    public boolean isFenced() {
        return state() == State.FENCED;
    }

    public State state() {
        if (!wanted) {
            return State.STANDBY;
        }
        if (!active) {
            return State.STARTING;
        }
        if (log.isFenced()) {
            return State.FENCED;
        }
        return log.needsRecovery() ? State.RECOVERING : State.ACTIVE;
    }

    /** Requests waiting for the writer. */
    public int queueDepth() {
        return queue.size();
    }

    public long eventsWritten() {
        return log.eventsWritten();
    }

    public long transactions() {
        return log.transactions();
    }

    /** Queues a request; the future completes when it is committed or refused. */
    public CompletableFuture<CommandResult> submit(CommandRequest request) {
        CompletableFuture<CommandResult> result = new CompletableFuture<>();
        Pending pending = new Pending(request, result);
        State state = state();
        if (state == State.FENCED) {
            fail(pending, fencedError());
        } else if (state == State.STANDBY) {
            fail(pending, standbyError());
        } else if (state == State.STARTING) {
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
        long nextFollow = System.nanoTime();
        while (running) {
            try {
                if (wanted != active) {
                    switchRole();
                    continue;
                }
                if (!active && System.nanoTime() - nextFollow > 0) {
                    follow();
                    nextFollow = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                }
                if (System.nanoTime() - nextForget > 0) {
                    model.forgetOlderThan(clock.instant());
                    nextForget = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
                }
                long waitStarted = System.nanoTime();
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (active && stallLimitNanos > 0 && System.nanoTime() - waitStarted > POLL_NANOS + stallLimitNanos) {
                    stepDownAfterStall(System.nanoTime() - waitStarted);
                }
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
                log.markUncertain();
                stepDownToRecover();
            } finally {
                batch.clear();
            }
        }
        queue.forEach(p -> fail(p, unavailable("the command-service is shutting down")));
    }

    /**
     * On the writer thread, between batches: opens the log when promoted (retrying while Kafka
     * cannot be reached), or stops writing when demoted. A batch already written stays written.
     */
    private void switchRole() throws InterruptedException {
        if (!wanted) {
            active = false;
            LOG.warn("this command-service instance is no longer the active writer; it refuses writes as a standby");
            return;
        }
        try {
            LOG.info("elected the active writer: fencing the previous writer and reading {}", settings.topic());
            openLog(settings.kafkaTimeout().multipliedBy(20));
            active = true;
            Thread activated = new Thread(onActive, "command-activated");
            activated.setDaemon(true);
            activated.start();
        } catch (RuntimeException e) {
            LOG.warn("cannot take over as the writer yet (retrying in 1 s): {}", e.toString());
            TimeUnit.SECONDS.sleep(1);
        }
    }

    /**
     * The writer thread waited far longer than it asked to: the process was frozen (SIGSTOP, a
     * very long pause) and may have lost the election meanwhile without knowing yet. It stops
     * answering from a model that may be stale (even a command that writes nothing would be
     * answered 200) until the election confirms it still holds the role, which promotes it again.
     */
    private void stepDownAfterStall(long waitedNanos) {
        LOG.warn("the writer was frozen for {} ms; it refuses commands until the election confirms it is still the writer",
                waitedNanos / 1_000_000);
        wanted = false;
        onStall.run();
    }

    /**
     * A write's outcome is unknown. Recovering means a new producer and {@code initTransactions},
     * which fences whoever holds the transactional id now; if a standby took over while this write
     * was in flight (its fencing can make the broker fail our commit with an unexpected error rather
     * than a fence), recovering on our own would fence the new writer and write on as a deposed one.
     * So, under an election, the writer steps down as after a stall and recovers only when the group
     * confirms it still holds the role (which promotes it again and reopens the log). Without an
     * election it is the only writer and recovers before its next write, as before.
     */
    private void stepDownToRecover() {
        if (stallLimitNanos > 0) {
            LOG.warn("a write's outcome is unknown; this writer refuses commands until the election confirms it is still the writer");
            wanted = false;
            log.abandonProducer();
            onStall.run();
        }
    }

    /** As a standby: reads what the writer committed, so a promotion has only the tail left to read. */
    private void follow() {
        try {
            log.follow(settings.kafkaTimeout());
        } catch (RuntimeException e) {
            LOG.debug("a standby could not read {} on: {}", settings.topic(), e.toString());
        }
    }

    private void process(List<Pending> batch) {
        if (!wanted || !active) {
            batch.forEach(p -> fail(p, standbyError()));
            return;
        }
        if (log.isFenced()) {
            batch.forEach(p -> fail(p, fencedError()));
            return;
        }
        if (!log.ensureWritable()) {
            batch.forEach(p -> fail(p, unavailable("Kafka is unreachable; nothing was written")));
            return;
        }
        Overlay working = new Overlay(model);
        List<Decided> decided = stage(batch, working);
        List<FlagEvent> events = decided.stream().flatMap(d -> d.staged().events().stream()).toList();
        if (events.isEmpty()) {
            decided.forEach(d -> complete(d, d.staged().changes()));
            return;
        }
        List<RecordMetadata> written;
        long began = System.nanoTime();
        try {
            written = log.write(events);
        } catch (TransactionalEventLog.WriteFailed e) {
            CommandException error = e.fenced() ? fencedError() : unavailable("Kafka did not confirm the write ("
                    + e.rootMessage() + "); retry with the same Idempotency-Key");
            decided.forEach(d -> fail(d.pending(), error));
            if (!e.fenced()) {
                stepDownToRecover();
            }
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
            decided.forEach(d -> fail(d.pending(), unavailable("interrupted")));
            return;
        }
        long took = System.nanoTime() - began;
        working.layer().forEach(model::put);
        listener.committed(decided.stream().mapToInt(d -> d.staged().wrote().length).sum(), events.size(), took);
        int next = 0;
        for (Decided d : decided) {
            List<Change> changes = new ArrayList<>();
            for (Change change : d.staged().changes()) {
                if (change.changed()) {
                    RecordMetadata metadata = written.get(next++);
                    changes.add(change.written(metadata.partition(), metadata.offset()));
                } else {
                    changes.add(change);
                }
            }
            complete(d, changes);
        }
    }

    /**
     * Stages each request of the batch over the decisions of the ones before it, answering a
     * repeated Idempotency-Key instead: from memory when it committed before, with the original's
     * outcome (once known) when the original is in this batch, refused when the request differs.
     */
    private List<Decided> stage(List<Pending> batch, Overlay working) {
        Map<String, Answered> answeredInBatch = new HashMap<>();
        List<Decided> decided = new ArrayList<>();
        for (Pending pending : batch) {
            String scope = scopeOf(pending.request());
            Answered earlier = scope == null ? null : model.remembered(scope) != null
                    ? new Answered(model.remembered(scope), null, model.rememberedFingerprint(scope)) : answeredInBatch.get(scope);
            if (earlier != null) {
                answerAgain(pending, earlier);
                continue;
            }
            try {
                Staged staged = stager.stage(pending.request(), working);
                working.putAll(staged.states());
                decided.add(new Decided(pending, staged));
                if (scope != null) {
                    answeredInBatch.put(scope, new Answered(null, pending, pending.request().fingerprint()));
                }
            } catch (CommandException e) {
                fail(pending, e);
            } catch (RuntimeException e) {
                // a defect met while deciding one request stays that request's: the rest of the batch goes on
                LOG.error("deciding a request failed unexpectedly; it alone is refused", e);
                fail(pending, e);
            }
        }
        return decided;
    }

    private void answerAgain(Pending pending, Answered earlier) {
        String fingerprint = pending.request().fingerprint();
        if (earlier.fingerprint() != null && fingerprint != null && !earlier.fingerprint().equals(fingerprint)) {
            fail(pending, new CommandException(ErrorCode.IDEMPOTENCY_KEY_REUSED,
                    "Idempotency-Key", "this Idempotency-Key was used for a different request; use a new key"
                    + " for a new request (a retry must repeat the method, path, If-Match and body exactly)"));
        } else if (earlier.original() != null) {
            // the same key twice in one batch: the copy gets the original's outcome once it is
            // known, never a success for something whose transaction may still fail
            earlier.original().result().whenComplete((result, error) -> {
                if (error != null) {
                    fail(pending, error);
                } else {
                    succeed(pending, result.asReplay(), null);
                }
            });
        } else {
            succeed(pending, earlier.result().asReplay(), null);
        }
    }

    private void complete(Decided decided, List<Change> changes) {
        CommandResult result = new CommandResult(changes, decided.staged().changeSetId(), false);
        CommandRequest request = decided.pending().request();
        String scope = scopeOf(request);
        if (scope != null) {
            model.remember(scope, result, clock.instant(), request.fingerprint());
        }
        succeed(decided.pending(), result, decided.staged().wrote());
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

    private static CommandException fencedError() {
        return new CommandException(ErrorCode.WRITER_FENCED, null,
                "this command-service instance has been replaced by a newer one and no longer accepts writes");
    }

    private static CommandException standbyError() {
        return new CommandException(ErrorCode.WRITER_STANDBY, null,
                "this command-service instance is a standby and does not accept writes; send them to the active instance");
    }

    private static CommandException unavailable(String message) {
        return new CommandException(ErrorCode.UNAVAILABLE, null, message);
    }

    @Override
    public void close() {
        running = false;
        try {
            writer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.close();
    }
}
