package io.flagplane.ruleset;

import io.flagplane.evaluation.Evaluation;
import io.flagplane.evaluation.Flag;
import io.flagplane.evaluation.Variant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How often one flag in one environment served each of its variants (and how often it ended in
 * an error, under the variant {@code ""}), since the reporter last harvested it. One instance per
 * flag for the life of the process, kept across versions, so a count made against an older
 * snapshot still lands on the right flag.
 *
 * <p>Hot path: {@link #count} allocates nothing and does not contend; it is reached from the flag in
 * hand ({@code Flag.attachment()}), not by key. A successful result's variant
 * is the very {@code String} instance the flag was built with (results are shared, see the
 * engine's {@code Flag}), so it is found by identity in a small array of the current version's
 * variants; each variant's {@link LongAdder} stripes itself across threads under contention (a
 * few cells, allocated once, the first time threads collide). Only a result from a version whose
 * variants the flag no longer has takes the slow path (a map lookup, allocation the first time).
 *
 * <p>Tried and dropped (issue 12): per-thread counter pages found through a {@code ThreadLocal},
 * incremented with a plain store and summed by the harvester. The {@code ThreadLocal} lookup alone
 * cost about 4 ns per evaluation in {@code EvaluationBenchmark}, more than the {@code LongAdder}'s
 * uncontended compare-and-swap; what did cost was the second lookup of the counters by flag key,
 * now gone.
 */
public final class FlagUsageCounters {

    /** The variant name counts of failed evaluations are reported under. */
    public static final String ERROR_VARIANT = "";

    private record Slot(String variant, LongAdder count) {
    }

    private final UsageCounters owner;
    private final String environment;
    private final String flagKey;
    private final LongAdder errors = new LongAdder();
    /** Every variant ever counted for this flag, for the harvest; written by the applying thread (and the slow path). */
    private final Map<String, LongAdder> byVariant = new ConcurrentHashMap<>();
    /** The variants of the version last applied, with the String instances its results carry. */
    private volatile Slot[] slots = new Slot[0];

    FlagUsageCounters(UsageCounters owner, String environment, String flagKey) {
        this.owner = owner;
        this.environment = environment;
        this.flagKey = flagKey;
    }

    /** The store's counters these belong to. */
    UsageCounters owner() {
        return owner;
    }

    public String environment() {
        return environment;
    }

    public String flagKey() {
        return flagKey;
    }

    /** Counts one evaluation of this flag: its variant, or {@link #ERROR_VARIANT} when it failed. */
    public void count(Evaluation<?> result) {
        String variant = result.variant();
        if (variant == null || result.isError()) {
            errors.increment();
            return;
        }
        Slot[] current = slots;
        for (Slot slot : current) {
            if (slot.variant == variant) {
                slot.count.increment();
                return;
            }
        }
        for (Slot slot : current) {
            if (slot.variant.equals(variant)) {
                slot.count.increment();
                return;
            }
        }
        byVariant.computeIfAbsent(variant, v -> new LongAdder()).increment();
    }

    /** Called on the applying thread when a new version of the flag arrives: its variants get slots (counts carry over by name). */
    void adopt(Flag flag) {
        List<Variant> variants = flag.variants();
        Slot[] next = new Slot[variants.size()];
        for (int i = 0; i < next.length; i++) {
            String key = variants.get(i).key();
            next[i] = new Slot(key, byVariant.computeIfAbsent(key, v -> new LongAdder()));
        }
        slots = next;
    }

    /** What a harvest found for one variant. */
    public interface Sink {
        void counted(String environment, String flagKey, String variant, long count);
    }

    /**
     * Hands every non-zero count to {@code sink} and sets it back to zero. An evaluation counted
     * while this runs lands either in this harvest or the next, never in neither.
     */
    public void harvest(Sink sink) {
        byVariant.forEach((variant, count) -> emit(sink, variant, count.sumThenReset()));
        emit(sink, ERROR_VARIANT, errors.sumThenReset());
    }

    private void emit(Sink sink, String variant, long count) {
        if (count > 0) {
            sink.counted(environment, flagKey, variant, count);
        }
    }
}
