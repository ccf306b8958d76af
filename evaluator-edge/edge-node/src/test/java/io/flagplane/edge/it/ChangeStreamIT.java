package io.flagplane.edge.it;

import static io.flagplane.edge.it.EdgeFixture.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.avro.SegmentState;
import io.flagplane.contract.TopicNames;
import io.flagplane.edge.EdgeConfig;
import io.flagplane.edge.EdgeNode;
import io.flagplane.fixtures.States;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.SseReader;
import io.flagplane.testkit.stack.TestStack;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Live updates: OFREP's refetchEvaluation, the changed-flags variant, heartbeats, resume, and the metrics that watch it all. */
@ExtendWith(SharedTestStack.class)
class ChangeStreamIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private final EdgeFixture fixture = new EdgeFixture();
    private TestStack stack;
    private TopicNames topics;
    private EdgeNode node;

    @BeforeEach
    void start(TestStack stack) throws Exception {
        this.stack = stack;
        topics = stack.newTopics("changes");
        stack.publishStates(topics.flagState(), Flags.checkoutNewUi(3), Flags.buttonColor(),
                States.segmentGated("production", "search.semantic", 1, "beta-users"), Flags.inStaging());
        stack.publishSegments(topics.segmentState(), States.segment("production", "beta-users", 1, "user-1"));
        node = EdgeNode.start(fixture.config(stack.bootstrapServers(), stack.schemaRegistryUrl(), topics));
        assertThat(node.awaitReady(Duration.ofSeconds(30))).isTrue();
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private SseReader open(String query, String lastEventId) throws Exception {
        SseReader reader = new SseReader(node.url() + "/ofrep/v1/events" + query, fixture.reader, lastEventId);
        assertThat(reader.status()).isEqualTo(200);
        assertThat(reader.next(":comment", WAIT)).as("the stream is open").isNotNull();
        return reader;
    }

    @Test
    void a_change_tells_ofrep_clients_to_refetch_and_names_the_flags() throws Exception {
        try (SseReader reader = open("?environment=production", null)) {
            stack.publishStates(topics.flagState(), io.flagplane.avro.FlagState.newBuilder(Flags.inStaging()).setVersion(2).setEnabled(false).build());
            stack.publishStates(topics.flagState(), Flags.killed(Flags.checkoutNewUi(3), 4));

            SseReader.Event event = reader.next("message", WAIT);
            assertThat(event).isNotNull();
            JsonNode data = EdgeFixture.JSON.readTree(event.data());
            assertThat(data.get("type").asText()).isEqualTo("refetchEvaluation");
            assertThat(data.get("flags")).extracting(JsonNode::asText).as("staging's change is not production's")
                    .containsExactly("checkout.new_ui");
            assertThat(data.get("lastModified").asLong()).isPositive();
            assertThat(Long.parseLong(event.id())).isEqualTo(node.ruleset().current().generation());
        }
    }

    @Test
    void the_flags_variant_lists_what_changed_including_flags_reached_through_a_segment() throws Exception {
        try (SseReader reader = open("?format=flags", null)) {
            SegmentState rotated = States.segment("production", "beta-users", 2, "user-2");
            stack.publishSegments(topics.segmentState(), rotated);

            SseReader.Event event = reader.next("flagsChanged", WAIT);
            assertThat(event).isNotNull();
            JsonNode data = EdgeFixture.JSON.readTree(event.data());
            assertThat(data.get("environment").asText()).isEqualTo("production");
            assertThat(data.get("flags")).extracting(JsonNode::asText).containsExactly("search.semantic");
            assertThat(data.get("all").asBoolean()).isFalse();
            assertThat(reader.next(":comment", WAIT)).as("heartbeats keep it open").isNotNull();
        }
    }

    @Test
    void a_client_that_missed_changes_is_told_to_refetch_as_soon_as_it_reconnects() throws Exception {
        long before = node.ruleset().current().generation();
        stack.publishStates(topics.flagState(), Flags.killed(Flags.checkoutNewUi(3), 4));
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> node.ruleset().current().generation() > before);

        try (SseReader reader = new SseReader(node.url() + "/ofrep/v1/events?format=flags", fixture.reader, Long.toString(before))) {
            SseReader.Event event = reader.next("flagsChanged", WAIT);
            assertThat(event).isNotNull();
            assertThat(EdgeFixture.JSON.readTree(event.data()).get("all").asBoolean()).isTrue();
        }
        try (SseReader current = open("", Long.toString(node.ruleset().current().generation()))) {
            assertThat(current.next("message", Duration.ofMillis(800))).as("up to date: nothing to refetch").isNull();
        }
    }

    @Test
    void metrics_count_evaluations_and_watch_the_ruleset() throws Exception {
        for (int i = 0; i < 3; i++) {
            send(node, "POST", "/ofrep/v1/evaluate/flags/checkout.new_ui", "{\"context\":{\"targetingKey\":\"u\"}}", fixture.reader);
        }
        send(node, "POST", "/ofrep/v1/evaluate/flags/no.such.flag", "{}", fixture.reader);
        stack.publishStates(topics.flagState(), Flags.killed(Flags.checkoutNewUi(3), 4));
        org.awaitility.Awaitility.await().atMost(WAIT).until(() ->
                node.ruleset().current().flag("production", "checkout.new_ui").killed());

        String metrics = send(node, "GET", "/metrics", null, null).raw().body();
        assertThat(metrics).contains("flagplane_evaluations_total{environment=\"production\",flag=\"checkout.new_ui\","
                + "reason=\"DEFAULT\",variant=\"on\"} 3");
        assertThat(metrics).contains("flagplane_evaluation_errors_total{code=\"FLAG_NOT_FOUND\"} 1");
        assertThat(metrics).contains("flagplane_ruleset_flags 4");
        assertThat(metrics).contains("flagplane_ruleset_stale 0");
        assertThat(metrics).contains("flagplane_ruleset_ready 1");
        assertThat(metrics).containsPattern("flagplane_propagation_lag_seconds_count [1-9]");
        assertThat(metrics).contains("flagplane_consumer_lag_records");

        JsonNode status = send(node, "GET", "/api/v1/status", null, null).body();
        assertThat(status.get("ready").asBoolean()).isTrue();
        assertThat(status.get("stale").asBoolean()).isFalse();
        assertThat(status.get("flags").asInt()).isEqualTo(4);
    }

    @Test
    void a_node_whose_streams_are_full_refuses_another_before_it_starts() throws Exception {
        EdgeConfig one = new EdgeConfig("127.0.0.1", 0, stack.bootstrapServers(), stack.schemaRegistryUrl(), topics,
                List.of("production"), true, fixture.tokens, null, Duration.ofSeconds(1), 1);
        try (EdgeNode small = EdgeNode.start(one); SseReader first = new SseReader(small.url() + "/ofrep/v1/events",
                fixture.reader, null)) {
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.next(":comment", WAIT)).isNotNull();
            EdgeFixture.Response second = send(small, "GET", "/ofrep/v1/events", null, fixture.reader, "Accept", "text/event-stream");
            assertThat(second.status()).isEqualTo(503);
            assertThat(second.body().get("errorDetails").asText()).contains("maximum of change streams");
        }
    }
}
