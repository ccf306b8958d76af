package io.flagplane.contract;

/**
 * The names of Flagplane's topics and of the registry subjects their values are registered
 * under. Configuration (partitions, retention, compaction) lives with provisioning; the names
 * live here because every reader and writer must agree on them.
 */
public final class Topics {

    /** Append-only history of every change, kept forever. Key: {@link RecordKeys}. Value: {@code FlagEvent}. */
    public static final String FLAG_EVENTS = "flag-events";

    /** Compacted current ruleset, one record per flag. Key: {@link RecordKeys}. Value: {@code FlagState}. */
    public static final String FLAG_STATE = "flag-state";

    /** Compacted current segments, one record per segment. Key: {@code environment/segmentKey}. Value: {@code SegmentState}. */
    public static final String SEGMENT_STATE = "segment-state";

    /**
     * Records of {@code flag-events} the projection could not decode, copied as they were (key,
     * value, and headers naming the source partition, offset and the reason), kept 30 days.
     */
    public static final String DEAD_LETTERS = "flag-events-dlq";

    /**
     * What each evaluator reports: applied versions, status and usage (telemetry; deleted after 7
     * days). Key: the evaluator's node id. Value: {@code EvaluatorReport}.
     */
    public static final String EVALUATOR_REPORTS = "evaluator-reports";

    /**
     * The command-service's leader election: its one partition is owned by the active writer, through
     * a consumer group of every instance. Nothing is written to it.
     */
    public static final String COMMAND_LEADER = "command-leader";

    /**
     * What the projection noticed about flags without a change (a flag became potentially stale),
     * for the live event stream; kept 30 days. Key: {@link RecordKeys}. Value: {@code FlagNotice}.
     */
    public static final String FLAG_NOTICES = "flag-notices";

    /**
     * Exposures to running experiments, logged by evaluators (telemetry, kept 90 days so that the
     * projection can rebuild an experiment's results). Key: {@link RecordKeys#ofUser}. Value: {@code Exposure}.
     */
    public static final String FLAG_EXPOSURES = "flag-exposures";

    /**
     * What users did ({@code track()}), for experiments and guardrails, kept 90 days. Key:
     * {@link RecordKeys#ofUser}, co-partitioned with {@link #FLAG_EXPOSURES}. Value: {@code TrackingEvent}.
     */
    public static final String TRACKING_EVENTS = "tracking-events";

    /**
     * The projection's guardrail verdicts for running rollout plans, one per plan and evaluation
     * interval, read by the release controller in the active command-service; kept 7 days. Key:
     * {@link RecordKeys#ofPlanEvents}. Value: {@code ReleaseSignal}.
     */
    public static final String RELEASE_SIGNALS = "release-signals";

    /** Compacted store of the embedded schema registry. */
    public static final String SCHEMAS = "_flagplane_schemas";

    private Topics() {
    }

    /** The Confluent TopicNameStrategy subject for a topic's record values. */
    public static String valueSubject(String topic) {
        return topic + "-value";
    }
}
