package io.flagplane.projection.it;

import static io.flagplane.projection.telemetry.Reports.report;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.avro.EvaluatorKind;
import io.flagplane.avro.EvaluatorStatus;
import io.flagplane.projection.telemetry.Reports;
import io.flagplane.testkit.http.Api;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.SseReader;
import io.flagplane.testkit.stack.TestStack;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import io.flagplane.projection.ProjectionService;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.TopicPartition;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Evaluator reports produced onto the real broker, folded by the projection, and answered over
 * HTTP: the registry, propagation (with a node that goes away, and the wait parameter), usage and
 * lifecycle, and bad parameters.
 */
@ExtendWith(SharedTestStack.class)
class EvaluatorReportsIT {

    private static final String ENV = "/api/v1/environments/production";
    private static final String FLAGS = ENV + "/flags";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private ProjectionFixture fixture;
    private Api commands;
    private Api projection;
    private Reporter reporter;
    private long sequence;

    @BeforeEach
    void start(TestStack stack) throws Exception {
        fixture = new ProjectionFixture(stack, "reports", 1);
        commands = fixture.commands();
        projection = fixture.projection();
        reporter = new Reporter(stack, fixture.topics.evaluatorReports());
    }

    @AfterEach
    void stop() {
        reporter.close();
        fixture.close();
    }

    private static JsonNode ok(Api.Response response) {
        assertThat(response.status()).as(response.raw()).isBetween(200, 201);
        return response.body();
    }

    /** A report made now (by the projection's clock), a fresh sequence each time. */
    private Reports node(String nodeId) {
        Instant now = fixture.clock.instant();
        return report(nodeId).started(Instant.parse("2026-01-01T00:00:00Z")).seq(++sequence).at(now).heartbeat(1_000);
    }

    private JsonNode createFlag(String key) {
        JsonNode created = ok(commands.post(FLAGS, "{\"key\":\"" + key + "\",\"type\":\"boolean\",\"enabled\":true}"));
        return created;
    }

