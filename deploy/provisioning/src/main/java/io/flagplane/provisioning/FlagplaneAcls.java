package io.flagplane.provisioning;

import io.flagplane.contract.TopicNames;
import io.flagplane.contract.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The least-privilege ACLs of every Flagplane principal, in one place: what each service reads and
 * writes, and nothing more. {@code flagplane acls} creates them; {@code docs/SECURITY.md} shows
 * them as a table rendered from here (a test keeps the two equal).
 *
 * <p>Only ALLOW entries are made; with the brokers' {@code allow.everyone.if.no.acl.found=false}
 * (the default) everything else is denied. Read, write and the others imply describe in Kafka, so
 * describe is never listed on its own. An idempotent producer needs no cluster
 * {@code IDEMPOTENT_WRITE}: write on a topic is enough (KIP-679).
 */
public final class FlagplaneAcls {


    /** Who runs as a principal of its own. */
    public enum Role {
        /** The command-service: the only writer of {@code flag-events}. */
        COMMAND,
        /** The projection-service (Kafka Streams). */
        PROJECTION,
        /** An edge node. */
        EDGE,
        /** An application using the Java SDK or the OpenFeature provider (one principal per application is best). */
        SDK,
        /** The embedded schema registry. */
        REGISTRY,
        /** The replay tool ({@code flagplane replay}), run by an auditor. */
        REPLAY
    }

    /**
     * The names the ACLs are for: the installation's topics, the registry's topic, the
     * command-service's transactional id (also its election's group) and the projection's
     * application id (also its group and the prefix of its internal topics).
     */
    public record Names(TopicNames topics, String schemaTopic, String transactionalId, String applicationId) {
        public Names {
            Objects.requireNonNull(topics, "topics");
            Objects.requireNonNull(schemaTopic, "schemaTopic");
            Objects.requireNonNull(transactionalId, "transactionalId");
            Objects.requireNonNull(applicationId, "applicationId");
        }

        public static Names defaults() {
            return of("", Topics.SCHEMAS, "flagplane-command-service", "flagplane-projection");
        }

        public static Names of(String topicPrefix, String schemaTopic, String transactionalId, String applicationId) {
            return new Names(TopicNames.withPrefix(topicPrefix), schemaTopic, transactionalId, applicationId);
        }
    }

    /** One ACL of a role, before it is given a principal: a resource and what may be done to it. */
    public record Grant(ResourceType type, String name, PatternType pattern, AclOperation operation, String why) {
        public AclBinding binding(String principal) {
            return new AclBinding(new ResourcePattern(type, name, pattern),
                    new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
        }
    }

    private FlagplaneAcls() {
    }

