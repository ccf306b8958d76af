package io.flagplane.statistics;

/**
 * One arm of an experiment on a per-user metric (revenue, latency, sessions), summarised.
 *
 * <p>{@code n = 0}: mean and variance are {@code NaN}. {@code n = 1}: the mean is the one value and
 * the variance is {@code NaN} (the sample variance divides by {@code n - 1}). From {@code n = 2}:
 * a finite mean and a finite variance of at least 0.
 *
 * @param n        observations (users), at least 0
 * @param mean     their mean
 * @param variance their sample variance, {@code Σ(x - mean)² / (n - 1)}
 */
public record Summary(long n, double mean, double variance) {

    public Summary {
        if (n < 0) {
            throw new IllegalArgumentException("n must be at least 0, got " + n);
        }
        if (n == 0 ? !Double.isNaN(mean) : !Double.isFinite(mean)) {
            throw new IllegalArgumentException("mean must be " + (n == 0 ? "NaN for n = 0" : "finite")
                    + ", got " + mean);
        }
        if (n < 2 ? !Double.isNaN(variance) : !(Double.isFinite(variance) && variance >= 0)) {
            throw new IllegalArgumentException("variance must be " + (n < 2 ? "NaN for n < 2" : "finite and at least 0")
                    + ", got " + variance);
        }
    }

    /**
     * The summary of {@code n} values from their sum and their sum of squares — the two totals that
     * add up across partitions and time windows, which is how a stream keeps them.
     *
     * <p>The textbook shortcut {@code (Σx² - (Σx)²/n) / (n - 1)} subtracts two nearly equal numbers
     * whenever the mean is large against the spread, and loses the variance to rounding (Chan,
     * Golub &amp; LeVeque, "Algorithms for Computing the Sample Variance: Analysis and
     * Recommendations", <i>The American Statistician</i> 37(3), 1983). Here the numerator
     * {@code n Σx² - (Σx)²} is formed with fused multiply-adds, the square split exactly into a
     * rounded part and its rounding error, so the subtraction itself adds no error: the result is
     * as good as the two sums it is given. What was lost while <em>accumulating</em> Σx² cannot be
     * recovered here; a producer whose values have a mean far above their standard deviation should
     * sum {@code x - shift} for a fixed shift near the mean (the variance does not change; add the
     * shift back to the mean).
     *
     * <p>Rounding in the sums can leave the numerator slightly negative for values that are all
     * equal; it is then taken as 0.
     *
     * @throws IllegalArgumentException if {@code n < 0}, a sum is not finite, {@code sumOfSquares < 0},
     *                                  or {@code n = 0} with a sum other than 0
     */
    public static Summary of(long n, double sum, double sumOfSquares) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be at least 0, got " + n);
        }
        if (!Double.isFinite(sum) || !Double.isFinite(sumOfSquares) || sumOfSquares < 0) {
            throw new IllegalArgumentException("sum must be finite and sumOfSquares finite and at least 0, got sum "
                    + sum + ", sumOfSquares " + sumOfSquares);
        }
        if (n == 0) {
            if (sum != 0 || sumOfSquares != 0) {
                throw new IllegalArgumentException("no values cannot sum to " + sum + " (squares " + sumOfSquares + ")");
            }
            return new Summary(0, Double.NaN, Double.NaN);
        }
        double mean = sum / n;
        if (n == 1) {
            return new Summary(1, mean, Double.NaN);
        }
        double count = n;
        double square = sum * sum;
        double squareError = Math.fma(sum, sum, -square);            // sum² = square + squareError, exactly
        double numerator = Math.fma(count, sumOfSquares, -square) - squareError;
        double variance = Math.max(0, numerator) / (count * (count - 1));
        return new Summary(n, mean, variance);
    }

    /** The variance of the mean, {@code variance / n}. */
    double varianceOfMean() {
        return variance / n;
    }
}
