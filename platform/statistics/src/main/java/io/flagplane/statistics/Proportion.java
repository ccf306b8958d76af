package io.flagplane.statistics;

/**
 * One arm of a conversion experiment: how many users it had, and how many of them converted.
 *
 * @param users       users in the arm, at least 0
 * @param conversions users who converted, between 0 and {@code users}
 */
public record Proportion(long users, long conversions) {

    public Proportion {
        if (users < 0) {
            throw new IllegalArgumentException("users must be at least 0, got " + users);
        }
        if (conversions < 0 || conversions > users) {
            throw new IllegalArgumentException("conversions must be between 0 and users (" + users + "), got "
                    + conversions);
        }
    }

    /** {@code conversions / users}; {@code NaN} for an arm without users. */
    public double rate() {
        return users == 0 ? Double.NaN : (double) conversions / users;
    }

    /**
     * The variance of the observed rate, {@code p (1 - p) / users}: the binomial variance of the
     * estimate, with the observed rate plugged in. {@code NaN} without users.
     */
    double rateVariance() {
        double p = rate();
        return p * (1 - p) / users;
    }
}
