package io.flagplane.projection.query;

import java.util.regex.Pattern;

/**
 * The names a query may carry, by the rules the command-service writes them with: nothing it
 * would refuse can exist, so such a name is refused here (400) before it reaches a record key or
 * a store range.
 */
public final class Names {

    /** Dot notation: two or more lowercase segments, e.g. {@code checkout.new_ui}. */
    private static final Pattern FLAG_KEY = Pattern.compile("[a-z0-9][a-z0-9_-]*(\\.[a-z0-9][a-z0-9_-]*)+");
    private static final Pattern ENVIRONMENT = Pattern.compile("[a-z0-9][a-z0-9_-]*");
    private static final Pattern SEGMENT_KEY = Pattern.compile("[a-z0-9][a-z0-9_.-]*");
    /** Seed 003's kebab-case or dotted words, as the command-service takes them, e.g. {@code pricing-display-test}. */
    private static final Pattern EXPERIMENT_KEY = Pattern.compile("[a-z0-9][a-z0-9_-]*(\\.[a-z0-9][a-z0-9_-]*)*");
    /** A tracked event's key, as the tracking API takes it, e.g. {@code booking_confirmed}. */
    private static final Pattern EVENT_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    public static final int MAX_EXPERIMENT_KEY = 100;
    public static final int MAX_FLAG_KEY = 128;
    public static final int MAX_ENVIRONMENT = 64;
    public static final int MAX_SEGMENT_KEY = 128;

    private Names() {
    }

    public static String environment(String environment, String field) {
        if (environment == null || environment.length() > MAX_ENVIRONMENT || !ENVIRONMENT.matcher(environment).matches()) {
            throw new QueryException(QueryErrorCode.INVALID_ENVIRONMENT, field, "environment '" + abbreviate(environment)
                    + "' is not a valid name: lowercase letters, digits, '_' and '-', at most " + MAX_ENVIRONMENT
                    + " characters, e.g. production");
        }
        return environment;
    }

    public static String flagKey(String key, String field) {
        if (key == null || key.length() > MAX_FLAG_KEY || !FLAG_KEY.matcher(key).matches()) {
            throw new QueryException(QueryErrorCode.INVALID_FLAG_KEY, field, "flag key '" + abbreviate(key)
                    + "' is not dot notation: lowercase letters, digits, '_' and '-' in two or more parts joined by dots,"
                    + " at most " + MAX_FLAG_KEY + " characters, e.g. checkout.new_ui");
        }
        return key;
    }

    public static String segmentKey(String key, String field) {
        if (key == null || key.length() > MAX_SEGMENT_KEY || !SEGMENT_KEY.matcher(key).matches()) {
            throw new QueryException(QueryErrorCode.INVALID_SEGMENT_KEY, field, "segment key '" + abbreviate(key)
                    + "' is not a valid name: lowercase letters, digits, '_', '.' and '-', at most " + MAX_SEGMENT_KEY
                    + " characters, e.g. beta-users");
        }
        return key;
    }

    public static String experimentKey(String key, String field) {
        if (!isExperimentKey(key)) {
            throw new QueryException(QueryErrorCode.INVALID_EXPERIMENT_KEY, field, "experiment key '" + abbreviate(key)
                    + "' is not a valid name: lowercase letters, digits, '_' and '-', optionally in parts joined by dots, at most "
                    + MAX_EXPERIMENT_KEY + " characters, e.g. pricing-display-test");
        }
        return key;
    }

    /** A rollout plan's key, e.g. {@code seed-001-rollout}: the same rules as an experiment's key. */
    public static String planKey(String key, String field) {
        if (!isPlanKey(key)) {
            throw new QueryException(QueryErrorCode.INVALID_PLAN_KEY, field, "plan key '" + abbreviate(key)
                    + "' is not a valid name: lowercase letters, digits, '_' and '-', optionally in parts joined by dots, at most "
                    + MAX_EXPERIMENT_KEY + " characters, e.g. seed-001-rollout");
        }
        return key;
    }

    public static boolean isPlanKey(String key) {
        return isExperimentKey(key);
    }

    public static boolean isExperimentKey(String key) {
        return key != null && key.length() <= MAX_EXPERIMENT_KEY && EXPERIMENT_KEY.matcher(key).matches();
    }

    /** True for a tracked event key the tracking API accepts. */
    public static boolean isEventKey(String key) {
        return key != null && EVENT_KEY.matcher(key).matches();
    }

    /** True for a name {@link #environment} accepts (for readers that skip rather than refuse). */
    public static boolean isEnvironment(String environment) {
        return environment != null && environment.length() <= MAX_ENVIRONMENT && ENVIRONMENT.matcher(environment).matches();
    }

    /** True for a key {@link #flagKey} accepts. */
    public static boolean isFlagKey(String key) {
        return key != null && key.length() <= MAX_FLAG_KEY && FLAG_KEY.matcher(key).matches();
    }

    /** A value a client sent, short enough to quote back. */
    public static String abbreviate(String text) {
        String value = String.valueOf(text);
        return value.length() <= 80 ? value : value.substring(0, 80) + "...";
    }
}
