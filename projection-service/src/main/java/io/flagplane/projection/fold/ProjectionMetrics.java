package io.flagplane.projection.fold;

import java.util.concurrent.atomic.AtomicLong;

/** Counters of what the fold did with each event; read by status and metrics endpoints. */
public final class ProjectionMetrics {

    final AtomicLong applied = new AtomicLong();
    final AtomicLong stale = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    final AtomicLong undecodable = new AtomicLong();
    final AtomicLong deadLettered = new AtomicLong();
    final AtomicLong lifetimeChecks = new AtomicLong();

    /** Events that moved a flag forward. */
    public long applied() {
        return applied.get();
    }

    /** Scheduled passes over every flag looking for ones that outlived their kind's lifetime (flag-notices). */
    public long lifetimeChecks() {
        return lifetimeChecks.get();
    }

    /** Duplicated or replayed events, ignored by the version gate. */
    public long stale() {
        return stale.get();
    }

    /** Events that could not apply (an unknown flag, a second creation, a key that does not match). */
    public long rejected() {
        return rejected.get();
    }

    /** Records that could not be decoded at all; logged and skipped. */
    public long undecodable() {
        return undecodable.get();
    }

    /** Undecodable records copied to the dead-letter topic. */
    public long deadLettered() {
        return deadLettered.get();
    }

    /** The counters as they are now, for a scrape. */
    public Counts counts() {
        return new Counts(applied.get(), stale.get(), rejected.get(), undecodable.get(), deadLettered.get());
    }

    /** A reading of every counter. */
    public record Counts(long applied, long stale, long rejected, long undecodable, long deadLettered) {
    }

    /** Every record the fold has looked at, whatever it did with it. */
    public long seen() {
        return applied.get() + stale.get() + rejected.get() + undecodable.get();
    }
}
