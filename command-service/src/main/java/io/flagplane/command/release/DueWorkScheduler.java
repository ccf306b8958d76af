package io.flagplane.command.release;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;

/**
 * The loop every scheduler of the writer runs: every {@code every}, on a daemon thread of its own,
 * and only while this instance is the ready writer, it submits what is due at the clock's instant. A
 * tick that fails is logged and the next one runs as usual. What is due, how it is applied exactly
 * once (a step in flight is not submitted twice) and what is counted are the subclass's.
 */
public abstract class DueWorkScheduler implements AutoCloseable {

    private final String thread;
    private final Logger log;
    private final String what;
    private final BooleanSupplier ready;
    private final Clock clock;
    private ScheduledExecutorService ticker;

    /**
     * @param thread the ticker thread's name
     * @param log    the scheduler's logger: a failed tick is logged there as "{what} could not be checked: …"
     * @param what   what the scheduler looks for, as the log says it
     * @param ready  whether this instance is the ready writer; on any other instance a tick does nothing
     */
    DueWorkScheduler(String thread, Logger log, String what, BooleanSupplier ready, Clock clock) {
        this.thread = thread;
        this.log = log;
        this.what = what;
        this.ready = ready;
        this.clock = clock;
    }

    /** Submits what is due at {@code now}; returns how many it submitted. Runs on the ready writer only. */
    abstract int submitDue(Instant now);

    /** Ticks every {@code every} until {@link #close()}. */
    public final void start(Duration every) {
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, thread);
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleWithFixedDelay(this::tickSafely, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            log.warn("{} could not be checked: {}", what, e.toString());
        }
    }

    /** Submits everything that is due, if this instance is the ready writer; returns how many it submitted. */
    public final int tick() {
        if (!ready.getAsBoolean()) {
            return 0;
        }
        return submitDue(clock.instant());
    }

    @Override
    public final void close() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
    }
}
