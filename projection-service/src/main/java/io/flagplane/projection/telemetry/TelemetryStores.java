package io.flagplane.projection.telemetry;

/**
 * The names and key formats of the stores the evaluator reports are folded into. Kept in one
 * place because the fold writes them and the queries read them.
 *
 * <p>{@value #EVALUATORS}, {@value #APPLIED} and {@value #USAGE} are partitioned like
 * {@code evaluator-reports} (by node id): one node's reports are folded in one place, in order,
 * and each instance holds the share of the nodes on its partitions. {@value #FLAG_STATES} is a
 * global copy of {@code flag-state} on every instance (for the latency of an applied version and
 * for listing flags by lifecycle status without asking every instance).
 */
public final class TelemetryStores {

    /** Node id → {@link EvaluatorEntry}. */
    public static final String EVALUATORS = "evaluators";
    /** {@link #appliedKey} → {@link AppliedVersions} of one node for one flag. */
    public static final String APPLIED = "evaluator-applied";
    /** {@code environment/flagKey} → {@link UsageEntry}: this partition's nodes' evaluations of the flag. */
    public static final String USAGE = "flag-usage";
    /** {@code environment/flagKey} → the {@code flag-state} record as it is on the topic. */
    public static final String FLAG_STATES = "flag-states-global";

    /** Separates the node id from the flag in {@link #APPLIED} keys; node ids never hold it. */
    private static final char SEPARATOR = '\u0000';

    private TelemetryStores() {
    }

    public static String appliedKey(String nodeId, String stateKey) {
        return nodeId + SEPARATOR + stateKey;
    }

    /** The first key of a node's applied versions (inclusive). */
    public static String appliedFrom(String nodeId) {
        return nodeId + SEPARATOR;
    }

    /** Just past a node's applied versions (exclusive). */
    public static String appliedTo(String nodeId) {
        return nodeId + (char) (SEPARATOR + 1);
    }

    /** The first {@code environment/…} key of an environment (inclusive). */
    public static String environmentFrom(String environment) {
        return environment + '/';
    }

    /** Just past an environment's keys ('0' follows '/'; environment names never hold '/'). */
    public static String environmentTo(String environment) {
        return environment + '0';
    }
}
