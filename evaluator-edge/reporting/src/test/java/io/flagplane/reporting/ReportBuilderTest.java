package io.flagplane.reporting;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.AppliedVersion;
import io.flagplane.avro.EvaluatorKind;
import io.flagplane.avro.EvaluatorReport;
import io.flagplane.avro.EvaluatorStatus;
import io.flagplane.avro.FlagUsage;
import io.flagplane.avro.VariantCount;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ReportBuilderTest {

    private static final Instant STARTED = Instant.parse("2026-11-21T09:00:00Z");
    private static final EvaluatorIdentity IDENTITY = new EvaluatorIdentity("node-1", EvaluatorKind.EDGE_NODE, "host-a",
            List.of("*"), "1.2.3", EvaluatorIdentity.CONTRACT_FINGERPRINT, STARTED);
    private static final ReportState CURRENT = new ReportState(EvaluatorStatus.CURRENT, null, 0L);

    private static List<AppliedVersion> applied(int n) {
        return IntStream.range(0, n).mapToObj(i -> new AppliedVersion("production", "f" + i, 1L, STARTED)).toList();
    }

    private static List<FlagUsage> usage(int n) {
        return IntStream.range(0, n).mapToObj(i -> new FlagUsage("production", "f" + i, List.of(new VariantCount("on", 1L))))
                .toList();
    }

    @Test
    void reports_are_numbered_from_one_and_each_usage_window_starts_where_the_last_ended() {
        ReportBuilder builder = new ReportBuilder(IDENTITY, 5_000, 100);
        EvaluatorReport first = builder.build(STARTED.plusSeconds(5), CURRENT, List.of(), List.of(), 0).get(0);
        EvaluatorReport second = builder.build(STARTED.plusSeconds(10), CURRENT, List.of(), List.of(), 0).get(0);

        assertThat(first.getSequence()).isEqualTo(1);
        assertThat(first.getUsageSince()).isEqualTo(STARTED);
        assertThat(second.getSequence()).isEqualTo(2);
        assertThat(second.getUsageSince()).isEqualTo(STARTED.plusSeconds(5));
        assertThat(second.getReportedAt()).isEqualTo(STARTED.plusSeconds(10));
        assertThat(second.getNodeId()).isEqualTo("node-1");
        assertThat(second.getHeartbeatMs()).isEqualTo(5_000);
        assertThat(second.getEnvironments()).containsExactly("*");
        assertThat(second.getContractFingerprint()).hasSize(16);
    }

    @Test
    void more_entries_than_one_report_holds_are_split_into_consecutive_reports_losing_nothing() {
        ReportBuilder builder = new ReportBuilder(IDENTITY, 5_000, 100);
        List<EvaluatorReport> parts = builder.build(STARTED.plusSeconds(1), CURRENT, applied(230), usage(50), 0);

        assertThat(parts).hasSize(3);
        assertThat(parts).extracting(EvaluatorReport::getSequence).containsExactly(1L, 2L, 3L);
        assertThat(parts).allSatisfy(r -> assertThat(r.getApplied().size() + r.getUsage().size()).isLessThanOrEqualTo(100));
        List<AppliedVersion> allApplied = new ArrayList<>();
        List<FlagUsage> allUsage = new ArrayList<>();
        parts.forEach(r -> {
            allApplied.addAll(r.getApplied());
            allUsage.addAll(r.getUsage());
        });
        assertThat(allApplied).isEqualTo(applied(230));
        assertThat(allUsage).isEqualTo(usage(50));
        assertThat(parts).extracting(EvaluatorReport::getUsageSince).containsOnly(STARTED);
    }

    @Test
    void a_stale_state_carries_since_when_and_a_stopping_one_does_not() {
        ReportBuilder builder = new ReportBuilder(IDENTITY, 5_000, 100);
        ReportState stale = new ReportState(EvaluatorStatus.STALE, STARTED.plusSeconds(3), null);
        EvaluatorReport report = builder.build(STARTED.plusSeconds(5), stale, List.of(), List.of(), 7).get(0);
        EvaluatorReport last = builder.build(STARTED.plusSeconds(6), stale.stopping(), List.of(), List.of(), 7).get(0);

        assertThat(report.getStatus()).isEqualTo(EvaluatorStatus.STALE);
        assertThat(report.getStaleSince()).isEqualTo(STARTED.plusSeconds(3));
        assertThat(report.getLagRecords()).isNull();
        assertThat(report.getDroppedSinceStart()).isEqualTo(7);
        assertThat(last.getStatus()).isEqualTo(EvaluatorStatus.STOPPING);
        assertThat(last.getStaleSince()).isNull();
    }
}
