package io.flagplane.projection.it;

import io.flagplane.testkit.http.Api;
import java.util.ArrayList;
import java.util.List;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.SseReader;
import io.flagplane.testkit.stack.TestStack;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** SREs watching changes live: filters, heartbeats, and resuming where they left off. */
@ExtendWith(SharedTestStack.class)
class EventStreamIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(15);
    private ProjectionFixture fixture;
    private Api commands;
    private String stream;

    @BeforeEach
    void start(TestStack stack) throws Exception {
        fixture = new ProjectionFixture(stack, "sse", 1);
        commands = fixture.commands();
        stream = fixture.projections.get(0).url() + "/api/v1/events/stream";
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private void awaitOpen(SseReader client) throws Exception {
        assertThat(client.status()).isEqualTo(200);
        assertThat(client.next("heartbeat", WAIT)).as("the stream is live").isNotNull();
    }

    @Test
    void a_filtered_stream_sees_only_its_changes_and_resumes_after_the_last_one_it_saw() throws Exception {
        String first;
        try (SseReader client = new SseReader(stream + "?environment=production&tag=checkout", fixture.admin, null)) {
            awaitOpen(client);
            commands.post("/api/v1/environments/production/flags", "{\"key\":\"search.semantic\",\"type\":\"boolean\",\"tags\":[\"search\"]}");
            commands.post("/api/v1/environments/staging/flags", "{\"key\":\"checkout.new_ui\",\"type\":\"boolean\",\"tags\":[\"checkout\"]}");
            commands.post("/api/v1/environments/production/flags", "{\"key\":\"checkout.new_ui\",\"type\":\"boolean\",\"tags\":[\"checkout\"]}");
            commands.as(fixture.ci).post("/api/v1/environments/production/flags/checkout.new_ui/kill", "{\"reason\":\"p99 latency\"}");

            SseReader.Event created = client.next("change", WAIT);
            assertThat(created).isNotNull();
            JsonNode data = JSON.readTree(created.data());
            assertThat(data.get("environment").asText()).isEqualTo("production");
            assertThat(data.get("key").asText()).isEqualTo("checkout.new_ui");
            assertThat(data.get("type").asText()).isEqualTo("FlagCreated");
            first = created.id();

            JsonNode killed = JSON.readTree(client.next("change", WAIT).data());
            assertThat(killed.get("type").asText()).isEqualTo("FlagKilled");
            assertThat(killed.get("actor").get("id").asText()).isEqualTo("ci-pipeline");
            assertThat(killed.get("reason").asText()).isEqualTo("p99 latency");
        }

        try (SseReader resumed = new SseReader(stream + "?environment=production&tag=checkout", fixture.admin, first)) {
            assertThat(resumed.status()).isEqualTo(200);
            SseReader.Event next = resumed.next("change", WAIT);
            assertThat(next).isNotNull();
            assertThat(JSON.readTree(next.data()).get("type").asText()).as("the event after the last one seen").isEqualTo("FlagKilled");
        }
    }

    @Test
    void heartbeats_carry_the_position_so_a_quiet_filtered_stream_resumes_from_where_it_was() throws Exception {
        String position;
        try (SseReader client = new SseReader(stream + "?type=FlagKilled", fixture.admin, null)) {
            awaitOpen(client);
            commands.post("/api/v1/environments/production/flags", "{\"key\":\"a.flag\",\"type\":\"boolean\"}");
            fixture.awaitApplied(1);
            SseReader.Event heartbeat = client.next("heartbeat", WAIT);
            heartbeat = client.next("heartbeat", WAIT);   // one sent after the event was read
            position = heartbeat.id();
            assertThat(position).isNotEqualTo("0.0.0");
        }
        commands.post("/api/v1/environments/production/flags/a.flag/kill", "");
        try (SseReader resumed = new SseReader(stream + "?type=FlagKilled", fixture.admin, position)) {
            SseReader.Event killed = resumed.next("change", WAIT);
            assertThat(killed).isNotNull();
            assertThat(JSON.readTree(killed.data()).get("key").asText()).isEqualTo("a.flag");
        }
    }

    @Test
    void a_stream_can_start_from_an_instant() throws Exception {
        commands.post("/api/v1/environments/production/flags", "{\"key\":\"b.flag\",\"type\":\"boolean\"}");
        try (SseReader client = new SseReader(stream + "?since=2000-01-01T00:00:00Z", fixture.admin, null)) {
            List<JsonNode> replayed = new ArrayList<>();
            for (int i = 0; i < 3; i++) {   // the two environments declared at start-up, and the flag
                SseReader.Event event = client.next("change", WAIT);
                assertThat(event).isNotNull();
                replayed.add(JSON.readTree(event.data()));
            }
            assertThat(replayed).extracting(e -> e.get("kind").asText() + ":" + e.get("key").asText())
                    .containsExactlyInAnyOrder("environment:production", "environment:staging", "flag:b.flag");
        }
    }

    @Test
    void bad_requests_are_refused_before_the_stream_starts() {
        Api projection = fixture.projection().with("Accept", "text/event-stream");
        Api.Response badId = projection.with("Last-Event-ID", "banana").get("/api/v1/events/stream");
        assertThat(badId.status()).isEqualTo(400);
        assertThat(badId.errorField()).isEqualTo("Last-Event-ID");
        assertThat(projection.get("/api/v1/events/stream?since=soon").errorField()).isEqualTo("since");
        assertThat(projection.as(null).get("/api/v1/events/stream").status()).isEqualTo(401);
        assertThat(projection.as(fixture.stagingViewer).get("/api/v1/events/stream?environment=production").status())
                .isEqualTo(403);
    }
}
