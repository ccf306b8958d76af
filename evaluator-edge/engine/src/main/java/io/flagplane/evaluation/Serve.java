package io.flagplane.evaluation;

/** A serve prepared for evaluation: a fixed variant index, or a split over variant indexes. */
abstract class Serve {

    static final class Fixed extends Serve {
        final int variant;

        Fixed(int variant) {
            this.variant = variant;
        }
    }

    /** Upper bucket bounds, ascending: a bucket below {@code upper[i]} (and not below an earlier bound) gets {@code variants[i]}. */
    static final class Split extends Serve {
        final int[] upper;
        final int[] variants;
        final String bucketBy;

        Split(int[] upper, int[] variants, String bucketBy) {
            this.upper = upper;
            this.variants = variants;
            this.bucketBy = bucketBy;
        }

        int variantFor(int bucket) {
            for (int i = 0; i < upper.length; i++) {
                if (bucket < upper[i]) {
                    return variants[i];
                }
            }
            return variants[variants.length - 1];
        }
    }
}
