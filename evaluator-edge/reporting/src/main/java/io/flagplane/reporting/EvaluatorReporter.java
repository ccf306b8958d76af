package io.flagplane.reporting;

import io.flagplane.avro.AppliedVersion;
import io.flagplane.avro.EvaluatorReport;
import io.flagplane.avro.FlagUsage;
import io.flagplane.contract.TopicNames;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.ruleset.LiveRuleset;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports what one evaluator (an edge node or an SDK client) has applied and served, on
 * {@code evaluator-reports}: a heartbeat every {@link ReportingSettings#heartbeat()}, a report
 * shortly after each applied change or status change (coalesced, at most
 * {@link ReportingSettings#maxReportsPerSecond()} a second, see {@link ReportSchedule}), and a
 * STOPPING report when closed.
 *
 * <p>It is never in the way. Evaluations only bump the ruleset's usage counters (no allocation, no
 * lock); the ruleset's applying thread only appends to a bounded log and flips the schedule; the
 * report is harvested, built, encoded and handed to Kafka on the reporter's own thread, and a
 * report Kafka cannot take is dropped and counted ({@link Stats}, and {@code droppedSinceStart}
 * in the next report that gets through). Evaluation goes on exactly as before while Kafka is away.
 */
public final class EvaluatorReporter implements AutoCloseable {

    /** Applied versions plus usage entries in one record: keeps a report well under Kafka's 1 MB. */
    static final int MAX_ENTRIES_PER_REPORT = 5_000;
    /** Applied versions held while reports cannot be sent; beyond this they are dropped and counted. */
    static final int MAX_PENDING_APPLIED = 100_000;
    private static final long CLOSE_WAIT_MS = 3_000;

    private static final Logger LOG = LoggerFactory.getLogger(EvaluatorReporter.class);

    /**
     * What the reporter has done since it started: reports Kafka acknowledged, reports dropped,
     * when the last acknowledged one was made, and applied versions and usage entries lost with
     * dropped reports or a full log.
     */
    public record Stats(long sent, long dropped, Instant lastSentAt, long droppedEntries) {
    }

    private final EvaluatorIdentity identity;
    private final LiveRuleset ruleset;
    private final ReportSender sender;
    private final Clock clock;
    private final AppliedLog appliedLog = new AppliedLog(MAX_PENDING_APPLIED);
    private final ReportBuilder builder;
    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private final ReportSchedule schedule;
    private final Thread thread;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong droppedEntries = new AtomicLong();
    private volatile boolean running = true;
    private volatile boolean started;
    private volatile Instant lastSentAt;
    /** Whether the last report's outcome was a drop: the first drop after a success is logged loudly. */
    private volatile boolean dropping;

    /**
     * Listens to the ruleset from now on (create it before the ruleset starts, so that the first
     * report lists every version loaded); reports nothing until {@link #start()}.
     */
    EvaluatorReporter(EvaluatorIdentity identity, ReportingSettings settings, LiveRuleset ruleset, ReportSender sender,
                      Clock clock, int maxEntriesPerReport) {
        this.identity = identity;
        this.ruleset = ruleset;
        this.sender = sender;
        this.clock = clock;
        this.builder = new ReportBuilder(identity, (int) settings.heartbeat().toMillis(), maxEntriesPerReport);
        this.schedule = new ReportSchedule(clock.millis(), settings.heartbeat().toMillis(), settings.coalesce().toMillis(),
                settings.maxReportsPerSecond());
        this.thread = new Thread(this::run, "flagplane-reporter");
        this.thread.setDaemon(true);
        ruleset.onApplied(applied -> {
            appliedLog.add(applied);
            changed();
        });
        ruleset.onReady(this::changed);
        ruleset.onStatusChange(status -> changed());
    }

    /**
     * A reporter sending to {@code topics.evaluatorReports()} on the given cluster; call it before
     * the ruleset starts, then {@link #start()}. The ruleset must count usage
     * ({@link LiveRuleset.Options#countUsage()}) for the reports to carry any.
     */
    public static EvaluatorReporter create(EvaluatorIdentity identity, ReportingSettings settings, LiveRuleset ruleset,
                                           String bootstrapServers, TopicNames topics, SchemaRegistryClient registry) {
        ReportSender sender = new KafkaReportSender(bootstrapServers, topics.evaluatorReports(), registry,
                "flagplane-reporter-" + identity.nodeId(), settings.producerOverrides());
        return new EvaluatorReporter(identity, settings, ruleset, sender, Clock.systemUTC(), MAX_ENTRIES_PER_REPORT);
    }

    /** Starts the reporter's thread. */
    public EvaluatorReporter start() {
        started = true;
        thread.start();
        return this;
    }

    public EvaluatorIdentity identity() {
        return identity;
    }

    public Stats stats() {
        return new Stats(sent.get(), dropped.get(), lastSentAt, droppedEntries.get());
    }

    /** Tail thread (or any): something worth a report happened. Never blocks beyond a short lock. */
    private void changed() {
        synchronized (lock) {
            schedule.changed(clock.millis());
            lock.notifyAll();
        }
    }

    private void run() {
        try {
            while (running) {
                if (!reportIfDue()) {
                    waitForNext();
                }
            }
            report(true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("the reporter was interrupted and has stopped; no STOPPING report was sent");
        }
    }

    private void waitForNext() throws InterruptedException {
        synchronized (lock) {
            long wait = schedule.nextDue() - clock.millis();
            if (running && wait > 0) {
                lock.wait(wait);
            }
        }
    }

    /** Makes and sends a report if one is due by the clock: true if it did. The thread's step; tests call it directly. */
    boolean reportIfDue() {
        synchronized (lock) {
            long now = clock.millis();
            if (!schedule.isDue(now)) {
                return false;
            }
            schedule.reported(now);   // before building: a change from now on makes another report
        }
        report(false);
        return true;
    }

    /** Harvests, builds and sends one report (or several parts of one). Never throws. */
    void report(boolean stopping) {
        try {
            Instant now = clock.instant();
            ReportState state = ReportState.of(ruleset.status(), ruleset.tail().connection().lastContact() != null,
                    identity.startedAt());
            List<AppliedVersion> applied = appliedLog.drain();
            List<FlagUsage> usage = ReportBuilder.harvest(ruleset.store().usage());
            long droppedSoFar = droppedEntries.get() + appliedLog.dropped();
            for (EvaluatorReport report : builder.build(now, stopping ? state.stopping() : state, applied, usage, droppedSoFar)) {
                sender.send(report, new Outcome(report.getApplied().size() + report.getUsage().size(), now));
            }
        } catch (RuntimeException e) {
            dropped.incrementAndGet();
            LOG.warn("cannot make an evaluator report; dropped", e);
        }
    }

    /** Counts what became of one report. */
    private final class Outcome implements ReportSender.Outcome {
        private final int entries;
        private final Instant madeAt;

        Outcome(int entries, Instant madeAt) {
            this.entries = entries;
            this.madeAt = madeAt;
        }

        @Override
        public void sent() {
            sent.incrementAndGet();
            lastSentAt = madeAt;
            if (dropping) {
                dropping = false;
                LOG.info("evaluator reports are getting through again ({} dropped so far)", dropped.get());
            }
        }

        @Override
        public void dropped(String why) {
            dropped.incrementAndGet();
            droppedEntries.addAndGet(entries);
            if (!dropping) {
                dropping = true;
                LOG.warn("dropping evaluator reports until Kafka takes them again: {}", why);
            } else {
                LOG.debug("dropped an evaluator report: {}", why);
            }
        }
    }

    /**
     * Sends a STOPPING report (with what was applied and served since the last one) and stops,
     * waiting at most a few seconds for Kafka; call it before closing the ruleset.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        running = false;
        synchronized (lock) {
            lock.notifyAll();
        }
        if (started) {
            try {
                thread.join(CLOSE_WAIT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        sender.close();
    }
}
