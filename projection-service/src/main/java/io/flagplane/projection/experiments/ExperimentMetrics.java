package io.flagplane.projection.experiments;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the analysis fold did, for status and Prometheus: records folded by kind, records skipped
 * (undecodable, refused), exposures that came late, tracked events repeated, entries dropped at a
 * bound, and users who turned mixed. Plain counters; {@code PrometheusMetrics} reads them at scrape time.
 */
public final class ExperimentMetrics {

    final AtomicLong exposures = new AtomicLong();
    final AtomicLong tracked = new AtomicLong();
    final AtomicLong undecodable = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong late = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    final AtomicLong mixed = new AtomicLong();
    final AtomicLong unknownExperiment = new AtomicLong();
    final AtomicLong planExposures = new AtomicLong();

    /** Exposure records folded. */
    public long exposures() {
        return exposures.get();
    }

    /** Tracking-event records folded (duplicates included). */
    public long tracked() {
        return tracked.get();
    }

    public long folded() {
        return exposures.get() + tracked.get();
    }

    /** Records that could not be decoded: logged and skipped. */
    public long undecodable() {
        return undecodable.get();
    }

    /**
     * Records refused: a key that is not the record's user, a name the command-service would not
     * write, a variant that is not an arm, an exposure from before the launch, a value out of range.
     */
    public long refused() {
        return refused.get();
    }

    /** Exposures older than the grace period when they arrived (their earlier events may be gone). */
    public long late() {
        return late.get();
    }

    /** Tracked events whose id was already in the user's buffer (a retried batch). */
    public long duplicates() {
        return duplicates.get();
    }

    /** Events, experiments or variants not kept for a per-user bound. */
    public long dropped() {
        return dropped.get();
    }

    /** Users who turned mixed (served a second variant of an experiment). */
    public long mixed() {
        return mixed.get();
    }

    /**
     * Exposures logged for a rollout plan's guardrails ({@code planKey} set, {@code experimentKey}
     * empty): no experiment's, so passed over here, neither folded nor refused.
     */
    public long planExposures() {
        return planExposures.get();
    }

    /** Exposures of an experiment the global copy of {@code flag-state} did not hold (yet); counted once it does. */
    public long unknownExperiment() {
        return unknownExperiment.get();
    }
}
