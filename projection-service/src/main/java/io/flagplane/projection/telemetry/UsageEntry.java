package io.flagplane.projection.telemetry;

import java.util.Map;
import java.util.TreeMap;

/**
 * Evaluations of one flag in one environment, per UTC day and variant, as counted by the nodes
 * whose reports are folded on one partition; the same record sums shares across partitions and
 * instances ({@link #plus}). Days older than {@link #DAYS} are dropped as new ones arrive.
 *
 * @param lastEvaluatedMs the newest report that counted an evaluation, 0 for never
 * @param days            epoch day (UTC) → variant → evaluations; the variant {@code ""} counts
 *                        evaluations that ended in an error and served the caller's default
 */
public record UsageEntry(long lastEvaluatedMs, Map<Long, Map<String, Long>> days) {

    /** Days kept: today and the 29 before it. */
    public static final int DAYS = 30;

    public UsageEntry {
        TreeMap<Long, Map<String, Long>> copy = new TreeMap<>();
        days.forEach((day, variants) -> copy.put(day, Map.copyOf(variants)));
        days = java.util.Collections.unmodifiableNavigableMap(copy);
    }

    public static UsageEntry empty() {
        return new UsageEntry(0, Map.of());
    }

    /** What {@link #add} made, and how many variant counts it had to leave out (the cap, or a negative count). */
    public record Added(UsageEntry entry, int dropped) {
    }

    /**
     * These counts with one report's counts of one flag added on {@code day}, days before
     * {@code oldestDay} forgotten, and at most {@code maxVariants} variants per day.
     */
    public Added add(long day, Map<String, Long> counts, long reportedAtMs, long oldestDay, int maxVariants) {
        TreeMap<Long, Map<String, Long>> next = new TreeMap<>(days.entrySet().stream()
                .filter(e -> e.getKey() >= oldestDay)
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> new TreeMap<>(e.getValue()))));
        int dropped = 0;
        long added = 0;
        if (day >= oldestDay) {
            Map<String, Long> into = next.computeIfAbsent(day, d -> new TreeMap<>());
            for (Map.Entry<String, Long> count : counts.entrySet()) {
                if (count.getValue() == null || count.getValue() < 0
                        || (!into.containsKey(count.getKey()) && into.size() >= maxVariants)) {
                    dropped++;
                    continue;
                }
                into.merge(count.getKey(), count.getValue(), UsageEntry::saturatingAdd);
                added = saturatingAdd(added, count.getValue());
            }
            if (into.isEmpty()) {
                next.remove(day);
            }
        } else {
            dropped += counts.size();   // older than the window kept: nothing to add it to
        }
        long last = added > 0 ? Math.max(lastEvaluatedMs, reportedAtMs) : lastEvaluatedMs;
        return new Added(new UsageEntry(last, next), dropped);
    }

    /** The newest day with counts, or {@code Long.MIN_VALUE} when there is none. */
    public long newestDay() {
        return days.isEmpty() ? Long.MIN_VALUE : ((java.util.NavigableMap<Long, Map<String, Long>>) days).lastKey();
    }

    /** The sum of two shares (another partition's or instance's), saturating rather than overflowing. */
    public UsageEntry plus(UsageEntry other) {
        TreeMap<Long, Map<String, Long>> sum = new TreeMap<>();
        for (UsageEntry entry : new UsageEntry[] {this, other}) {
            entry.days.forEach((day, variants) -> {
                Map<String, Long> into = sum.computeIfAbsent(day, d -> new TreeMap<>());
                variants.forEach((variant, count) -> into.merge(variant, count, UsageEntry::saturatingAdd));
            });
        }
        return new UsageEntry(Math.max(lastEvaluatedMs, other.lastEvaluatedMs), sum);
    }

    /** Evaluations of the days from {@code fromDay} on (inclusive), per variant. */
    public Map<String, Long> variantsSince(long fromDay) {
        Map<String, Long> variants = new TreeMap<>();
        days.forEach((day, counts) -> {
            if (day >= fromDay) {
                counts.forEach((variant, count) -> variants.merge(variant, count, UsageEntry::saturatingAdd));
            }
        });
        return variants;
    }

    /** Evaluations on one day, every variant together. */
    public long evaluationsOn(long day) {
        return days.getOrDefault(day, Map.of()).values().stream().reduce(0L, UsageEntry::saturatingAdd);
    }

    static long saturatingAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
