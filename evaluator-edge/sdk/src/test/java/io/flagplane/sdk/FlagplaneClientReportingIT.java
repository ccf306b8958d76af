package io.flagplane.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.AppliedVersion;
import io.flagplane.avro.EvaluatorKind;
import io.flagplane.avro.EvaluatorReport;
import io.flagplane.avro.EvaluatorStatus;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.FlagType;
import io.flagplane.avro.VariantCount;
import io.flagplane.contract.TopicNames;
import io.flagplane.evaluation.EvaluationContext;
import io.flagplane.fixtures.States;
import io.flagplane.reporting.EvaluatorIdentity;
import io.flagplane.reporting.ReportingSettings;
import io.flagplane.testkit.stack.ReportReader;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.StoppableStack;
import io.flagplane.testkit.stack.TestStack;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What a FlagplaneClient reports on evaluator-reports, read back from the real broker. */
@ExtendWith(SharedTestStack.class)
class FlagplaneClientReportingIT {

    private static final EvaluationContext USER = EvaluationContext.of("user-1");

    private static FlagplaneClient client(String bootstrap, String registryUrl, TopicNames topics, ReportingSettings reporting) {
        return FlagplaneClient.builder().bootstrapServers(bootstrap).schemaRegistryUrl(registryUrl)
                .topicPrefix(topics.flagState().replace("flag-state", "")).environment("production")
                .reporting(reporting).build();
    }

    private static Optional<AppliedVersion> applied(List<EvaluatorReport> reports, String key, long version) {
        return reports.stream().flatMap(r -> r.getApplied().stream())
                .filter(a -> a.getKey().equals(key) && a.getVersion() == version).findFirst();
    }

    /** flag/variant → evaluations, summed over the reports. */
    private static Map<String, Long> usage(List<EvaluatorReport> reports) {
        Map<String, Long> out = new HashMap<>();
        reports.forEach(r -> r.getUsage().forEach(u -> {
            for (VariantCount count : u.getVariants()) {
                out.merge(u.getFlagKey() + "/" + count.getVariant(), count.getCount(), Long::sum);
            }
        }));
        return out;
    }

