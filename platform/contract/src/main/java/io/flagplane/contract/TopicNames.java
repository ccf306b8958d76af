package io.flagplane.contract;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The topics one Flagplane installation uses. Production uses {@link #DEFAULT}; a prefix lets
 * several installations (or several tests) share one cluster without seeing each other's data.
 */
public record TopicNames(String flagEvents, String flagState, String segmentState, String deadLetters,
                         String evaluatorReports, String commandLeader, String flagNotices,
                         String flagExposures, String trackingEvents, String releaseSignals) {

    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]*");

    public static final TopicNames DEFAULT = withPrefix("");

    public TopicNames {
        Objects.requireNonNull(flagEvents, "flagEvents");
        Objects.requireNonNull(flagState, "flagState");
        Objects.requireNonNull(segmentState, "segmentState");
        Objects.requireNonNull(deadLetters, "deadLetters");
        Objects.requireNonNull(evaluatorReports, "evaluatorReports");
        Objects.requireNonNull(commandLeader, "commandLeader");
        Objects.requireNonNull(flagNotices, "flagNotices");
        Objects.requireNonNull(flagExposures, "flagExposures");
        Objects.requireNonNull(trackingEvents, "trackingEvents");
        Objects.requireNonNull(releaseSignals, "releaseSignals");
    }

    /** {@code prefix +} each of {@link Topics}' names; the prefix may be empty. */
    public static TopicNames withPrefix(String prefix) {
        if (prefix == null || !LEGAL.matcher(prefix).matches()) {
            throw new IllegalArgumentException("a topic prefix may hold only letters, digits, '.', '_' and '-': " + prefix);
        }
        return new TopicNames(prefix + Topics.FLAG_EVENTS, prefix + Topics.FLAG_STATE, prefix + Topics.SEGMENT_STATE,
                prefix + Topics.DEAD_LETTERS, prefix + Topics.EVALUATOR_REPORTS, prefix + Topics.COMMAND_LEADER,
                prefix + Topics.FLAG_NOTICES, prefix + Topics.FLAG_EXPOSURES, prefix + Topics.TRACKING_EVENTS,
                prefix + Topics.RELEASE_SIGNALS);
    }
}
