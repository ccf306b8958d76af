package io.flagplane.projection.guardrails;

/**
 * The names and key formats of the guardrail stores, in one place because the processors write them
 * and the queries read them.
 *
 * <p>Measured where the users are (partitioned like {@code flag-exposures} and {@code tracking-events}):
 * {@value #USERS} and {@value #CELLS}. Evaluated where the plan is (partitioned by plan, over the
 * internal {@code guardrail-plans} and {@code guardrail-cells} topics): {@value #PLANS},
 * {@value #SHARES} and {@value #SIGNALS}.
 *
 * <p>A cell is one plan's figures for one variant over one time bucket ({@link Resolution}); its key
 * ends with a {@link #cellSuffix}: the resolution's tag, the bucket's start (16 hex digits) and the
 * variant. '\0' never occurs in a record key, a variant name or a hex number, so ranges are exact.
 */
public final class GuardrailStores {

    /** {@code environment/targetingKey} → {@link PlanUserFacts}. */
    public static final String USERS = "guardrail-users";
    /** {@code environment/plan:key} '\0' {@link #cellSuffix} → {@link Cell}: this partition's users. */
    public static final String CELLS = "guardrail-cells";
    /** {@code environment/plan:key} → {@code RolloutPlanState}, as the fold made it. */
    public static final String PLANS = "guardrail-plans";
    /** {@code environment/plan:key} '\0' partition '\0' {@link #cellSuffix} → {@link Cell}: each measuring partition's share. */
    public static final String SHARES = "guardrail-shares";
    /** {@code environment/plan:key} '\0' evaluatedAt (16 hex digits) → {@code ReleaseSignal}: the verdicts published, oldest first. */
    public static final String SIGNALS = "guardrail-signals";

    static final char SEPARATOR = '\u0000';

    /**
     * The time buckets figures are kept in: 10 seconds for the recent past (the windows guardrails
     * read), an hour for the longer past (users exposed since a step started days ago).
     */
    public enum Resolution {
        FINE('f', 10_000L), COARSE('c', 3_600_000L);

        final char tag;
        public final long millis;

        Resolution(char tag, long millis) {
            this.tag = tag;
            this.millis = millis;
        }

        public long bucketOf(long atMs) {
            return Math.floorDiv(atMs, millis) * millis;
        }

        static Resolution ofTag(char tag) {
            for (Resolution r : values()) {
                if (r.tag == tag) {
                    return r;
                }
            }
            throw new IllegalArgumentException("no resolution tagged " + tag);
        }
    }

    /** Where a cell sits within its plan: resolution, bucket, variant. */
    public record CellId(Resolution resolution, long bucketMs, String variant) {

        String suffix() {
            return cellSuffix(resolution, bucketMs, variant);
        }

        static CellId parse(String suffix) {
            int sep = suffix.indexOf(SEPARATOR);
            if (sep != 17) {
                throw new IllegalArgumentException("not a cell suffix: " + suffix);
            }
            return new CellId(Resolution.ofTag(suffix.charAt(0)), Long.parseUnsignedLong(suffix.substring(1, 17), 16),
                    suffix.substring(18));
        }
    }

    private GuardrailStores() {
    }

    public static String cellSuffix(Resolution resolution, long bucketMs, String variant) {
        return resolution.tag + hex16(bucketMs) + SEPARATOR + variant;
    }

    public static String cellKey(String planKey, String suffix) {
        return planKey + SEPARATOR + suffix;
    }

    public static String shareKey(String planKey, int partition, String suffix) {
        return planKey + SEPARATOR + String.format("%08x", partition) + SEPARATOR + suffix;
    }

    public static String signalKey(String planKey, long evaluatedAtMs) {
        return planKey + SEPARATOR + hex16(evaluatedAtMs);
    }

    /** The first key of a plan's entries in any of the keyed-by-plan stores (inclusive). */
    public static String planFrom(String planKey) {
        return planKey + SEPARATOR;
    }

    /** Just past a plan's entries (exclusive bound for a range; '\u0001' follows '\0'). */
    public static String planTo(String planKey) {
        return planKey + (char) (SEPARATOR + 1);
    }

    /** The plan key a cell, share or signal key starts with. */
    static String planOf(String key) {
        return key.substring(0, key.indexOf(SEPARATOR));
    }

    /** What follows the plan key and the separator. */
    static String afterPlan(String key) {
        return key.substring(key.indexOf(SEPARATOR) + 1);
    }

    static String hex16(long value) {
        return String.format("%016x", Math.max(0, value));
    }
}