    @Test
    void a_client_reports_what_it_loaded_then_heartbeats_in_sequence_and_says_stopping_when_closed(TestStack stack)
            throws Exception {
        TopicNames topics = stack.newTopics("sdk-report");
        stack.publishStates(topics.flagState(), States.booleanState("production", "checkout.new_ui", 3),
                States.booleanState("staging", "checkout.new_ui", 9));
        ReportingSettings reporting = ReportingSettings.defaults().withNodeId("checkout-7").withHeartbeat(Duration.ofMillis(300));

        try (ReportReader reader = new ReportReader(stack.bootstrapServers(), stack.registryClient(), topics.evaluatorReports())) {
            try (FlagplaneClient flags = client(stack.bootstrapServers(), stack.schemaRegistryUrl(), topics, reporting)) {
                assertThat(flags.awaitReady(Duration.ofSeconds(30))).isTrue();
                assertThat(flags.nodeId()).contains("checkout-7");

                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> reader.reportsOf("checkout-7").size() >= 4);
                List<EvaluatorReport> reports = reader.reportsOf("checkout-7");
                assertThat(reports).extracting(EvaluatorReport::getSequence).startsWith(1L, 2L, 3L, 4L);
                assertThat(applied(reports, "checkout.new_ui", 3)).as("the version loaded at start").isPresent();
                assertThat(reports.stream().flatMap(r -> r.getApplied().stream()))
                        .as("only the environment it serves").allMatch(a -> a.getEnvironment().equals("production"));
                EvaluatorReport last = reports.get(reports.size() - 1);
                assertThat(last.getKind()).isEqualTo(EvaluatorKind.SDK_CLIENT);
                assertThat(last.getEnvironments()).containsExactly("production");
                assertThat(last.getStatus()).isEqualTo(EvaluatorStatus.CURRENT);
                assertThat(last.getHeartbeatMs()).isEqualTo(300);
                assertThat(last.getContractFingerprint()).isEqualTo(EvaluatorIdentity.CONTRACT_FINGERPRINT);
                assertThat(last.getHost()).isNotBlank();
                assertThat(last.getLagRecords()).isNotNull();
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
                List<EvaluatorReport> reports = reader.reportsOf("checkout-7");
                return reports.get(reports.size() - 1).getStatus() == EvaluatorStatus.STOPPING;
            });
        }
    }

    @Test
    void a_change_is_reported_soon_with_its_version_and_applied_instant_and_a_burst_makes_few_reports(TestStack stack)
            throws Exception {
        TopicNames topics = stack.newTopics("sdk-report-change");
        stack.publishStates(topics.flagState(), States.booleanState("production", "a.flag", 1));
        // a heartbeat far away, so that every report here is made by a change
        ReportingSettings reporting = ReportingSettings.defaults().withNodeId("change-1").withHeartbeat(Duration.ofMinutes(10))
                .withCoalesce(Duration.ofMillis(300)).withMaxReportsPerSecond(2);

        try (ReportReader reader = new ReportReader(stack.bootstrapServers(), stack.registryClient(), topics.evaluatorReports());
             FlagplaneClient flags = client(stack.bootstrapServers(), stack.schemaRegistryUrl(), topics, reporting)) {
            assertThat(flags.awaitReady(Duration.ofSeconds(30))).isTrue();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> applied(reader.reportsOf("change-1"), "a.flag", 1).isPresent());

            Instant published = Instant.now();
            FlagState killed = States.booleanState("production", "a.flag", 2);
            killed.setKilled(true);
            stack.publishStates(topics.flagState(), killed);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> applied(reader.reportsOf("change-1"), "a.flag", 2).isPresent());
            EvaluatorReport reported = reader.reportsOf("change-1").stream()
                    .filter(r -> r.getApplied().stream().anyMatch(a -> a.getVersion() == 2)).findFirst().orElseThrow();
            assertThat(applied(List.of(reported), "a.flag", 2).orElseThrow().getAppliedAt())
                    .isBetween(published.minusMillis(1), reported.getReportedAt());

            int afterOne = reader.reportsOf("change-1").size();
            FlagState[] burst = new FlagState[20];
            for (int i = 0; i < burst.length; i++) {
                burst[i] = States.booleanState("production", "burst." + i, 1);
            }
            stack.publishStates(topics.flagState(), burst);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                List<EvaluatorReport> reports = reader.reportsOf("change-1");
                return reports.stream().flatMap(r -> r.getApplied().stream()).filter(a -> a.getKey().startsWith("burst.")).count() == 20;
            });
            int burstReports = reader.reportsOf("change-1").size() - afterOne;
            assertThat(burstReports).as("twenty changes in a burst, coalesced").isLessThan(10);
        }
    }

    @Test
    void usage_in_the_reports_equals_the_evaluations_made(TestStack stack) throws Exception {
        TopicNames topics = stack.newTopics("sdk-report-usage");
        FlagState off = States.booleanState("production", "b.flag", 1);
        off.setEnabled(false);
        stack.publishStates(topics.flagState(), States.booleanState("production", "a.flag", 1), off,
                States.state("production", "ui.theme", 1, States.definition(FlagType.STRING, "\"dark\"", "\"light\"")));
        ReportingSettings reporting = ReportingSettings.defaults().withNodeId("usage-1").withHeartbeat(Duration.ofMillis(200));

        try (ReportReader reader = new ReportReader(stack.bootstrapServers(), stack.registryClient(), topics.evaluatorReports())) {
            try (FlagplaneClient flags = client(stack.bootstrapServers(), stack.schemaRegistryUrl(), topics, reporting)) {
                assertThat(flags.awaitReady(Duration.ofSeconds(30))).isTrue();
                for (int i = 0; i < 1_000; i++) {
                    assertThat(flags.getBoolean("a.flag", false, USER)).isTrue();
                }
                for (int i = 0; i < 30; i++) {
                    assertThat(flags.getBoolean("b.flag", true, USER)).isFalse();
                }
                for (int i = 0; i < 12; i++) {
                    flags.getString("ui.theme", "?", USER);
                    flags.isEnabled("ui.theme", USER);
                }
                for (int i = 0; i < 5; i++) {
                    flags.getNumber("a.flag", 1, USER);   // type mismatch: the default, counted under ""
                    flags.getBoolean("no.such.flag", true, USER);   // not in the ruleset: not counted
                }
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
                List<EvaluatorReport> reports = reader.reportsOf("usage-1");
                return !reports.isEmpty() && reports.get(reports.size() - 1).getStatus() == EvaluatorStatus.STOPPING;
            });
            assertThat(usage(reader.reportsOf("usage-1"))).isEqualTo(Map.of(
                    "a.flag/on", 1_000L, "a.flag/", 5L, "b.flag/off", 30L, "ui.theme/on", 24L));
        }
    }

    @Test
    void with_kafka_gone_evaluation_goes_on_and_reports_are_dropped_and_counted() throws Exception {
        try (StoppableStack own = new StoppableStack()) {
            TopicNames topics = own.topics();
            own.publishStates(topics.flagState(), States.booleanState("production", "checkout.new_ui", 5));
            ReportingSettings reporting = ReportingSettings.defaults().withHeartbeat(Duration.ofMillis(200));
            try (FlagplaneClient flags = client(own.bootstrapServers(), own.schemaRegistryUrl(), topics, reporting)) {
                assertThat(flags.awaitReady(Duration.ofSeconds(30))).isTrue();
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> flags.reportingStats().orElseThrow().sent() > 0);

                own.stopKafka();

                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
                    assertThat(flags.getBoolean("checkout.new_ui", false, USER)).isTrue();
                    return flags.reportingStats().orElseThrow().dropped() >= 2;
                });
                for (int i = 0; i < 10_000; i++) {
                    assertThat(flags.getBoolean("checkout.new_ui", false, USER)).isTrue();
                }
                Awaitility.await().atMost(Duration.ofSeconds(30)).alias("the usage counted meanwhile is dropped with a report")
                        .until(() -> flags.reportingStats().orElseThrow().droppedEntries() > 0);
            }
        }
    }

    @Test
    void with_reporting_off_nothing_is_sent(TestStack stack) throws Exception {
        TopicNames topics = stack.newTopics("sdk-report-off");
        stack.publishStates(topics.flagState(), States.booleanState("production", "a.flag", 1));
        try (ReportReader reader = new ReportReader(stack.bootstrapServers(), stack.registryClient(), topics.evaluatorReports());
             FlagplaneClient flags = client(stack.bootstrapServers(), stack.schemaRegistryUrl(), topics,
                     ReportingSettings.disabled().withHeartbeat(Duration.ofMillis(100)))) {
            assertThat(flags.awaitReady(Duration.ofSeconds(30))).isTrue();
            assertThat(flags.getBoolean("a.flag", false, USER)).isTrue();
            assertThat(flags.reportingStats()).isEmpty();
            assertThat(flags.nodeId()).isEmpty();
            Awaitility.await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).until(() -> reader.reports().isEmpty());
        }
    }
}
