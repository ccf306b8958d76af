package io.flagplane.projection.telemetry;

import static io.flagplane.projection.telemetry.Reports.report;
import static io.flagplane.projection.telemetry.TelemetryDriver.START;
import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.EvaluatorKind;
import io.flagplane.avro.EvaluatorStatus;
import io.flagplane.avro.FlagState;
import io.flagplane.contract.FlagRef;
import io.flagplane.fixtures.States;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The report fold in a TopologyTestDriver, on a clock the tests move. */
class ReportFoldTest {

    private static final Liveness.Rules RULES = Liveness.Rules.DEFAULT;
    /** Before the fold's clock: an applied instant later than the fold's now is taken as now. */
    private static final Instant EARLIER = START.minusSeconds(100);
    private TelemetryDriver t = new TelemetryDriver();

    @AfterEach
    void close() {
        t.close();
    }

    private Liveness liveness(String nodeId) {
        return RULES.of(t.node(nodeId), t.clock.instant());
    }

    @Test
    void a_report_registers_its_node_with_what_it_said() {
        t.send(report("edge-1").kind(EvaluatorKind.EDGE_NODE).environments("production", "staging").heartbeat(5_000)
                .status(EvaluatorStatus.FROM_SNAPSHOT).at(START).build());

        EvaluatorEntry node = t.node("edge-1");
        assertThat(node.kind()).isEqualTo("EDGE_NODE");
        assertThat(node.host()).isEqualTo("host-edge-1");
        assertThat(node.environments()).containsExactly("production", "staging");
        assertThat(node.softwareVersion()).isEqualTo("0.1.0-SNAPSHOT");
        assertThat(node.contractFingerprint()).isEqualTo("c0ffee");
        assertThat(node.status()).isEqualTo("FROM_SNAPSHOT");
        assertThat(node.lastSeenMs()).isEqualTo(START.toEpochMilli());
        assertThat(node.lagRecords()).isZero();
        assertThat(t.metrics.folded()).isEqualTo(1);
        assertThat(t.signal.generation()).isEqualTo(1);
    }

    @Test
    void a_silent_node_is_live_for_3_heartbeats_then_stale_then_gone_after_10() {
        t.send(report("edge-1").heartbeat(1_000).at(START).build());

        t.clock.advance(Duration.ofMillis(3_000));
        assertThat(liveness("edge-1")).isEqualTo(Liveness.LIVE);
        t.clock.advance(Duration.ofMillis(1));
        assertThat(liveness("edge-1")).isEqualTo(Liveness.STALE);
        t.clock.advance(Duration.ofMillis(6_999));
        assertThat(liveness("edge-1")).isEqualTo(Liveness.STALE);
        t.clock.advance(Duration.ofMillis(1));
        assertThat(liveness("edge-1")).isEqualTo(Liveness.GONE);

        t.send(report("edge-1").seq(2).heartbeat(1_000).at(t.clock.instant()).build());
        assertThat(liveness("edge-1")).as("a report brings it back").isEqualTo(Liveness.LIVE);
    }

    @Test
    void a_stopping_report_makes_the_node_gone_at_once() {
        t.send(report("edge-1").at(START).build());
        t.send(report("edge-1").seq(2).at(START).status(EvaluatorStatus.STOPPING).build());

        assertThat(liveness("edge-1")).isEqualTo(Liveness.GONE);
    }

    @Test
    void an_evaluator_clock_running_ahead_cannot_keep_it_alive() {
        t.send(report("edge-1").heartbeat(1_000).at(START.plus(Duration.ofDays(1))).build());

        assertThat(t.node("edge-1").lastSeenMs()).isEqualTo(START.toEpochMilli());
        t.clock.advance(Duration.ofSeconds(11));
        assertThat(liveness("edge-1")).isEqualTo(Liveness.GONE);
    }

    @Test
    void applied_versions_are_kept_per_node_and_flag_newest_few_only() {
        for (int v = 1; v <= 12; v++) {
            t.send(report("edge-1").seq(v).at(START).applied("production", "checkout.new_ui", v, EARLIER.plusSeconds(v)).build());
        }

        AppliedVersions kept = t.applied("edge-1", "production", "checkout.new_ui");
        assertThat(kept.versions()).extracting(AppliedVersions.Applied::version).containsExactly(5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L);
        assertThat(kept.progress(9)).isEqualTo(new AppliedVersions.Progress(9, EARLIER.plusSeconds(9).toEpochMilli(), true));
        assertThat(kept.progress(2)).as("older than kept: applied, at or before the oldest kept")
                .isEqualTo(new AppliedVersions.Progress(5, EARLIER.plusSeconds(5).toEpochMilli(), false));
        assertThat(kept.progress(13)).isNull();
    }

