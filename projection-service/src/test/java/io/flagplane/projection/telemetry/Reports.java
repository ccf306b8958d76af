package io.flagplane.projection.telemetry;

import io.flagplane.avro.AppliedVersion;
import io.flagplane.avro.EvaluatorKind;
import io.flagplane.avro.EvaluatorReport;
import io.flagplane.avro.EvaluatorStatus;
import io.flagplane.avro.FlagUsage;
import io.flagplane.avro.VariantCount;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A fluent {@code EvaluatorReport} for tests: {@code report("edge-1").seq(2).at(t).applied("production", "a.b", 3, t)}. */
public final class Reports {

    private final EvaluatorReport.Builder report;
    private final List<AppliedVersion> applied = new ArrayList<>();
    private final List<FlagUsage> usage = new ArrayList<>();

    private Reports(String nodeId) {
        report = EvaluatorReport.newBuilder().setNodeId(nodeId).setKind(EvaluatorKind.EDGE_NODE).setHost("host-" + nodeId)
                .setEnvironments(List.of("production")).setSoftwareVersion("0.1.0-SNAPSHOT").setContractFingerprint("c0ffee")
                .setStartedAt(Instant.parse("2026-01-01T00:00:00Z")).setReportedAt(Instant.parse("2026-01-01T00:00:00Z"))
                .setSequence(1).setHeartbeatMs(1_000).setStatus(EvaluatorStatus.CURRENT).setStaleSince(null).setLagRecords(0L)
                .setUsageSince(Instant.parse("2026-01-01T00:00:00Z"));
    }

    public static Reports report(String nodeId) {
        return new Reports(nodeId);
    }

    public Reports seq(long sequence) {
        report.setSequence(sequence);
        return this;
    }

    public Reports at(Instant reportedAt) {
        report.setReportedAt(reportedAt);
        return this;
    }

    public Reports started(Instant startedAt) {
        report.setStartedAt(startedAt);
        return this;
    }

    public Reports heartbeat(int millis) {
        report.setHeartbeatMs(millis);
        return this;
    }

    public Reports status(EvaluatorStatus status) {
        report.setStatus(status);
        return this;
    }

    public Reports kind(EvaluatorKind kind) {
        report.setKind(kind);
        return this;
    }

    public Reports environments(String... environments) {
        report.setEnvironments(List.of(environments));
        return this;
    }

    public Reports applied(String environment, String key, long version, Instant at) {
        applied.add(new AppliedVersion(environment, key, version, at));
        return this;
    }

    /** Usage of one flag: variant, count, variant, count… */
    public Reports used(String environment, String flagKey, Object... variantCounts) {
        List<VariantCount> counts = new ArrayList<>();
        for (int i = 0; i < variantCounts.length; i += 2) {
            counts.add(new VariantCount((String) variantCounts[i], ((Number) variantCounts[i + 1]).longValue()));
        }
        usage.add(new FlagUsage(environment, flagKey, counts));
        return this;
    }

    public EvaluatorReport build() {
        return report.setApplied(applied).setUsage(usage).build();
    }
}
