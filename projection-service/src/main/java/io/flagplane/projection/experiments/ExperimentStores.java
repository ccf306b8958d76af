package io.flagplane.projection.experiments;

/**
 * The names and key formats of the analysis stores, in one place because the fold writes them and
 * the queries read them. All three are partitioned like {@code flag-exposures} and
 * {@code tracking-events} (by user): each partition holds its users and its share of every
 * experiment's totals, which a query adds up.
 */
public final class ExperimentStores {

    /** {@code environment/targetingKey} → {@link UserFacts}. */
    public static final String USERS = "experiment-users";
    /** {@code environment/experimentKey} → {@link ExperimentTotals} of this partition's users. */
    public static final String TOTALS = "experiment-totals";
    /** {@link #pointKey} → {@link Snapshot}: this partition's totals per minute (last day) and per hour. */
    public static final String SERIES = "experiment-series";

    private static final char SEPARATOR = '\u0000';

    public enum Resolution {
        MINUTE('m', 60_000L), HOUR('h', 3_600_000L);

        final char tag;
        public final long millis;

        Resolution(char tag, long millis) {
            this.tag = tag;
            this.millis = millis;
        }
    }

    private ExperimentStores() {
    }

    public static String totalsKey(String environment, String experimentKey) {
        return environment + '/' + experimentKey;
    }

    public static String pointKey(String totalsKey, Resolution resolution, long atMs) {
        return totalsKey + SEPARATOR + resolution.tag + String.format("%016x", Math.max(0, atMs));
    }

    /** The first point key of an experiment at a resolution (inclusive). */
    public static String pointsFrom(String totalsKey, Resolution resolution) {
        return pointKey(totalsKey, resolution, 0);
    }

    /** The last possible point key of an experiment at a resolution (inclusive). */
    public static String pointsTo(String totalsKey, Resolution resolution) {
        return totalsKey + SEPARATOR + resolution.tag + "ffffffffffffffff";
    }
}