    @Test
    void a_version_skipped_in_a_burst_counts_as_applied_when_a_later_one_arrived() {
        t.send(report("edge-1").at(START).applied("production", "a.b", 3, EARLIER).build());
        t.send(report("edge-1").seq(2).at(START).applied("production", "a.b", 6, EARLIER.plusSeconds(1)).build());

        assertThat(t.applied("edge-1", "production", "a.b").progress(5))
                .isEqualTo(new AppliedVersions.Progress(6, EARLIER.plusSeconds(1).toEpochMilli(), true));
    }

    @Test
    void propagation_counts_the_nodes_serving_the_environment_and_their_latency() {
        Instant written = START.minusMillis(40);
        t.send(report("edge-1").at(START).applied("production", "a.b", 7, START).build());
        t.send(report("edge-2").at(START).applied("production", "a.b", 6, START).build());
        t.send(report("edge-3").environments("staging").at(START).build());
        t.send(report("sdk-1").environments("*").kind(EvaluatorKind.SDK_CLIENT).at(START).build());

        FlagRef flag = new FlagRef("production", "a.b");
        List<NodeShare> shares = List.of("edge-1", "edge-2", "edge-3", "sdk-1").stream().map(id -> new NodeShare(t.node(id),
                t.applied(id, "production", "a.b") == null ? null : t.applied(id, "production", "a.b").progress(7))).toList();
        Propagation p = Propagation.of(flag, 7, written, shares, RULES, t.clock.instant());

        assertThat(p.expected()).as("edge-3 serves staging only").isEqualTo(3);
        assertThat(p.live()).isEqualTo(3);
        assertThat(p.applied()).isEqualTo(1);
        assertThat(p.complete()).isFalse();
        assertThat(p.pending()).extracting(n -> n.entry().nodeId()).containsExactly("edge-2", "sdk-1");
        assertThat(p.nodes().get(2).latencyMillis()).isEqualTo(40L);
    }

    @Test
    void a_repeated_report_is_folded_once_so_usage_is_never_counted_twice() {
        var once = report("edge-1").seq(5).at(START).used("production", "a.b", "on", 10, "off", 2).build();
        t.send(once);
        t.send(once);
        t.send(report("edge-1").seq(4).at(START).used("production", "a.b", "on", 99).build());

        assertThat(t.usage("production", "a.b").variantsSince(0)).isEqualTo(Map.of("on", 10L, "off", 2L));
        assertThat(t.metrics.repeated()).isEqualTo(2);
    }

    @Test
    void a_report_from_an_older_process_of_the_node_is_skipped() {
        t.send(report("edge-1").started(START).seq(1).at(START).build());
        t.send(report("edge-1").started(START.minusSeconds(60)).seq(99).at(START).build());

        assertThat(t.node("edge-1").sequence()).isEqualTo(1);
        assertThat(t.metrics.repeated()).isEqualTo(1);
    }

    @Test
    void usage_is_counted_per_utc_day_with_the_last_evaluation_and_30_days_kept() {
        t.send(report("edge-1").seq(1).at(START).used("production", "a.b", "on", 3).build());
        t.advance(Duration.ofDays(1));
        t.send(report("edge-1").seq(2).at(t.clock.instant()).used("production", "a.b", "on", 4, "off", 1).build());

        UsageEntry usage = t.usage("production", "a.b");
        long day = LocalDate.ofInstant(START, ZoneOffset.UTC).toEpochDay();
        assertThat(usage.evaluationsOn(day)).isEqualTo(3);
        assertThat(usage.evaluationsOn(day + 1)).isEqualTo(5);
        assertThat(usage.lastEvaluatedMs()).isEqualTo(t.clock.millis());

        t.advance(Duration.ofDays(29));
        t.send(report("edge-1").seq(3).at(t.clock.instant()).used("production", "a.b", "on", 1).build());
        assertThat(t.usage("production", "a.b").days()).as("the first day is 30 days old now").doesNotContainKey(day)
                .containsKey(day + 1);
    }

