package io.flagplane.edge.it;

import static io.flagplane.edge.it.EdgeFixture.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.avro.TrackingEvent;
import io.flagplane.contract.RecordKeys;
import io.flagplane.contract.TopicNames;
import io.flagplane.edge.EdgeConfig;
import io.flagplane.edge.EdgeNode;
import io.flagplane.reporting.tracking.TrackingSettings;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TelemetryReader;
import io.flagplane.testkit.stack.TestStack;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code POST /api/v1/track} over real HTTP, read back from {@code tracking-events} on the real
 * broker: single events and batches land as {@code TrackingEvent}s keyed by user; a refused
 * request writes nothing (proved with a sentinel for the same user sent after it: one user's
 * events share a partition and keep their order, so once the sentinel is there, anything
 * written before it is too).
 */
@ExtendWith(SharedTestStack.class)
class TrackApiIT {

    private final EdgeFixture fixture = new EdgeFixture();
    private TestStack stack;
    private TopicNames topics;
    private EdgeNode node;
    private TelemetryReader<TrackingEvent> events;

    @BeforeEach
    void start(TestStack stack) throws Exception {
        this.stack = stack;
        topics = stack.newTopics("edge-track");
        stack.publishStates(topics.flagState(), Flags.checkoutNewUi(1), Flags.inStaging());
        node = EdgeNode.start(fixture.config(stack.bootstrapServers(), stack.schemaRegistryUrl(), topics));
        assertThat(node.awaitReady(Duration.ofSeconds(30))).isTrue();
        events = new TelemetryReader<>(stack.bootstrapServers(), stack.registryClient(), topics.trackingEvents(),
                TrackingEvent.class);
    }

    @AfterEach
    void stop() {
        node.close();
        events.close();
    }

    private EdgeFixture.Response track(String body, String... headers) {
        return send(node, "POST", "/api/v1/track", body, fixture.reader, headers);
    }

