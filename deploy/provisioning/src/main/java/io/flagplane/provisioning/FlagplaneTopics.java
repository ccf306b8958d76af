package io.flagplane.provisioning;

import io.flagplane.contract.TopicNames;
import io.flagplane.contract.Topics;
import java.util.List;
import java.util.Map;

/** The definition of every Flagplane topic. */
public final class FlagplaneTopics {

    private FlagplaneTopics() {
    }

    /** The event log and the state topics of one installation. */
    public static List<TopicSpec> flagTopics(TopicNames names, ProvisioningSettings settings) {
        return List.of(flagEvents(names, settings), flagState(names, settings), segmentState(names, settings),
                deadLetters(names, settings), evaluatorReports(names, settings), commandLeader(names, settings),
                flagNotices(names, settings), flagExposures(names, settings), trackingEvents(names, settings),
                releaseSignals(names, settings));
    }

    /** Append-only, kept forever: the source of truth that every projection is rebuilt from. */
    public static TopicSpec flagEvents(TopicNames names, ProvisioningSettings settings) {
        return new TopicSpec(names.flagEvents(), settings.partitions(), settings.replicationFactor(), Map.of(
                "cleanup.policy", "delete",
                "retention.ms", "-1",
                "retention.bytes", "-1",
                "min.insync.replicas", String.valueOf(settings.minInsyncReplicas()),
                "unclean.leader.election.enable", "false"));
    }

    /**
     * Compacted: the latest state per flag. Same partition count as the events, so a flag's key
     * lands on the same partition number in both.
     */
    public static TopicSpec flagState(TopicNames names, ProvisioningSettings settings) {
        return new TopicSpec(names.flagState(), settings.partitions(), settings.replicationFactor(), Map.of(
                "cleanup.policy", "compact",
                "min.insync.replicas", String.valueOf(settings.minInsyncReplicas()),
                "unclean.leader.election.enable", "false"));
    }

    /** Compacted: the latest state per segment, read by every evaluator beside {@code flag-state}. */
    public static TopicSpec segmentState(TopicNames names, ProvisioningSettings settings) {
        return new TopicSpec(names.segmentState(), settings.partitions(), settings.replicationFactor(), Map.of(
                "cleanup.policy", "compact",
                "min.insync.replicas", String.valueOf(settings.minInsyncReplicas()),
                "unclean.leader.election.enable", "false"));
    }

    /** Undecodable events, copied aside by the projection for a human to look at; kept 30 days. */
    public static TopicSpec deadLetters(TopicNames names, ProvisioningSettings settings) {
        return new TopicSpec(names.deadLetters(), 1, settings.replicationFactor(), Map.of(
                "cleanup.policy", "delete",
                "retention.ms", String.valueOf(30L * 24 * 60 * 60 * 1000),
                "min.insync.replicas", String.valueOf(settings.minInsyncReplicas())));
    }

    /**
     * Evaluator telemetry: every evaluator's heartbeats, applied versions and usage. Deleted after 7
     * days (the projection keeps what it folded); keyed by node id, so one node's reports stay in
     * order. Losing a report costs a late count, never a wrong ruleset, so a single in-sync
     * replica is enough to accept one: an evaluator keeps reporting while the cluster is degraded.
     */
    public static TopicSpec evaluatorReports(TopicNames names, ProvisioningSettings settings) {
        return new TopicSpec(names.evaluatorReports(), settings.partitions(), settings.replicationFactor(), Map.of(
                "cleanup.policy", "delete",
                "retention.ms", String.valueOf(7L * 24 * 60 * 60 * 1000),
                "min.insync.replicas", "1"));
    }

    /**
     * The command-service's leader election: one partition, owned by the active writer through a
     * consumer group. Nothing is written to it; compacted so that nothing written by mistake piles up.
     */
    public static TopicSpec commandLeader(TopicNames names, ProvisioningSettings settings) {
        return new TopicSpec(names.commandLeader(), 1, settings.replicationFactor(), Map.of(
                "cleanup.policy", "compact",
                "min.insync.replicas", String.valueOf(settings.minInsyncReplicas())));
    }

    /**
     * Notices the projection derives about flags (a flag became potentially stale), read by the live
     * event stream; kept 30 days, like the dead letters. Keyed like {@code flag-state}.
     */
    public static TopicSpec flagNotices(TopicNames names, ProvisioningSettings settings) {
        return new TopicSpec(names.flagNotices(), settings.partitions(), settings.replicationFactor(), Map.of(
                "cleanup.policy", "delete",
                "retention.ms", String.valueOf(30L * 24 * 60 * 60 * 1000),
                "min.insync.replicas", String.valueOf(settings.minInsyncReplicas())));
    }

    /**
     * Exposures to running experiments, from every evaluator. Kept 90 days: the projection rebuilds an
     * experiment's results from it (and from {@code tracking-events}), so retention bounds how far back a
     * rebuild reaches. Keyed by user and partitioned like {@code tracking-events}, so the two join on one
     * partition. Like the reports, one in-sync replica accepts a record: losing one costs a count.
     */
    public static TopicSpec flagExposures(TopicNames names, ProvisioningSettings settings) {
        return telemetry(names.flagExposures(), settings);
    }

    /** What users did ({@code track()}), for experiments and guardrails: as {@link #flagExposures}. */
    public static TopicSpec trackingEvents(TopicNames names, ProvisioningSettings settings) {
        return telemetry(names.trackingEvents(), settings);
    }

    /**
     * The projection's guardrail verdicts, read by the release controller. Kept 7 days, keyed by plan.
     * A lost verdict only delays a decision by one evaluation interval (the next one says the same),
     * so, like telemetry, one in-sync replica accepts a record: guardrails keep working while the
     * cluster is degraded, which is when a rollback matters most.
     */
    public static TopicSpec releaseSignals(TopicNames names, ProvisioningSettings settings) {
        return new TopicSpec(names.releaseSignals(), settings.partitions(), settings.replicationFactor(), Map.of(
                "cleanup.policy", "delete",
                "retention.ms", String.valueOf(7L * 24 * 60 * 60 * 1000),
                "min.insync.replicas", "1"));
    }

    private static TopicSpec telemetry(String topic, ProvisioningSettings settings) {
        return new TopicSpec(topic, settings.partitions(), settings.replicationFactor(), Map.of(
                "cleanup.policy", "delete",
                "retention.ms", String.valueOf(90L * 24 * 60 * 60 * 1000),
                "min.insync.replicas", "1"));
    }

    /** The embedded schema registry's store: compacted, one partition (a total order of registrations). */
    public static TopicSpec schemas(String topic, ProvisioningSettings settings) {
        return new TopicSpec(topic, 1, settings.replicationFactor(), Map.of(
                "cleanup.policy", "compact",
                "min.insync.replicas", String.valueOf(settings.minInsyncReplicas()),
                "unclean.leader.election.enable", "false"));
    }

    /** Everything one installation needs, the schema topic under its default name. */
    public static List<TopicSpec> all(TopicNames names, ProvisioningSettings settings) {
        return List.of(flagEvents(names, settings), flagState(names, settings), segmentState(names, settings),
                deadLetters(names, settings), evaluatorReports(names, settings), commandLeader(names, settings),
                flagNotices(names, settings), flagExposures(names, settings), trackingEvents(names, settings),
                releaseSignals(names, settings), schemas(Topics.SCHEMAS, settings));
    }
}
