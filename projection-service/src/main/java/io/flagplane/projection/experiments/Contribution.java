package io.flagplane.projection.experiments;

import java.util.Arrays;
import java.util.Objects;

/**
 * What one user adds to one experiment's totals: the variant of their first exposure, or "mixed"
 * (they were served two variants, so they are counted apart and excluded), and per metric how many
 * of their tracked events fell inside the attribution window and the sum of those events' values
 * (in {@link Units}). A user's contribution is replaced, never added to: the totals subtract the
 * one they had and add the new one, so the totals are always the sum of every user's latest
 * contribution, whatever order the records came in.
 */
public final class Contribution {

    private final String variant;
    private final boolean mixed;
    private final long[] counts;
    private final long[] sums;

    public Contribution(String variant, boolean mixed, long[] counts, long[] sums) {
        this.variant = Objects.requireNonNull(variant, "variant");
        this.mixed = mixed;
        this.counts = counts;
        this.sums = sums;
        if (counts.length != sums.length) {
            throw new IllegalArgumentException("counts and sums differ in length");
        }
    }

    /** A mixed user: counted apart, no metrics. */
    public static Contribution mixed(String firstVariant) {
        return new Contribution(firstVariant, true, new long[0], new long[0]);
    }

    public String variant() {
        return variant;
    }

    public boolean mixed() {
        return mixed;
    }

    public int metrics() {
        return counts.length;
    }

    /** Events of metric {@code i} inside the window. */
    public long count(int i) {
        return counts[i];
    }

    /** The sum of those events' values, in units. */
    public long sum(int i) {
        return sums[i];
    }

    /** The user's value for metric {@code i} in units: the sum, or the mean of their events (0 without any). */
    public long value(int i, ExperimentSpec.Aggregation aggregation) {
        if (aggregation == ExperimentSpec.Aggregation.SUM) {
            return sums[i];
        }
        return counts[i] == 0 ? 0 : Math.round((double) sums[i] / counts[i]);
    }

    /** This contribution with one more event of metric {@code i}. */
    public Contribution plusEvent(int i, long units) {
        long[] c = counts.clone();
        long[] s = sums.clone();
        c[i]++;
        s[i] = Units.add(s[i], units);
        return new Contribution(variant, mixed, c, s);
    }

    long[] countsArray() {
        return counts;
    }

    long[] sumsArray() {
        return sums;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Contribution c && mixed == c.mixed && variant.equals(c.variant) && Arrays.equals(counts, c.counts)
                && Arrays.equals(sums, c.sums);
    }

    @Override
    public int hashCode() {
        return Objects.hash(variant, mixed, Arrays.hashCode(counts), Arrays.hashCode(sums));
    }

    @Override
    public String toString() {
        return (mixed ? "mixed:" : "") + variant + Arrays.toString(counts) + Arrays.toString(sums);
    }
}