    /** Sends a valid event for {@code user}, waits until it is on the topic, and returns every event read. */
    private List<TrackingEvent> afterSentinel(String user) {
        assertThat(track("{\"eventKey\":\"sentinel\",\"targetingKey\":\"" + user + "\"}").status()).isEqualTo(202);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> events.values().stream()
                .anyMatch(e -> e.getEventKey().equals("sentinel") && e.getTargetingKey().equals(user)));
        return events.values();
    }

    @Test
    void one_event_lands_as_a_tracking_event_keyed_by_its_user_in_the_requests_environment() {
        EdgeFixture.Response response = track("{\"eventKey\":\"booking_confirmed\",\"targetingKey\":\"user-1\",\"value\":42.5,"
                + "\"timestamp\":\"2026-11-26T08:59:00Z\",\"attributes\":{\"plan\":\"pro\",\"seats\":3,\"beta\":true,"
                + "\"ratio\":0.25},\"eventId\":\"order-77\"}");

        assertThat(response.status()).isEqualTo(202);
        assertThat(response.body().get("accepted").asInt()).isEqualTo(1);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !events.records().isEmpty());
        TelemetryReader.Keyed<TrackingEvent> record = events.records().get(0);
        assertThat(record.key()).isEqualTo(RecordKeys.ofUser("production", "user-1"));
        TrackingEvent event = record.value();
        assertThat(event.getEventId()).isEqualTo("order-77");
        assertThat(event.getEnvironment()).isEqualTo("production");
        assertThat(event.getEventKey()).isEqualTo("booking_confirmed");
        assertThat(event.getValue()).isEqualTo(42.5);
        assertThat(event.getOccurredAt()).isEqualTo(Instant.parse("2026-11-26T08:59:00Z"));
        assertThat(event.getAttributes()).containsEntry("plan", "pro").containsEntry("seats", 3L).containsEntry("beta", true)
                .containsEntry("ratio", 0.25);
        assertThat(event.getSource()).isEqualTo(node.telemetry().nodeId());
    }

    @Test
    void a_batch_lands_whole_with_ids_made_for_events_without_one_and_epoch_millisecond_timestamps() {
        long millis = Instant.now().minusSeconds(60).toEpochMilli();
        EdgeFixture.Response response = track("{\"events\":[{\"eventKey\":\"page_viewed\",\"targetingKey\":\"user-2\"},"
                + "{\"eventKey\":\"booking_confirmed\",\"targetingKey\":\"user-3\",\"value\":10,\"timestamp\":" + millis + "},"
                + "{\"eventKey\":\"seen\",\"targetingKey\":\"user-4\",\"environment\":\"staging\"}]}");

        assertThat(response.status()).isEqualTo(202);
        assertThat(response.body().get("accepted").asInt()).isEqualTo(3);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> events.records().size() >= 3);
        assertThat(events.records()).extracting(r -> r.key() + " " + r.value().getEventKey()).containsExactlyInAnyOrder(
                "production/user-2 page_viewed", "production/user-3 booking_confirmed", "staging/user-4 seen");
        TrackingEvent booking = events.values().stream().filter(e -> e.getEventKey().equals("booking_confirmed")).findFirst()
                .orElseThrow();
        assertThat(booking.getOccurredAt()).isEqualTo(Instant.ofEpochMilli(millis));
        assertThat(booking.getValue()).isEqualTo(10.0);
        assertThat(events.values()).extracting(TrackingEvent::getEventId).doesNotHaveDuplicates().allMatch(id -> id.length() == 36);
    }

    @Test
    void a_batch_with_one_bad_event_is_refused_whole_naming_its_index_and_field_and_writes_nothing() {
        EdgeFixture.Response response = track("{\"events\":[{\"eventKey\":\"ok\",\"targetingKey\":\"probe\"},"
                + "{\"eventKey\":\"not ok!\",\"targetingKey\":\"probe\"},{\"eventKey\":\"ok\",\"targetingKey\":\"probe\"}]}");

        assertThat(response.status()).isEqualTo(400);
        JsonNode error = response.body().get("error");
        assertThat(error.get("code").asText()).isEqualTo("INVALID_FIELD");
        assertThat(error.get("field").asText()).isEqualTo("events[1].eventKey");
        assertThat(error.get("message").asText()).startsWith("events[1].eventKey must be 1 to 128 letters");
        assertThat(afterSentinel("probe")).extracting(TrackingEvent::getEventKey).containsExactly("sentinel");
        assertThat(node.telemetry().tracking().stats().invalid()).isEqualTo(1);
    }

    @Test
    void the_caller_needs_a_token_and_an_environment_it_may_read_there() {
        assertThat(send(node, "POST", "/api/v1/track", "{\"eventKey\":\"a\",\"targetingKey\":\"probe\"}", null).status())
                .isEqualTo(401);
        EdgeFixture.Response stagingOnly = send(node, "POST", "/api/v1/track", "{\"eventKey\":\"a\",\"targetingKey\":\"probe\"}",
                fixture.stagingReader);
        assertThat(stagingOnly.status()).isEqualTo(403);
        EdgeFixture.Response otherEnvironment = send(node, "POST", "/api/v1/track",
                "{\"eventKey\":\"a\",\"targetingKey\":\"probe\",\"environment\":\"production\"}", fixture.stagingReader,
                "X-Flagplane-Environment", "staging");
        assertThat(otherEnvironment.status()).isEqualTo(403);
        EdgeFixture.Response notServed = track("{\"events\":[{\"eventKey\":\"a\",\"targetingKey\":\"probe\","
                + "\"environment\":\"dev\"}]}");
        assertThat(notServed.status()).isEqualTo(400);
        assertThat(notServed.body().get("error").get("code").asText()).isEqualTo("ENVIRONMENT_NOT_SERVED");
        assertThat(notServed.body().get("error").get("field").asText()).isEqualTo("events[0].environment");

        EdgeFixture.Response staging = send(node, "POST", "/api/v1/track", "{\"eventKey\":\"staged\",\"targetingKey\":\"probe\"}",
                fixture.stagingReader, "X-Flagplane-Environment", "staging");
        assertThat(staging.status()).isEqualTo(202);
        List<TrackingEvent> written = afterSentinel("probe");
        assertThat(written).extracting(e -> e.getEnvironment() + " " + e.getEventKey())
                .containsExactlyInAnyOrder("staging staged", "production sentinel");
    }

    @Test
    void the_metrics_and_the_status_count_what_was_accepted_refused_and_sent() {
        track("{\"eventKey\":\"a\",\"targetingKey\":\"u\"}");
        track("{\"eventKey\":\"\",\"targetingKey\":\"u\"}");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> node.telemetry().tracking().stats().sent() == 1);

        assertThat(send(node, "GET", "/metrics", null, null).raw().body()).contains(
                "flagplane_tracking_events_total{outcome=\"accepted\"} 1.0",
                "flagplane_tracking_events_total{outcome=\"invalid\"} 1.0",
                "flagplane_tracking_events_total{outcome=\"dropped\"} 0.0",
                "flagplane_tracking_events_sent_total 1.0", "flagplane_tracking_send_errors_total 0.0");
        JsonNode status = send(node, "GET", "/api/v1/status", null, null).body().get("tracking");
        assertThat(status.get("enabled").asBoolean()).isTrue();
        assertThat(status.get("accepted").asLong()).isEqualTo(1);
        assertThat(status.get("invalid").asLong()).isEqualTo(1);
    }

    @Test
    void a_node_with_tracking_off_answers_404_tracking_disabled() {
        try (EdgeNode off = EdgeNode.start(fixture.config(stack.bootstrapServers(), stack.schemaRegistryUrl(), topics)
                .withTracking(TrackingSettings.disabled()))) {
            EdgeFixture.Response response = send(off, "POST", "/api/v1/track", "{\"eventKey\":\"a\",\"targetingKey\":\"u\"}",
                    fixture.reader);
            assertThat(response.status()).isEqualTo(404);
            assertThat(response.body().get("error").get("code").asText()).isEqualTo("TRACKING_DISABLED");
        }
    }

    @Test
    void when_the_buffer_is_full_a_request_gets_503_with_retry_after_and_nothing_of_it_is_taken() {
        // Kafka unreachable: the background thread waits on each record, so the buffer fills up
        EdgeConfig unreachable = new EdgeConfig("127.0.0.1", 0, "127.0.0.1:1", stack.schemaRegistryUrl(), topics,
                List.of("production"), true, fixture.tokens, null, Duration.ofSeconds(15), 10)
                .withTracking(TrackingSettings.defaults().withBufferCapacity(10).withMaxBatch(10));
        StringBuilder batch = new StringBuilder("{\"events\":[");
        for (int i = 0; i < 10; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"eventKey\":\"a\",\"targetingKey\":\"u").append(i).append("\"}");
        }
        String body = batch.append("]}").toString();
        try (EdgeNode stuck = EdgeNode.start(unreachable)) {
            assertThat(send(stuck, "POST", "/api/v1/track", body, fixture.reader).status()).isEqualTo(202);

            EdgeFixture.Response full = send(stuck, "POST", "/api/v1/track", body, fixture.reader);

            assertThat(full.status()).isEqualTo(503);
            assertThat(full.header("Retry-After")).isEqualTo("1");
            assertThat(full.body().get("error").get("code").asText()).isEqualTo("TRACKING_BUFFER_FULL");
            assertThat(stuck.telemetry().tracking().stats().dropped()).isEqualTo(10);
            assertThat(stuck.telemetry().tracking().stats().accepted()).isEqualTo(10);
        }
    }
}
