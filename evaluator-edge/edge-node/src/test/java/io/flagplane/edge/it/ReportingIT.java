package io.flagplane.edge.it;

import static io.flagplane.edge.it.EdgeFixture.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.EvaluatorKind;
import io.flagplane.avro.EvaluatorReport;
import io.flagplane.avro.EvaluatorStatus;
import io.flagplane.avro.VariantCount;
import io.flagplane.contract.TopicNames;
import io.flagplane.edge.EdgeConfig;
import io.flagplane.edge.EdgeNode;
import io.flagplane.reporting.ReportingSettings;
import io.flagplane.testkit.stack.ReportReader;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What an edge node reports on evaluator-reports, read back from the real broker. */
@ExtendWith(SharedTestStack.class)
class ReportingIT {

    private final EdgeFixture fixture = new EdgeFixture();

    private static Map<String, Long> usage(List<EvaluatorReport> reports) {
        Map<String, Long> out = new HashMap<>();
        reports.forEach(r -> r.getUsage().forEach(u -> {
            for (VariantCount count : u.getVariants()) {
                out.merge(u.getEnvironment() + "/" + u.getFlagKey() + "/" + count.getVariant(), count.getCount(), Long::sum);
            }
        }));
        return out;
    }

    private static boolean stopped(List<EvaluatorReport> reports) {
        return !reports.isEmpty() && reports.get(reports.size() - 1).getStatus() == EvaluatorStatus.STOPPING;
    }

    @Test
    void a_node_reports_what_it_applied_and_served_and_says_stopping_when_closed(TestStack stack) throws Exception {
        TopicNames topics = stack.newTopics("edge-report");
        stack.publishStates(topics.flagState(), Flags.checkoutNewUi(3), Flags.buttonColor(), Flags.inStaging());
        EdgeConfig config = fixture.config(stack.bootstrapServers(), stack.schemaRegistryUrl(), topics)
                .withReporting(ReportingSettings.defaults().withNodeId("edge-a").withHeartbeat(Duration.ofMillis(300)));

        try (ReportReader reader = new ReportReader(stack.bootstrapServers(), stack.registryClient(), topics.evaluatorReports())) {
            try (EdgeNode node = EdgeNode.start(config)) {
                assertThat(node.awaitReady(Duration.ofSeconds(30))).isTrue();
                for (int i = 0; i < 25; i++) {
                    assertThat(send(node, "POST", "/ofrep/v1/evaluate/flags/checkout.new_ui",
                            "{\"context\":{\"targetingKey\":\"user-" + i + "\"}}", fixture.reader).status()).isEqualTo(200);
                }
                for (int i = 0; i < 4; i++) {   // the deny list: the off variant
                    send(node, "GET", "/api/v1/check/checkout.new_ui?userId=blocked-user", null, fixture.reader);
                }
                send(node, "POST", "/ofrep/v1/evaluate/flags", "{\"context\":{\"targetingKey\":\"user-1\"}}", fixture.reader);
                send(node, "POST", "/ofrep/v1/evaluate/flags/no.such.flag", "{\"context\":{\"targetingKey\":\"u\"}}", fixture.reader);

                Instant published = Instant.now();
                stack.publishStates(topics.flagState(), Flags.killed(Flags.checkoutNewUi(3), 4));
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> reader.reportsOf("edge-a").stream()
                        .flatMap(r -> r.getApplied().stream()).anyMatch(a -> a.getVersion() == 4));
                assertThat(reader.reportsOf("edge-a").stream().flatMap(r -> r.getApplied().stream())
                        .filter(a -> a.getKey().equals("checkout.new_ui") && a.getVersion() == 4).findFirst().orElseThrow()
                        .getAppliedAt()).isAfterOrEqualTo(published.minusMillis(1));
                assertThat(node.nodeId()).isEqualTo("edge-a");
                assertThat(send(node, "GET", "/api/v1/status", null, null).body().get("reporting").get("nodeId").asText())
                        .isEqualTo("edge-a");
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> node.reportingStats().sent() >= 2);
                assertThat(send(node, "GET", "/metrics", null, null).raw().body())
                        .contains("flagplane_reports_sent_total", "flagplane_reports_dropped_total",
                                "flagplane_report_last_sent_timestamp_seconds");
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> stopped(reader.reportsOf("edge-a")));
            List<EvaluatorReport> reports = reader.reportsOf("edge-a");

            EvaluatorReport first = reports.get(0);
            assertThat(first.getKind()).isEqualTo(EvaluatorKind.EDGE_NODE);
            assertThat(first.getEnvironments()).containsExactly("production", "staging");
            assertThat(reports.stream().flatMap(r -> r.getApplied().stream())
                    .map(a -> a.getEnvironment() + "/" + a.getKey() + "@" + a.getVersion()))
                    .contains("production/checkout.new_ui@3", "production/button.color@1", "production/checkout.new_ui@4");
            assertThat(reports).extracting(EvaluatorReport::getSequence)
                    .isSortedAccordingTo(Long::compare).doesNotHaveDuplicates();
            assertThat(usage(reports)).as("25 single, 4 REST checks, one bulk of every production flag").isEqualTo(Map.of(
                    "production/checkout.new_ui/on", 26L, "production/checkout.new_ui/off", 4L,
                    "production/button.color/on", 1L));
        }
    }

    @Test
    void without_a_configured_id_a_node_with_a_snapshot_file_keeps_its_id_across_restarts(TestStack stack) throws Exception {
        TopicNames topics = stack.newTopics("edge-report-id");
        stack.publishStates(topics.flagState(), Flags.checkoutNewUi(1));
        EdgeConfig config = fixture.config(stack.bootstrapServers(), stack.schemaRegistryUrl(), topics);
        String first;
        try (EdgeNode node = EdgeNode.start(config)) {
            first = node.nodeId();
        }
        try (EdgeNode again = EdgeNode.start(config)) {
            assertThat(again.nodeId()).isEqualTo(first).startsWith("edge-");
        }
        try (EdgeNode off = EdgeNode.start(config.withReporting(ReportingSettings.disabled()))) {
            assertThat(off.nodeId()).isNull();
            assertThat(send(off, "GET", "/metrics", null, null).raw().body()).contains("flagplane_reports_sent_total 0.0");
        }
    }
}
