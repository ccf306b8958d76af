package io.flagplane.reporting;

import io.flagplane.avro.AppliedVersion;
import io.flagplane.avro.EvaluatorReport;
import io.flagplane.avro.FlagUsage;
import io.flagplane.avro.VariantCount;
import io.flagplane.contract.FlagRef;
import io.flagplane.ruleset.UsageCounters;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes the reports of one evaluator: numbers them (1 for the first of the process, then +1 each),
 * keeps the usage window (each report's usage runs from the previous report's instant), and splits
 * a report whose applied versions and usage entries are more than {@code maxEntries} into several
 * (same instant and window, consecutive sequence numbers), so that a cold start with ten thousand
 * flags never makes a record bigger than Kafka takes. Reporter thread only.
 */
final class ReportBuilder {

    private final EvaluatorIdentity identity;
    private final int heartbeatMs;
    private final int maxEntries;
    private long sequence;
    private Instant usageSince;

    ReportBuilder(EvaluatorIdentity identity, int heartbeatMs, int maxEntries) {
        this.identity = identity;
        this.heartbeatMs = heartbeatMs;
        this.maxEntries = maxEntries;
        this.usageSince = identity.startedAt();
    }

    /** The usage counted since the last harvest, one entry per flag, variants in the order first met. */
    static List<FlagUsage> harvest(UsageCounters counters) {
        Map<FlagRef, List<VariantCount>> byFlag = new LinkedHashMap<>();
        counters.harvest((environment, flagKey, variant, count) ->
                byFlag.computeIfAbsent(new FlagRef(environment, flagKey), ref -> new ArrayList<>())
                        .add(new VariantCount(variant, count)));
        List<FlagUsage> out = new ArrayList<>(byFlag.size());
        byFlag.forEach((ref, variants) -> out.add(new FlagUsage(ref.environment(), ref.key(), variants)));
        return out;
    }

    /** One report, or several when there is more to say than one may hold; never none. */
    List<EvaluatorReport> build(Instant now, ReportState state, List<AppliedVersion> applied, List<FlagUsage> usage,
                                long droppedSinceStart) {
        List<EvaluatorReport> reports = new ArrayList<>();
        int a = 0;
        int u = 0;
        do {
            int room = maxEntries;
            int appliedEnd = Math.min(applied.size(), a + room);
            room -= appliedEnd - a;
            int usageEnd = Math.min(usage.size(), u + room);
            reports.add(report(now, state, applied.subList(a, appliedEnd), usage.subList(u, usageEnd), droppedSinceStart));
            a = appliedEnd;
            u = usageEnd;
        } while (a < applied.size() || u < usage.size());
        usageSince = now;
        return reports;
    }

    private EvaluatorReport report(Instant now, ReportState state, List<AppliedVersion> applied, List<FlagUsage> usage,
                                   long dropped) {
        return EvaluatorReport.newBuilder()
                .setNodeId(identity.nodeId())
                .setKind(identity.kind())
                .setHost(identity.host())
                .setEnvironments(identity.environments())
                .setSoftwareVersion(identity.softwareVersion())
                .setContractFingerprint(identity.contractFingerprint())
                .setStartedAt(identity.startedAt())
                .setReportedAt(now)
                .setSequence(++sequence)
                .setHeartbeatMs(heartbeatMs)
                .setStatus(state.status())
                .setStaleSince(state.staleSince())
                .setLagRecords(state.lagRecords())
                .setApplied(List.copyOf(applied))
                .setUsageSince(usageSince)
                .setUsage(List.copyOf(usage))
                .setDroppedSinceStart(dropped)
                .build();
    }
}
