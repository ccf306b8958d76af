package io.flagplane.projection.guardrails;

import io.flagplane.avro.GuardrailKind;
import io.flagplane.avro.GuardrailVerdict;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What the guardrails did, for status and Prometheus: records measured, tracked events no plan
 * exposure covered, records refused, entries dropped at a bound; per evaluation pass its duration
 * (a histogram), readings by kind and verdict, and release signals published. Plain counters, read
 * at scrape time.
 */
public final class GuardrailMetrics {

    /** Upper bounds of the evaluation-duration histogram, in seconds. */
    public static final double[] DURATION_BOUNDS = {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5};

    private static final GuardrailKind[] KINDS = GuardrailKind.values();
    private static final GuardrailVerdict[] VERDICTS = GuardrailVerdict.values();

    final AtomicLong exposures = new AtomicLong();
    final AtomicLong tracked = new AtomicLong();
    final AtomicLong unattributed = new AtomicLong();
    final AtomicLong undecodable = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    final AtomicLong signals = new AtomicLong();
    private final AtomicLongArray readings = new AtomicLongArray(KINDS.length * VERDICTS.length);
    private final AtomicLongArray durationBuckets = new AtomicLongArray(DURATION_BOUNDS.length + 1);
    private final AtomicLong durationNanos = new AtomicLong();

    /** Plan exposures folded. */
    public long exposures() {
        return exposures.get();
    }

    /** Tracked events of users exposed to some plan, folded. */
    public long tracked() {
        return tracked.get();
    }

    /** Tracked events of exposed users that fell before every exposure of theirs (or arrived before it): not counted. */
    public long unattributed() {
        return unattributed.get();
    }

    public long undecodable() {
        return undecodable.get();
    }

    /** Records refused: names the command-service would not write, a key that is not the record's user. */
    public long refused() {
        return refused.get();
    }

    /** Plans, event keys or cell entries let go for a bound. */
    public long dropped() {
        return dropped.get();
    }

    /** Release signals published to {@code release-signals}. */
    public long signals() {
        return signals.get();
    }

    public long readings(GuardrailKind kind, GuardrailVerdict verdict) {
        return readings.get(kind.ordinal() * VERDICTS.length + verdict.ordinal());
    }

    void reading(GuardrailKind kind, GuardrailVerdict verdict) {
        readings.incrementAndGet(kind.ordinal() * VERDICTS.length + verdict.ordinal());
    }

    void evaluated(long nanos) {
        durationNanos.addAndGet(nanos);
        double seconds = nanos / 1e9;
        int bucket = 0;
        while (bucket < DURATION_BOUNDS.length && seconds > DURATION_BOUNDS[bucket]) {
            bucket++;
        }
        durationBuckets.incrementAndGet(bucket);
    }

    /** Evaluation passes per duration bucket (not cumulative; the last is above every bound). */
    public long[] durationCounts() {
        long[] counts = new long[durationBuckets.length()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = durationBuckets.get(i);
        }
        return counts;
    }

    public double durationSeconds() {
        return durationNanos.get() / 1e9;
    }

    /** Evaluation passes so far. */
    public long evaluations() {
        long all = 0;
        for (long c : durationCounts()) {
            all += c;
        }
        return all;
    }
}
