package io.flagplane.reporting.telemetry;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded buffer of telemetry records (exposures, tracking events) between the threads that make
 * them and one background thread that hands them to a {@link TelemetrySink} (Kafka).
 *
 * <p>It never blocks the caller: {@link #offer} is a lock-free queue append behind a counter, and a
 * record that does not fit in {@code capacity} is dropped at once and counted ({@link Stats#dropped()}).
 * {@link #offerAll} takes a batch whole or not at all, so an HTTP caller can be told "nothing
 * accepted, retry" rather than "some of it". The background thread wakes every
 * {@value #IDLE_MILLIS} ms when idle (no wake-up signal on the caller's path), drains what is
 * queued, and on each pass also runs a {@code tick} (the exposure log refreshes its coarse clock
 * there). After {@value #RESTING_AFTER_PASSES} passes in a row with nothing to send it rests,
 * waking every {@value #RESTING_MILLIS} ms, until a caller's record wakes it (one volatile read per
 * record otherwise): fifty idle nodes in one process had their two channels' threads waking 5,000
 * times a second between them (issue 17). What the sink reports back is counted as sent or failed;
 * a failed record is not retried (telemetry whose value decays in seconds is not worth holding
 * memory for while Kafka is away).
 * Drops and failures are warned about at most once a minute each, with the totals.
 */
public final class TelemetryChannel<T> implements AutoCloseable {

    static final long IDLE_MILLIS = 20;
    /** Idle passes in a row (a second at {@value #IDLE_MILLIS} ms) before the thread rests. */
    static final int RESTING_AFTER_PASSES = 50;
    static final long RESTING_MILLIS = 500;
    private static final int BATCH = 1_000;
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(3);
    /** Drops and failures come in floods: one warning per kind per minute, with the totals, is enough. */
    private static final long WARN_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final Logger LOG = LoggerFactory.getLogger(TelemetryChannel.class);

    /**
     * Records accepted into the buffer, dropped because it was full, handed to Kafka and
     * acknowledged, failed on the way (Kafka slow or away, a schema it could not register), and
     * waiting in the buffer now.
     */
    public record Stats(long accepted, long dropped, long sent, long failed, int queued) {
        public static final Stats ZERO = new Stats(0, 0, 0, 0, 0);
    }

    private final String name;
    private final int capacity;
    private final TelemetrySink<T> sink;
    private final Runnable tick;
    private final int restingAfterPasses;
    private final long restNanos;
    private final ConcurrentLinkedQueue<T> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread thread;
    private final TelemetrySink.Outcome outcome = new Counting();
    private volatile boolean running = true;
    private volatile boolean started;
    /** The background thread is resting (parked for {@value #RESTING_MILLIS} ms): the next record wakes it. */
    private volatile boolean resting;
    /** When a drop, and a failure, were last warned about (System.nanoTime). */
    private final AtomicLong droppedWarnedAt = new AtomicLong(System.nanoTime() - WARN_INTERVAL_NANOS);
    private final AtomicLong failedWarnedAt = new AtomicLong(System.nanoTime() - WARN_INTERVAL_NANOS);

    /**
     * @param name     what it carries, for the thread's name and the log ({@code exposures}, {@code tracking events})
     * @param capacity records the buffer holds at most
     * @param tick     run on the background thread on every pass (every {@value #IDLE_MILLIS} ms while records
     *                 come, every {@value #RESTING_MILLIS} ms while it rests, and on the wake-up)
     */
    public TelemetryChannel(String name, int capacity, TelemetrySink<T> sink, Runnable tick) {
        this(name, capacity, sink, tick, RESTING_AFTER_PASSES, Duration.ofMillis(RESTING_MILLIS));
    }

    /** With how soon the thread rests, and for how long: tests make it rest at once and for an hour. */
    TelemetryChannel(String name, int capacity, TelemetrySink<T> sink, Runnable tick, int restingAfterPasses, Duration restFor) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a telemetry buffer holds at least one record: " + capacity);
        }
        this.name = name;
        this.capacity = capacity;
        this.sink = sink;
        this.tick = tick;
        this.restingAfterPasses = restingAfterPasses;
        this.restNanos = restFor.toNanos();
        this.thread = new Thread(this::run, "flagplane-" + name.replace(' ', '-'));
        this.thread.setDaemon(true);
    }

    /** Starts the background thread. */
    public TelemetryChannel<T> start() {
        started = true;
        thread.start();
        return this;
    }

    /** Queues one record, or drops and counts it when the buffer is full. Never blocks. */
    public boolean offer(T item) {
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            overflow(1);
            return false;
        }
        queue.add(item);
        accepted.incrementAndGet();
        wakeIfResting();
        return true;
    }

    /** Queues every record, or none (all dropped and counted) when they do not all fit. Never blocks. */
    public boolean offerAll(List<? extends T> items) {
        int n = items.size();
        while (true) {
            int now = size.get();
            if (now + n > capacity) {
                overflow(n);
                return false;
            }
            if (size.compareAndSet(now, now + n)) {
                break;
            }
        }
        queue.addAll(items);
        accepted.addAndGet(n);
        wakeIfResting();
        return true;
    }

    private void wakeIfResting() {
        if (resting) {
            resting = false;
            LockSupport.unpark(thread);
        }
    }

    private void overflow(int n) {
        long total = dropped.addAndGet(n);
        if (due(droppedWarnedAt)) {
            LOG.warn("the {} buffer is full ({} records): dropping what does not fit, {} dropped since the start",
                    name, capacity, total);
        }
    }

    /** Whether a minute has passed since the last warning of this kind (and this caller gets to warn). */
    private static boolean due(AtomicLong warnedAt) {
        long now = System.nanoTime();
        long last = warnedAt.get();
        return now - last >= WARN_INTERVAL_NANOS && warnedAt.compareAndSet(last, now);
    }

    public Stats stats() {
        return new Stats(accepted.get(), dropped.get(), sent.get(), failed.get(), size.get());
    }

    /** Hands at most {@code max} queued records to the sink; the thread's step, which tests call directly. */
    int pump(int max) {
        int n = 0;
        T item;
        while (n < max && (item = queue.poll()) != null) {
            size.decrementAndGet();
            try {
                sink.send(item, outcome);
            } catch (RuntimeException e) {
                outcome.failed(e.toString());
            }
            n++;
        }
        return n;
    }

    /** Hands everything queued to the sink on the calling thread: for tests and benchmarks. */
    public int pumpAll() {
        int n = 0;
        int step;
        while ((step = pump(BATCH)) > 0) {
            n += step;
        }
        return n;
    }

    private void run() {
        int idlePasses = 0;
        while (running) {
            runTick();
            if (pump(BATCH) > 0) {
                idlePasses = 0;
            } else if (idlePasses < restingAfterPasses) {
                idlePasses++;
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(IDLE_MILLIS));
            } else {
                resting = true;
                if (queue.isEmpty()) {   // a record queued before `resting` was set would not have woken the thread
                    LockSupport.parkNanos(restNanos);
                }
                resting = false;
            }
        }
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        while (System.nanoTime() < deadline && pump(BATCH) > 0) {
            runTick();
        }
    }

    private void runTick() {
        try {
            tick.run();
        } catch (RuntimeException e) {
            LOG.warn("the {} channel's tick failed", name, e);
        }
    }

    /** Stops the thread after handing what is queued to the sink (waiting a few seconds at most). */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        running = false;
        if (started) {
            LockSupport.unpark(thread);
            try {
                thread.join(CLOSE_WAIT.toMillis() + 1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        int left = size.get();
        if (left > 0) {
            LOG.warn("closing the {} channel with {} records not sent", name, left);
        }
    }

    private final class Counting implements TelemetrySink.Outcome {
        @Override
        public void sent() {
            sent.incrementAndGet();
        }

        @Override
        public void failed(String why) {
            long total = failed.incrementAndGet();
            if (due(failedWarnedAt)) {
                LOG.warn("{} are not all getting through to Kafka ({} lost since the start, {} sent); the latest: {}", name,
                        total, sent.get(), why);
            } else {
                LOG.debug("{}: a record was lost: {}", name, why);
            }
        }
    }
}
