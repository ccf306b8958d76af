package io.flagplane.reporting.tracking;

import java.time.Duration;
import java.util.Objects;

/**
 * How an evaluator takes tracking events ({@code track()}) to {@code tracking-events}.
 *
 * @param enabled        off: {@code track} is refused (the edge answers 404 {@code TRACKING_DISABLED}; the SDK
 *                       returns false), and no producer is made for it
 * @param bufferCapacity events waiting for Kafka at most; a batch that does not fit is refused whole
 *                       (the edge answers 503 {@code TRACKING_BUFFER_FULL}; the SDK drops and counts it)
 * @param maxBatch       events in one {@code POST /api/v1/track} at most
 * @param maxFuture      how far ahead of this evaluator's clock an event's timestamp may be (clock skew)
 * @param maxPast        how old an event's timestamp may be (a client replaying a backlog)
 */
public record TrackingSettings(boolean enabled, int bufferCapacity, int maxBatch, Duration maxFuture, Duration maxPast) {

    public static final int DEFAULT_BUFFER = 10_000;
    public static final int DEFAULT_MAX_BATCH = 1_000;
    public static final Duration DEFAULT_MAX_FUTURE = Duration.ofHours(1);
    public static final Duration DEFAULT_MAX_PAST = Duration.ofDays(7);

    public TrackingSettings {
        Objects.requireNonNull(maxFuture, "maxFuture");
        Objects.requireNonNull(maxPast, "maxPast");
        if (bufferCapacity < 1 || bufferCapacity > 1_000_000) {
            throw new IllegalArgumentException("the tracking buffer must hold between 1 and 1,000,000 events: " + bufferCapacity);
        }
        if (maxBatch < 1 || maxBatch > 10_000) {
            throw new IllegalArgumentException("a tracking batch must allow between 1 and 10,000 events: " + maxBatch);
        }
        if (maxBatch > bufferCapacity) {
            throw new IllegalArgumentException("a tracking batch (" + maxBatch + ") must fit in the tracking buffer ("
                    + bufferCapacity + ")");
        }
        if (maxFuture.isNegative() || maxPast.isNegative() || maxFuture.compareTo(Duration.ofDays(1)) > 0
                || maxPast.compareTo(Duration.ofDays(90)) > 0) {
            throw new IllegalArgumentException("tracking timestamps may be at most 1 day ahead and 90 days old (the topic's"
                    + " retention): " + maxFuture + ", " + maxPast);
        }
    }

    public static TrackingSettings defaults() {
        return new TrackingSettings(true, DEFAULT_BUFFER, DEFAULT_MAX_BATCH, DEFAULT_MAX_FUTURE, DEFAULT_MAX_PAST);
    }

    public static TrackingSettings disabled() {
        return defaults().withEnabled(false);
    }

    public TrackingSettings withEnabled(boolean on) {
        return new TrackingSettings(on, bufferCapacity, maxBatch, maxFuture, maxPast);
    }

    public TrackingSettings withBufferCapacity(int capacity) {
        return new TrackingSettings(enabled, capacity, Math.min(maxBatch, capacity), maxFuture, maxPast);
    }

    public TrackingSettings withMaxBatch(int max) {
        return new TrackingSettings(enabled, bufferCapacity, max, maxFuture, maxPast);
    }
}
