package io.flagplane.evaluation;

import java.util.List;
import java.util.Objects;

/**
 * What a rule or the fallthrough serves, as written: one variant, or a split of variants with
 * weights in basis points (adding up to 10000), bucketed by an attribute (null: the targeting key).
 */
public record ServeSpec(String variant, List<Weighted> split, String bucketBy) {

    /** One variant's share of a split, in basis points. */
    public record Weighted(String variant, int weight) {
        public Weighted {
            Objects.requireNonNull(variant, "variant");
        }
    }

    public ServeSpec {
        if ((variant == null) == (split == null)) {
            throw new IllegalArgumentException("a serve names exactly one of a variant or a split");
        }
        split = split == null ? null : List.copyOf(split);
    }

    public static ServeSpec variant(String variant) {
        return new ServeSpec(variant, null, null);
    }

    public static ServeSpec split(List<Weighted> weights, String bucketBy) {
        return new ServeSpec(null, weights, bucketBy);
    }

    /** A rollout: {@code on} to {@code basisPoints} of keys, {@code off} to the rest. Ramps keep everyone who had it. */
    public static ServeSpec rollout(String on, int basisPoints, String off) {
        return split(List.of(new Weighted(on, basisPoints), new Weighted(off, Bucketing.BUCKETS - basisPoints)), null);
    }
}
