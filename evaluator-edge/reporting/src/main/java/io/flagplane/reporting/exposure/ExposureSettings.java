package io.flagplane.reporting.exposure;

import java.time.Duration;
import java.util.Objects;

/**
 * How an evaluator logs exposures to running experiments on {@code flag-exposures}.
 *
 * @param enabled        off: nothing is logged, no producer is made for exposures
 * @param dedupWindow    a user's exposure to an experiment is logged once per window (per
 *                       evaluator); zero logs every evaluation (for tests and benchmarks)
 * @param dedupCapacity  the most (environment, experiment, user) entries remembered, rounded up to
 *                       a power of two; when full the oldest of a few candidates is forgotten, which
 *                       only means that user's next exposure is logged again
 * @param bufferCapacity exposures waiting for Kafka at most; beyond that they are dropped and counted
 */
public record ExposureSettings(boolean enabled, Duration dedupWindow, int dedupCapacity, int bufferCapacity) {

    public static final Duration DEFAULT_WINDOW = Duration.ofHours(1);
    public static final int DEFAULT_DEDUP_CAPACITY = 131_072;
    public static final int DEFAULT_BUFFER = 10_000;
    /** Longer windows would need the dedup entries to outlive what the analysis joins on anyway. */
    public static final Duration MAX_WINDOW = Duration.ofDays(7);
    public static final int MAX_DEDUP_CAPACITY = 1 << 24;

    public ExposureSettings {
        Objects.requireNonNull(dedupWindow, "dedupWindow");
        if (dedupWindow.isNegative() || dedupWindow.compareTo(MAX_WINDOW) > 0) {
            throw new IllegalArgumentException("the exposure de-duplication window must be between 0 and 7 days: "
                    + dedupWindow);
        }
        if (dedupCapacity < 4 || dedupCapacity > MAX_DEDUP_CAPACITY) {
            throw new IllegalArgumentException("the exposure de-duplication capacity must be between 4 and "
                    + MAX_DEDUP_CAPACITY + " entries: " + dedupCapacity);
        }
        if (bufferCapacity < 1 || bufferCapacity > 1_000_000) {
            throw new IllegalArgumentException("the exposure buffer must hold between 1 and 1,000,000 exposures: "
                    + bufferCapacity);
        }
    }

    public static ExposureSettings defaults() {
        return new ExposureSettings(true, DEFAULT_WINDOW, DEFAULT_DEDUP_CAPACITY, DEFAULT_BUFFER);
    }

    public static ExposureSettings disabled() {
        return defaults().withEnabled(false);
    }

    public ExposureSettings withEnabled(boolean on) {
        return new ExposureSettings(on, dedupWindow, dedupCapacity, bufferCapacity);
    }

    public ExposureSettings withDedupWindow(Duration window) {
        return new ExposureSettings(enabled, window, dedupCapacity, bufferCapacity);
    }

    public ExposureSettings withDedupCapacity(int capacity) {
        return new ExposureSettings(enabled, dedupWindow, capacity, bufferCapacity);
    }

    public ExposureSettings withBufferCapacity(int capacity) {
        return new ExposureSettings(enabled, dedupWindow, dedupCapacity, capacity);
    }
}
