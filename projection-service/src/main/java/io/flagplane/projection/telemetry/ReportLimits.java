package io.flagplane.projection.telemetry;

/**
 * How much of a report the fold takes, so that a hostile or broken reporter cannot grow a store
 * without bound. What goes past a cap is dropped and counted ({@link TelemetryMetrics}), never
 * an error: telemetry is best effort, the ruleset never depends on it.
 *
 * @param appliedPerReport  applied versions read from one report (a node's first report lists every flag it loaded)
 * @param usagePerReport    usage entries read from one report
 * @param variantsPerFlag   variants counted per flag and day (a flag has a handful; more is noise)
 * @param environments      environments kept per node
 * @param nodesPerPartition evaluators registered per partition of {@code evaluator-reports}
 * @param flagsPerNode      flags whose applied versions are kept per node
 * @param versionsKept      applied versions kept per node and flag (older versions answer "applied, at or before")
 * @param usageKeysPerPartition flags with usage kept per partition
 */
public record ReportLimits(int appliedPerReport, int usagePerReport, int variantsPerFlag, int environments,
                           int nodesPerPartition, int flagsPerNode, int versionsKept, int usageKeysPerPartition) {

    public static final ReportLimits DEFAULT = new ReportLimits(20_000, 20_000, 64, 64, 10_000, 50_000, 8, 200_000);

    /** Longest node id, host, version or fingerprint kept; longer ones are cut. */
    public static final int MAX_TEXT = 256;
}