    /** What {@code role} needs, and why. */
    public static List<Grant> grants(Role role, Names n) {
        TopicNames t = n.topics();
        List<Grant> g = new ArrayList<>();
        switch (role) {
            case COMMAND -> {
                topic(g, t.flagEvents(), AclOperation.WRITE, "writes every event, in transactions");
                topic(g, t.flagEvents(), AclOperation.READ, "reads the log back into its write model");
                topic(g, t.commandLeader(), AclOperation.READ, "the leader election's consumer group subscribes to it");
                topic(g, t.releaseSignals(), AclOperation.READ, "the release controller reads the guardrail verdicts");
                g.add(new Grant(ResourceType.GROUP, n.transactionalId(), PatternType.LITERAL, AclOperation.READ,
                        "the leader election's group"));
                g.add(new Grant(ResourceType.TRANSACTIONAL_ID, n.transactionalId(), PatternType.LITERAL, AclOperation.WRITE,
                        "its transactional id: commits, and fencing an older writer"));
            }
            case PROJECTION -> {
                topic(g, t.flagEvents(), AclOperation.READ, "folds the events; the live event stream reads them");
                topic(g, t.flagState(), AclOperation.WRITE, "writes the current state of every flag");
                topic(g, t.flagState(), AclOperation.READ, "the evaluator-report fold reads it as a global table");
                topic(g, t.segmentState(), AclOperation.WRITE, "writes the current state of every segment");
                topic(g, t.deadLetters(), AclOperation.WRITE, "copies undecodable events aside");
                topic(g, t.flagNotices(), AclOperation.WRITE, "announces potentially stale flags");
                topic(g, t.flagNotices(), AclOperation.READ, "the live event stream reads the notices");
                topic(g, t.evaluatorReports(), AclOperation.READ, "folds evaluator reports (registry, propagation, usage)");
                topic(g, t.flagExposures(), AclOperation.READ, "folds exposures into experiment metrics");
                topic(g, t.trackingEvents(), AclOperation.READ, "folds tracking events into experiment and guardrail metrics");
                topic(g, t.releaseSignals(), AclOperation.WRITE, "publishes the guardrail verdicts of running rollout plans");
                g.add(new Grant(ResourceType.TOPIC, n.applicationId() + "-", PatternType.PREFIXED, AclOperation.ALL,
                        "Kafka Streams' internal topics (changelogs, repartitions): create, read, write, delete records, configs"));
                g.add(new Grant(ResourceType.GROUP, n.applicationId(), PatternType.LITERAL, AclOperation.READ,
                        "Kafka Streams' consumer group (its application id)"));
                g.add(new Grant(ResourceType.GROUP, n.applicationId() + "-telemetry", PatternType.LITERAL, AclOperation.READ,
                        "the consumer group of its telemetry application (reports, experiments), apart from the fold's"));
            }
            case EDGE, SDK -> {
                topic(g, t.flagState(), AclOperation.READ, "tails the flags");
                topic(g, t.segmentState(), AclOperation.READ, "tails the segments");
                topic(g, t.evaluatorReports(), AclOperation.WRITE, "reports what it applied and served");
                topic(g, t.flagExposures(), AclOperation.WRITE, "logs exposures for experiments");
                topic(g, t.trackingEvents(), AclOperation.WRITE, "sends track() events");
            }
            case REGISTRY -> {
                topic(g, n.schemaTopic(), AclOperation.READ, "rebuilds its state from the topic, and tails it");
                topic(g, n.schemaTopic(), AclOperation.WRITE, "stores each registration");
                topic(g, n.schemaTopic(), AclOperation.CREATE, "creates its topic when it is missing");
                topic(g, n.schemaTopic(), AclOperation.DESCRIBE_CONFIGS, "checks its topic is compacted");
            }
            case REPLAY -> {
                topic(g, t.flagEvents(), AclOperation.READ, "rebuilds from offset zero");
                g.add(new Grant(ResourceType.TOPIC, n.applicationId() + "-", PatternType.PREFIXED, AclOperation.READ,
                        "compares with the live projection's changelogs"));
                // nothing else: the rebuild reads with plain consumers (no group) and writes no topic
            }
            default -> throw new IllegalArgumentException("no ACLs for " + role);
        }
        return List.copyOf(g);
    }

    private static void topic(List<Grant> grants, String topic, AclOperation operation, String why) {
        grants.add(new Grant(ResourceType.TOPIC, topic, PatternType.LITERAL, operation, why));
    }

    /** Every role's grants with the default names, as the Markdown table in {@code docs/SECURITY.md}. */
    public static String markdownTable(Names names) {
        StringBuilder out = new StringBuilder();
        out.append("| principal (role) | resource | pattern | operation | why |\n");
        out.append("|---|---|---|---|---|\n");
        for (Role role : Role.values()) {
            for (Grant grant : grants(role, names)) {
                out.append("| ").append(role.name().toLowerCase(java.util.Locale.ROOT)).append(" | ")
                        .append(grant.type().name()).append(" `").append(grant.name()).append("` | ")
                        .append(grant.pattern().name()).append(" | ").append(grant.operation().name()).append(" | ")
                        .append(grant.why()).append(" |\n");
            }
        }
        return out.toString();
    }
}
