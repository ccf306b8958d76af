package io.flagplane.projection.guardrails;

import io.flagplane.projection.guardrails.GuardrailStores.Resolution;
import java.time.Duration;

/**
 * How long each resolution's cells are kept: fine (10 s) buckets for {@code fine} (the windows
 * guardrails read: a window longer than that is read from hourly buckets), hourly ones for
 * {@code coarse} (how far back "users exposed since the step started" reaches). Both the measuring and
 * the evaluating side apply the same rule, so a cell past its horizon is neither changed nor read.
 */
public record Horizons(Duration fine, Duration coarse) {

    public static final Horizons DEFAULT = new Horizons(Duration.ofHours(2), Duration.ofDays(8));

    public Horizons {
        if (fine.compareTo(Duration.ofMinutes(1)) < 0 || coarse.compareTo(fine) < 0) {
            throw new IllegalArgumentException("guardrail horizons need fine >= 1 min and coarse >= fine: " + fine + ", " + coarse);
        }
    }

    Duration of(Resolution resolution) {
        return resolution == Resolution.FINE ? fine : coarse;
    }

    /** Whether the bucket starting at {@code bucketMs} still reaches into the kept past. */
    boolean live(Resolution resolution, long bucketMs, long nowMs) {
        return bucketMs + resolution.millis > nowMs - of(resolution).toMillis();
    }

    /** The resolution to read "since {@code fromMs}" at: fine while its bucket is kept, else hourly. */
    Resolution toRead(long fromMs, long nowMs) {
        return live(Resolution.FINE, Resolution.FINE.bucketOf(fromMs), nowMs) ? Resolution.FINE : Resolution.COARSE;
    }
}
