package io.flagplane.projection.experiments;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * One experiment's totals over the users of one partition (the analysis keeps them where the users
 * are, and a query adds the partitions up: {@link #plus}). Every figure is a sum over users of
 * their latest {@link Contribution}, plus the exposure records counted per variant, so the totals
 * do not depend on the order records were folded in. Immutable; JSON in the store and between
 * instances.
 *
 * @param flagKey    the flag that carries the experiment
 * @param mixedUsers users served more than one variant: counted here, excluded from every variant
 * @param variants   by variant name
 */
public record ExperimentTotals(String flagKey, long mixedUsers, Map<String, VariantTotals> variants) {

    public ExperimentTotals {
        variants = new TreeMap<>(variants);
    }

    public static ExperimentTotals empty(String flagKey) {
        return new ExperimentTotals(flagKey, 0, Map.of());
    }

    /**
     * One variant's totals: users counted in it (not mixed), exposure records served it (repeats
     * included), and per metric (the experiment's primary metric first): users with an event in
     * the window, and the sum and the sum of squares (128-bit) of users' values in {@link Units}.
     */
    public record VariantTotals(long users, long exposures, long[] conversions, long[] sums, long[] squaresHigh,
                                long[] squaresLow) {

        static final VariantTotals EMPTY = new VariantTotals(0, 0, new long[0], new long[0], new long[0], new long[0]);

        public int metrics() {
            return conversions.length;
        }

        public Int128 squares(int i) {
            return new Int128(squaresHigh[i], squaresLow[i]);
        }

        VariantTotals sized(int m) {
            if (conversions.length >= m) {
                return this;
            }
            return new VariantTotals(users, exposures, Arrays.copyOf(conversions, m), Arrays.copyOf(sums, m),
                    Arrays.copyOf(squaresHigh, m), Arrays.copyOf(squaresLow, m));
        }

        VariantTotals plus(VariantTotals o) {
            int m = Math.max(metrics(), o.metrics());
            VariantTotals a = sized(m);
            VariantTotals b = o.sized(m);
            long[] c = new long[m];
            long[] s = new long[m];
            long[] hi = new long[m];
            long[] lo = new long[m];
            for (int i = 0; i < m; i++) {
                c[i] = a.conversions[i] + b.conversions[i];
                s[i] = a.sums[i] + b.sums[i];
                Int128 q = a.squares(i).plus(b.squares(i));
                hi[i] = q.high();
                lo[i] = q.low();
            }
            return new VariantTotals(a.users + b.users, a.exposures + b.exposures, c, s, hi, lo);
        }

        /** With a user's contribution added ({@code sign} 1) or taken away (-1). */
        VariantTotals with(Contribution user, int sign, ExperimentSpec spec) {
            VariantTotals t = sized(user.metrics());
            long[] c = t.conversions.clone();
            long[] s = t.sums.clone();
            long[] hi = t.squaresHigh.clone();
            long[] lo = t.squaresLow.clone();
            for (int i = 0; i < user.metrics(); i++) {
                ExperimentSpec.Aggregation aggregation = spec == null || i >= spec.metrics().size()
                        ? ExperimentSpec.Aggregation.SUM : spec.metrics().get(i).aggregation();
                long value = user.value(i, aggregation);
                c[i] += user.count(i) > 0 ? sign : 0;
                s[i] += sign * value;
                Int128 square = Int128.square(value);
                Int128 q = t.squares(i).plus(sign > 0 ? square : square.negate());
                hi[i] = q.high();
                lo[i] = q.low();
            }
            return new VariantTotals(t.users + sign, t.exposures, c, s, hi, lo);
        }

        VariantTotals withExposure() {
            return new VariantTotals(users, exposures + 1, conversions, sums, squaresHigh, squaresLow);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof VariantTotals v && users == v.users && exposures == v.exposures
                    && Arrays.equals(conversions, v.conversions) && Arrays.equals(sums, v.sums)
                    && Arrays.equals(squaresHigh, v.squaresHigh) && Arrays.equals(squaresLow, v.squaresLow);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(users) * 31 + Arrays.hashCode(conversions) * 17 + Arrays.hashCode(sums);
        }

        @Override
        public String toString() {
            return "users=" + users + " exposures=" + exposures + " conversions=" + Arrays.toString(conversions) + " sums="
                    + Arrays.toString(sums);
        }
    }

    public VariantTotals variant(String name) {
        return variants.getOrDefault(name, VariantTotals.EMPTY);
    }

    /** Users counted in some variant, mixed ones not included. */
    public long users() {
        return variants.values().stream().mapToLong(VariantTotals::users).sum();
    }

    public long exposures() {
        return variants.values().stream().mapToLong(VariantTotals::exposures).sum();
    }

    /** These totals with one user's change applied. */
    public ExperimentTotals apply(UserFold.Delta delta, ExperimentSpec spec) {
        Map<String, VariantTotals> next = new TreeMap<>(variants);
        long mixed = mixedUsers;
        if (delta.before() != null) {
            if (delta.before().mixed()) {
                mixed--;
            } else {
                next.put(delta.before().variant(), next.getOrDefault(delta.before().variant(), VariantTotals.EMPTY)
                        .with(delta.before(), -1, spec));
            }
        }
        if (delta.after() != null) {
            if (delta.after().mixed()) {
                mixed++;
            } else {
                next.put(delta.after().variant(), next.getOrDefault(delta.after().variant(), VariantTotals.EMPTY)
                        .with(delta.after(), 1, spec));
            }
        }
        if (delta.exposureOf() != null) {
            next.put(delta.exposureOf(), next.getOrDefault(delta.exposureOf(), VariantTotals.EMPTY).withExposure());
        }
        return new ExperimentTotals(flagKey, mixed, next);
    }

    /** Two partitions' (or instances') totals added up. */
    public ExperimentTotals plus(ExperimentTotals other) {
        Map<String, VariantTotals> sum = new TreeMap<>(variants);
        other.variants.forEach((name, totals) -> sum.merge(name, totals, VariantTotals::plus));
        return new ExperimentTotals(flagKey != null ? flagKey : other.flagKey, mixedUsers + other.mixedUsers, sum);
    }
}
