package io.flagplane.reporting;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How an evaluator reports back on {@code evaluator-reports}.
 *
 * @param enabled             off: no reporter, no producer, and no usage counters in the ruleset
 * @param nodeId              the node id to report under; null lets the evaluator choose (see {@link NodeIds})
 * @param heartbeat           the longest time between two reports
 * @param coalesce            how long a report waits after a change for more changes to join it
 * @param maxReportsPerSecond the most reports sent in a second, however fast changes arrive
 * @param producerOverrides   extra Kafka producer properties (security settings, say)
 */
public record ReportingSettings(boolean enabled, String nodeId, Duration heartbeat, Duration coalesce,
                                int maxReportsPerSecond, Map<String, Object> producerOverrides) {

    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_COALESCE = Duration.ofMillis(50);
    public static final int DEFAULT_MAX_REPORTS_PER_SECOND = 10;

    public ReportingSettings {
        Objects.requireNonNull(heartbeat, "heartbeat");
        Objects.requireNonNull(coalesce, "coalesce");
        if (heartbeat.toMillis() < 1 || heartbeat.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the report heartbeat must be between 1 ms and about 24 days: " + heartbeat);
        }
        if (coalesce.isNegative()) {
            throw new IllegalArgumentException("the report coalescing delay must not be negative: " + coalesce);
        }
        if (maxReportsPerSecond < 1) {
            throw new IllegalArgumentException("at least one report per second must be allowed: " + maxReportsPerSecond);
        }
        nodeId = nodeId == null || nodeId.isBlank() ? null : NodeIds.checked(nodeId.trim());
        producerOverrides = Map.copyOf(producerOverrides);
    }

    public static ReportingSettings defaults() {
        return new ReportingSettings(true, null, DEFAULT_HEARTBEAT, DEFAULT_COALESCE, DEFAULT_MAX_REPORTS_PER_SECOND, Map.of());
    }

    public static ReportingSettings disabled() {
        return defaults().withEnabled(false);
    }

    public ReportingSettings withEnabled(boolean on) {
        return new ReportingSettings(on, nodeId, heartbeat, coalesce, maxReportsPerSecond, producerOverrides);
    }

    public ReportingSettings withNodeId(String id) {
        return new ReportingSettings(enabled, id, heartbeat, coalesce, maxReportsPerSecond, producerOverrides);
    }

    public ReportingSettings withHeartbeat(Duration interval) {
        return new ReportingSettings(enabled, nodeId, interval, coalesce, maxReportsPerSecond, producerOverrides);
    }

    public ReportingSettings withCoalesce(Duration delay) {
        return new ReportingSettings(enabled, nodeId, heartbeat, delay, maxReportsPerSecond, producerOverrides);
    }

    public ReportingSettings withMaxReportsPerSecond(int max) {
        return new ReportingSettings(enabled, nodeId, heartbeat, coalesce, max, producerOverrides);
    }

    public ReportingSettings withProducerOverrides(Map<String, Object> overrides) {
        return new ReportingSettings(enabled, nodeId, heartbeat, coalesce, maxReportsPerSecond, overrides);
    }
}
