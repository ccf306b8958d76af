package io.flagplane.projection.telemetry;

import java.util.List;

/**
 * One evaluator as the registry keeps it: what its latest report said, and when it was last
 * seen. Instants are epoch milliseconds (this record is also what instances exchange). Liveness
 * (live, stale, gone) is not stored: it depends on the clock at the time of the question.
 *
 * @param lastSeenMs     the latest report's {@code reportedAt}, never later than the projection's
 *                       clock when it was folded (an evaluator's clock running ahead cannot keep it alive)
 * @param status         the evaluator's own word: {@code CURRENT}, {@code STALE}, {@code FROM_SNAPSHOT} or {@code STOPPING}
 * @param flagsTracked   how many flags this node has applied versions kept for (bounded)
 * @param droppedEntries applied and usage entries of this node's reports the fold dropped (caps)
 */
public record EvaluatorEntry(String nodeId, String kind, String host, List<String> environments, String softwareVersion,
                             String contractFingerprint, long startedAtMs, long firstSeenMs, long lastSeenMs, long sequence,
                             int heartbeatMs, String status, Long staleSinceMs, Long lagRecords, long droppedSinceStart,
                             int flagsTracked, long droppedEntries) {

    public static final String STOPPING = "STOPPING";

    public EvaluatorEntry {
        environments = List.copyOf(environments);
    }

    /** True when the node serves {@code environment}: named, or {@code *} (every environment). */
    public boolean serves(String environment) {
        return environments.contains(environment) || environments.contains("*");
    }
}
