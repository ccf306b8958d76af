package io.flagplane.command.domain;

import java.util.regex.Pattern;

/**
 * The rules for names users choose: flag keys, environments, variant keys, tags, segment and
 * experiment keys, and the keys of tracked events that experiments measure.
 */
public final class Names {

    /** Dot notation: two or more lowercase segments, e.g. {@code checkout.new_ui}, {@code booking.enabled}. */
    private static final Pattern FLAG_KEY = Pattern.compile("[a-z0-9][a-z0-9_-]*(\\.[a-z0-9][a-z0-9_-]*)+");
    private static final Pattern ENVIRONMENT = Pattern.compile("[a-z0-9][a-z0-9_-]*");
    private static final Pattern VARIANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    private static final Pattern TAG = Pattern.compile("[a-z0-9][a-z0-9_.:-]*");
    /** Segments: lowercase words joined by '-', '_' or '.', e.g. {@code beta-users}, {@code tiers.paying}. */
    private static final Pattern SEGMENT = Pattern.compile("[a-z0-9][a-z0-9_.-]*");
    public static final int MAX_SEGMENT = 128;
    /**
     * Experiments: seed 003's kebab-case ({@code pricing-display-test}), or dotted words; one or more
     * lowercase segments joined by dots, so that {@code experiment.} + the key is always a valid flag key.
     */
    private static final Pattern EXPERIMENT = Pattern.compile("[a-z0-9][a-z0-9_-]*(\\.[a-z0-9][a-z0-9_-]*)*");
    public static final int MAX_EXPERIMENT = 100;
    /**
     * Rollout plans, their steps and guardrails: lowercase words joined by '-', '_' or '.', e.g.
     * {@code action-plan-rollout}, {@code beta}, {@code error-rate}.
     */
    private static final Pattern PLAN_NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]*");
    public static final int MAX_PLAN_KEY = 100;
    public static final int MAX_PLAN_PART = 64;
    /** The key of a tracked event ({@code track()}): {@link io.flagplane.contract.TrackedEvents#KEY}, shared with the evaluators. */
    public static final Pattern TRACKED_EVENT_KEY = io.flagplane.contract.TrackedEvents.KEY;

    public static final int MAX_FLAG_KEY = 128;
    public static final int MAX_ENVIRONMENT = 64;
    public static final int MAX_VARIANT = 64;
    public static final int MAX_TAG = 64;

    private Names() {
    }

    public static void checkFlagKey(String key, String field) {
        if (key == null || key.isEmpty()) {
            throw new CommandException(ErrorCode.INVALID_FLAG_KEY, field, "a flag key is required");
        }
        if (key.length() > MAX_FLAG_KEY || !FLAG_KEY.matcher(key).matches()) {
            throw new CommandException(ErrorCode.INVALID_FLAG_KEY, field, "flag key '" + abbreviate(key)
                    + "' is not dot notation: use lowercase letters, digits, '_' and '-' in two or more segments joined"
                    + " by dots, e.g. checkout.new_ui (at most " + MAX_FLAG_KEY + " characters)");
        }
    }

    public static void checkEnvironment(String environment) {
        if (environment == null || environment.length() > MAX_ENVIRONMENT || !ENVIRONMENT.matcher(environment).matches()) {
            throw new CommandException(ErrorCode.INVALID_ENVIRONMENT, "environment", "environment '"
                    + abbreviate(String.valueOf(environment)) + "' is not allowed: use lowercase letters, digits, '_' and '-'"
                    + " (at most " + MAX_ENVIRONMENT + " characters), e.g. production");
        }
    }

    public static void checkSegmentKey(String key, String field) {
        if (key == null || key.length() > MAX_SEGMENT || !SEGMENT.matcher(key).matches()) {
            throw CommandException.invalid(field, "segment key '" + abbreviate(String.valueOf(key))
                    + "' is not allowed: use lowercase letters, digits, '_', '.' and '-' (at most " + MAX_SEGMENT
                    + " characters), e.g. beta-users");
        }
    }

    public static void checkExperimentKey(String key, String field) {
        if (key == null || key.isEmpty()) {
            throw CommandException.invalid(field, "an experiment key is required");
        }
        if (key.length() > MAX_EXPERIMENT || !EXPERIMENT.matcher(key).matches()) {
            throw CommandException.invalid(field, "experiment key '" + abbreviate(key) + "' is not allowed: use lowercase"
                    + " letters, digits, '_' and '-', in words joined by dots if you like, e.g. pricing-display-test (at most "
                    + MAX_EXPERIMENT + " characters)");
        }
    }

    public static void checkPlanKey(String key, String field) {
        checkPlanName(key, field, "plan key", MAX_PLAN_KEY, "action-plan-rollout");
    }

    /** A step's or a guardrail's name within its plan. */
    public static void checkPlanPart(String name, String field, String what, String example) {
        checkPlanName(name, field, what, MAX_PLAN_PART, example);
    }

    private static void checkPlanName(String name, String field, String what, int max, String example) {
        if (name == null || name.isEmpty()) {
            throw CommandException.invalid(field, "a " + what + " is required");
        }
        if (name.length() > max || !PLAN_NAME.matcher(name).matches()) {
            throw CommandException.invalid(field, what + " '" + abbreviate(name) + "' is not allowed: use lowercase letters,"
                    + " digits, '_', '.' and '-', starting with a letter or digit, e.g. " + example + " (at most " + max
                    + " characters)");
        }
    }

    /** A tracked event's key: {@link #TRACKED_EVENT_KEY}. */
    public static void checkTrackedEventKey(String key, String field) {
        if (key == null || !TRACKED_EVENT_KEY.matcher(key).matches()) {
            throw CommandException.invalid(field, "event key '" + abbreviate(String.valueOf(key)) + "' is not allowed: 1 to 128"
                    + " letters, digits, '.', '_', ':' and '-', starting with a letter or digit, e.g. booking_confirmed");
        }
    }

    public static void checkVariantKey(String key, String field) {
        if (key == null || key.length() > MAX_VARIANT || !VARIANT.matcher(key).matches()) {
            throw CommandException.invalid(field, "variant key '" + abbreviate(String.valueOf(key))
                    + "' is not allowed: use letters, digits, '_', '.' and '-' (at most " + MAX_VARIANT + " characters)");
        }
    }

    public static void checkTag(String tag, String field) {
        if (tag == null || tag.length() > MAX_TAG || !TAG.matcher(tag).matches()) {
            throw CommandException.invalid(field, "tag '" + abbreviate(String.valueOf(tag))
                    + "' is not allowed: use lowercase letters, digits and '_', '.', ':', '-' (at most " + MAX_TAG + " characters)");
        }
    }

    static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }
}