    /** The propagation request sent from another thread is holding its wait on the projection. */
    private void awaitWaiting() {
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).until(() ->
                fixture.projections.get(0).propagationWaits() == 1);
    }

    private void awaitNodes(int count) {
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() ->
                fixture.projections.get(0).reports().folded() >= count);
    }

    /** The topics each member of {@code group} is assigned. */
    private static Set<String> assignedTopics(Admin admin, String group) throws Exception {
        ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group);
        return description.members().stream().flatMap(m -> m.assignment().topicPartitions().stream())
                .map(TopicPartition::topic).collect(Collectors.toSet());
    }

    @Test
    void reports_are_folded_by_an_application_of_their_own_never_on_the_kill_paths_stream_thread() throws Exception {
        createFlag("checkout.new_ui");
        fixture.awaitApplied(1);
        reporter.send(node("edge-1").environments("production").build());
        awaitNodes(1);
        assertThat(ok(projection.get("/api/v1/evaluators")).get("evaluators")).extracting(n -> n.get("nodeId").asText())
                .containsExactly("edge-1");
        String telemetryGroup = ProjectionService.telemetryApplicationId(fixture.applicationId);
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", fixture.stack.bootstrapServers()))) {
            Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                assertThat(assignedTopics(admin, fixture.applicationId)).as("the fold's application")
                        .contains(fixture.topics.flagEvents())
                        .doesNotContain(fixture.topics.evaluatorReports());
                assertThat(assignedTopics(admin, telemetryGroup)).as("the telemetry application")
                        .contains(fixture.topics.evaluatorReports(), fixture.topics.flagExposures())
                        .doesNotContain(fixture.topics.flagEvents());
            });
        }
    }

    @Test
    void reports_fill_the_registry_and_the_propagation_answer_with_each_nodes_latency() {
        JsonNode created = createFlag("checkout.new_ui");
        String link = created.get("propagation").asText();
        Instant written = Instant.parse(created.get("flag").get("lastChange").get("at").asText());
        fixture.awaitApplied(1);
        reporter.send(node("edge-1").environments("production").applied("production", "checkout.new_ui", 1,
                written.plusMillis(12)).build());
        reporter.send(node("sdk-7").kind(EvaluatorKind.SDK_CLIENT).environments("*").status(EvaluatorStatus.FROM_SNAPSHOT)
                .applied("production", "checkout.new_ui", 1, written.plusMillis(30)).build());
        reporter.send(node("edge-9").environments("staging").build());
        awaitNodes(3);

        JsonNode answer = ok(projection.get(link));
        assertThat(answer.get("version").asLong()).isEqualTo(1);
        assertThat(answer.get("versionAt").asText()).isEqualTo(written.toString());
        assertThat(answer.get("complete").asBoolean()).isTrue();
        assertThat(answer.get("live").asInt()).isEqualTo(2);
        assertThat(answer.get("applied").asInt()).isEqualTo(2);
        assertThat(answer.get("pending")).isEmpty();
        assertThat(answer.get("evaluators")).extracting(n -> n.get("nodeId").asText() + ":" + n.get("latencyMs").asLong())
                .containsExactly("edge-1:12", "sdk-7:30");
        assertThat(ok(projection.get(FLAGS + "/checkout.new_ui/propagation")).get("version").asLong())
                .as("no version: the flag's current one").isEqualTo(1);

        JsonNode all = ok(projection.get("/api/v1/evaluators"));
        assertThat(all.get("evaluators")).extracting(n -> n.get("nodeId").asText()).containsExactly("edge-1", "edge-9", "sdk-7");
        assertThat(all.get("counts").get("live").asInt()).isEqualTo(3);
        JsonNode sdk = all.get("evaluators").get(2);
        assertThat(sdk.get("kind").asText()).isEqualTo("sdk_client");
        assertThat(sdk.get("liveness").asText()).isEqualTo("live");
        assertThat(sdk.get("status").asText()).isEqualTo("from_snapshot");
        assertThat(sdk.get("contractFingerprint").asText()).isEqualTo("c0ffee");
        assertThat(ok(projection.get(ENV + "/evaluators")).get("evaluators")).extracting(n -> n.get("nodeId").asText())
                .containsExactly("edge-1", "sdk-7");
        assertThat(ok(projection.as(fixture.stagingViewer).get("/api/v1/evaluators")).get("evaluators"))
                .as("a staging viewer sees the nodes serving staging only").extracting(n -> n.get("nodeId").asText())
                .containsExactly("edge-9");
    }

    @Test
    void a_node_that_stops_reporting_is_pending_then_stale_then_gone_and_the_change_is_complete() {
        createFlag("search.semantic");
        fixture.awaitApplied(1);
        reporter.send(node("edge-up").heartbeat(60_000).applied("production", "search.semantic", 1, fixture.clock.instant()).build());
        reporter.send(node("edge-down").heartbeat(1_000).build());
        awaitNodes(2);
        String propagation = FLAGS + "/search.semantic/propagation?version=1";

        JsonNode first = ok(projection.get(propagation));
        assertThat(first.get("complete").asBoolean()).isFalse();
        assertThat(first.get("pending")).singleElement().satisfies(n -> {
            assertThat(n.get("nodeId").asText()).isEqualTo("edge-down");
            assertThat(n.get("liveness").asText()).isEqualTo("live");
        });

        fixture.clock.advance(Duration.ofSeconds(5));
        JsonNode late = ok(projection.get(propagation));
        assertThat(late.get("pending").get(0).get("liveness").asText()).isEqualTo("stale");
        assertThat(late.get("live").asInt()).isEqualTo(1);
        assertThat(late.get("expected").asInt()).isEqualTo(2);

        fixture.clock.advance(Duration.ofSeconds(10));
        JsonNode gone = ok(projection.get(propagation));
        assertThat(gone.get("complete").asBoolean()).isTrue();
        assertThat(gone.get("expected").asInt()).isEqualTo(1);
        assertThat(ok(projection.get("/api/v1/evaluators")).get("counts").get("gone").asInt()).isEqualTo(1);
    }

    @Test
    void a_stopping_node_is_gone_at_once() {
        reporter.send(node("edge-1").build());
        reporter.send(node("edge-1").status(EvaluatorStatus.STOPPING).build());
        awaitNodes(2);

        assertThat(ok(projection.get("/api/v1/evaluators")).get("evaluators").get(0).get("liveness").asText()).isEqualTo("gone");
    }

    @Test
    void wait_answers_as_soon_as_the_last_node_reports_and_at_its_end_otherwise() throws Exception {
        createFlag("checkout.button");
        fixture.awaitApplied(1);
        reporter.send(node("edge-1").applied("production", "checkout.button", 1, fixture.clock.instant()).build());
        reporter.send(node("edge-2").build());
        awaitNodes(2);
        String propagation = FLAGS + "/checkout.button/propagation?version=1&wait=";

        long started = System.nanoTime();
        JsonNode timedOut = ok(projection.get(propagation + "700ms"));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertThat(timedOut.get("complete").asBoolean()).isFalse();
        assertThat(tookMs).as("the wait ends when asked").isBetween(650L, 5_000L);

        CompletableFuture<Api.Response> waiting = CompletableFuture.supplyAsync(() -> projection.get(propagation + "20s"));
        awaitWaiting();
        assertThat(waiting).isNotDone();
        long sent = System.nanoTime();
        reporter.send(node("edge-2").applied("production", "checkout.button", 1, fixture.clock.instant()).build());
        JsonNode done = ok(waiting.get(20, TimeUnit.SECONDS));
        long afterReportMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);

        assertThat(done.get("complete").asBoolean()).isTrue();
        assertThat(done.get("applied").asInt()).isEqualTo(2);
        assertThat(afterReportMs).as("answered on the report, not at the end of the wait").isLessThan(5_000L);
    }

    @Test
    void wait_for_a_version_not_written_yet_answers_once_it_is_written_and_reached() throws Exception {
        createFlag("checkout.banner");
        fixture.awaitApplied(1);
        reporter.send(node("edge-1").applied("production", "checkout.banner", 1, fixture.clock.instant()).build());
        awaitNodes(1);

        CompletableFuture<Api.Response> waiting = CompletableFuture.supplyAsync(() ->
                projection.get(FLAGS + "/checkout.banner/propagation?version=2&wait=20s"));
        awaitWaiting();
        JsonNode killed = ok(commands.post(FLAGS + "/checkout.banner/kill", "{\"reason\":\"test\"}"));
        assertThat(killed.get("version").asLong()).isEqualTo(2);
        reporter.send(node("edge-1").applied("production", "checkout.banner", 2, fixture.clock.instant()).build());

        JsonNode done = ok(waiting.get(20, TimeUnit.SECONDS));
        assertThat(done.get("version").asLong()).isEqualTo(2);
        assertThat(done.get("complete").asBoolean()).isTrue();
        assertThat(projection.get(FLAGS + "/checkout.banner/propagation?version=9").errorCode()).isEqualTo("VERSION_NOT_FOUND");
    }

    @Test
    void the_event_stream_variant_sends_progress_then_complete() throws Exception {
        createFlag("checkout.stream");
        fixture.awaitApplied(1);
        reporter.send(node("edge-1").applied("production", "checkout.stream", 1, fixture.clock.instant()).build());
        reporter.send(node("edge-2").build());
        awaitNodes(2);

        try (SseReader stream = new SseReader(fixture.projections.get(0).url() + FLAGS + "/checkout.stream/propagation/stream",
                fixture.admin, null)) {
            SseReader.Event progress = stream.next("progress", WAIT);
            assertThat(Api.JSON.readTree(progress.data()).get("applied").asInt()).isEqualTo(1);
            reporter.send(node("edge-2").applied("production", "checkout.stream", 1, fixture.clock.instant()).build());
            SseReader.Event complete = stream.next("complete", WAIT);
            assertThat(Api.JSON.readTree(complete.data()).get("applied").asInt()).isEqualTo(2);
        }
    }

    @Test
    void usage_counts_equal_what_the_reports_carried_and_set_the_lifecycle_status() {
        createFlag("checkout.used");
        createFlag("checkout.unused");
        fixture.awaitApplied(2);
        reporter.send(node("edge-1").used("production", "checkout.used", "on", 120, "off", 3).build());
        reporter.send(node("edge-2").used("production", "checkout.used", "on", 80).build());
        reporter.send(node("edge-1").used("production", "checkout.used", "on", 5, "", 2).build());
        awaitNodes(3);

        JsonNode usage = ok(projection.get(FLAGS + "/checkout.used/usage"));
        assertThat(usage.get("evaluations").asLong()).isEqualTo(210);
        assertThat(usage.get("variants")).isEqualTo(Api.JSON.valueToTree(Map.of("on", 205, "off", 3, "", 2)));
        assertThat(usage.get("evaluationsPerDay")).hasSize(30);
        assertThat(usage.get("evaluationsPerDay").get(29).get("evaluations").asLong()).isEqualTo(210);
        assertThat(usage.get("status").asText()).isEqualTo("active");
        assertThat(usage.get("kind").asText()).isEqualTo("release");
        assertThat(usage.get("lifetimeDays").asInt()).isEqualTo(40);

        JsonNode fresh = ok(projection.get(FLAGS + "?status=new")).get("flags");
        assertThat(fresh).extracting(f -> f.get("key").asText()).containsExactly("checkout.unused");
        assertThat(fresh.get(0).get("reason").asText()).isEqualTo("created today and not evaluated yet");

        fixture.clock.advance(Duration.ofDays(41));
        JsonNode stale = ok(projection.get(FLAGS + "?status=stale")).get("flags");
        assertThat(stale).extracting(f -> f.get("key").asText()).containsExactly("checkout.unused", "checkout.used");
        assertThat(stale.get(0).get("reason").asText()).startsWith("release flag created 41 days ago");
    }

    @Test
    void an_undecodable_report_is_skipped_and_counted_and_the_fold_goes_on() {
        reporter.sendRaw("edge-x", "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8));
        reporter.send(node("edge-1").build());
        awaitNodes(1);

        assertThat(fixture.projections.get(0).reports().undecodable()).isEqualTo(1);
        assertThat(ok(projection.get("/api/v1/status")).get("reportsSkipped").asLong()).isEqualTo(1);
        String metrics = projection.get("/metrics").raw();
        assertThat(metrics).contains("flagplane_report_records_skipped_total{reason=\"undecodable\"} 1.0")
                .contains("flagplane_evaluators{liveness=\"live\"} 1.0")
                .contains("flagplane_propagation_latency_seconds_bucket");
    }

    @Test
    void bad_parameters_are_400_naming_the_parameter() {
        createFlag("checkout.params");
        fixture.awaitApplied(1);
        String base = FLAGS + "/checkout.params/propagation";
        for (String[] bad : new String[][] {
                {base + "?wait=31s", "wait"}, {base + "?wait=soon", "wait"}, {base + "?wait=-1s", "wait"},
                {base + "?wait=99999999999s", "wait"}, {base + "?version=0", "version"}, {base + "?version=x", "version"},
                {FLAGS + "?status=zombie", "status"}, {FLAGS + "/NoDots/usage", "key"}}) {
            Api.Response response = projection.get(bad[0]);
            assertThat(response.status()).as(bad[0]).isEqualTo(400);
            assertThat(response.errorField()).as(bad[0]).isEqualTo(bad[1]);
        }
        assertThat(projection.get(FLAGS + "/no.such/usage").errorCode()).isEqualTo("FLAG_NOT_FOUND");
        assertThat(projection.get(FLAGS + "/no.such/propagation").errorCode()).isEqualTo("FLAG_NOT_FOUND");
        assertThat(projection.as(fixture.stagingViewer).get(base).status()).isEqualTo(403);
        assertThat(new Api(fixture.projections.get(0).url(), null).get("/api/v1/evaluators").status()).isEqualTo(401);
    }
}