    @Test
    void an_undecodable_record_is_skipped_and_counted_and_the_next_report_is_folded() {
        t.reports.pipeInput("edge-1", "not avro".getBytes(StandardCharsets.UTF_8));
        t.send(report("edge-1").at(START).build());

        assertThat(t.metrics.undecodable()).isEqualTo(1);
        assertThat(t.node("edge-1")).isNotNull();
    }

    @Test
    void a_report_under_another_nodes_key_or_with_a_node_id_that_is_not_one_is_refused() {
        t.reports.pipeInput("edge-2", new io.flagplane.wire.AvroSerializer<io.flagplane.avro.EvaluatorReport>(t.registry, true)
                .serialize("evaluator-reports", report("edge-1").build()));
        t.send(report("edge 1").build());

        assertThat(t.metrics.refused()).isEqualTo(2);
        assertThat(t.node("edge-1")).isNull();
    }

    @Test
    void a_hostile_reporter_is_bounded_and_what_is_dropped_is_counted() {
        t.close();
        t = new TelemetryDriver(new ReportLimits(3, 2, 2, 2, 2, 4, 8, 3));
        Reports big = report("edge-1").at(START).environments("production", "staging", "qa");
        for (int i = 0; i < 5; i++) {
            big.applied("production", "f.k" + i, 1, START);
        }
        big.used("production", "a.b", "v1", 1, "v2", 1, "v3", 1).used("production", "a.c", "on", 1).used("production", "a.d", "on", 1);
        t.send(big.build());

        assertThat(t.node("edge-1").environments()).hasSize(2);
        assertThat(t.node("edge-1").flagsTracked()).isEqualTo(3);
        assertThat(t.usage("production", "a.b").variantsSince(0)).hasSize(2);
        assertThat(t.usage("production", "a.d")).as("past the usage entries per report").isNull();
        // 2 applied past the cap, 1 usage entry past the cap, 1 variant past the cap
        assertThat(t.metrics.droppedEntries()).isEqualTo(4);
        assertThat(t.node("edge-1").droppedEntries()).isEqualTo(4);

        t.send(report("edge-2").build());
        t.send(report("edge-3").build());
        assertThat(t.node("edge-3")).as("two nodes per partition").isNull();
        assertThat(t.metrics.droppedEntries()).isEqualTo(5);
    }

    @Test
    void nonsense_in_a_report_is_dropped_not_folded() {
        t.send(report("edge-1").at(START).applied("Prod!", "a.b", 1, START).applied("production", "nodots", 1, START)
                .applied("production", "a.b", 0, START).applied("production", "segment:beta", 3, START)
                .used("production", "a.b", "on", -5).build());

        assertThat(t.applied("edge-1", "production", "a.b")).isNull();
        assertThat(t.usage("production", "a.b").variantsSince(0)).isEmpty();
        assertThat(t.metrics.droppedEntries()).as("three bad applied entries and a negative count; segments are not faults")
                .isEqualTo(4);
    }

    @Test
    void the_latency_of_applying_the_current_version_is_observed_once_per_node() {
        FlagState state = States.booleanState("production", "a.b", 4);   // written at T0 + 4 s
        t.publish(state);
        Instant written = state.getLastChange().getOccurredAt();
        t.clock.set(written.plusSeconds(60));
        t.send(report("edge-1").at(written.plusMillis(30)).applied("production", "a.b", 4, written.plusMillis(30)).build());
        t.send(report("edge-1").seq(2).at(written.plusMillis(40)).applied("production", "a.b", 4, written.plusMillis(40)).build());

        TelemetryMetrics.Latency latency = t.metrics.latency();
        assertThat(java.util.Arrays.stream(latency.counts()).sum()).isEqualTo(1);
        assertThat(latency.counts()[3]).as("the 0.05 s bucket").isEqualTo(1);
    }

    @Test
    void nodes_not_seen_for_a_week_are_forgotten_with_what_they_applied() {
        t.send(report("edge-1").at(START).applied("production", "a.b", 1, START).build());
        t.advance(Duration.ofDays(7).plusMinutes(2));

        assertThat(t.node("edge-1")).isNull();
        assertThat(t.applied("edge-1", "production", "a.b")).isNull();
    }
}
