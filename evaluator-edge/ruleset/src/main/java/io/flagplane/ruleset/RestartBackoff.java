package io.flagplane.ruleset;

import java.time.Duration;
import java.time.Instant;

/**
 * How long a failed {@link RulesetTail} waits before it restarts: {@code initial} after a first
 * failure, doubling with every failure in a row up to {@code max}. A run that lasted at least
 * {@code healthyAfter} before it failed was healthy, and starts the doubling over. Used by the
 * tail's thread only; times come from the caller, so a test moves them instead of waiting.
 */
final class RestartBackoff {

    /** 100 ms doubling to 30 s; a minute without failing resets it. */
    static RestartBackoff standard() {
        return new RestartBackoff(Duration.ofMillis(100), Duration.ofSeconds(30), Duration.ofMinutes(1));
    }

    private final Duration initial;
    private final Duration max;
    private final Duration healthyAfter;
    private int failuresInARow;

    RestartBackoff(Duration initial, Duration max, Duration healthyAfter) {
        if (initial.isNegative() || max.compareTo(initial) < 0 || healthyAfter.isNegative()) {
            throw new IllegalArgumentException("restart backoff needs 0 <= initial <= max and healthyAfter >= 0, not "
                    + initial + ", " + max + ", " + healthyAfter);
        }
        this.initial = initial;
        this.max = max;
        this.healthyAfter = healthyAfter;
    }

    /** The wait before restarting a run that started at {@code started} and failed at {@code failed}. */
    Duration after(Instant started, Instant failed) {
        if (Duration.between(started, failed).compareTo(healthyAfter) >= 0) {
            failuresInARow = 0;
        }
        Duration wait = initial.multipliedBy(1L << Math.min(failuresInARow, 30));
        failuresInARow++;
        return wait.compareTo(max) > 0 ? max : wait;
    }
}
