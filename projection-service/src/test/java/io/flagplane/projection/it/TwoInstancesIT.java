package io.flagplane.projection.it;

import static io.flagplane.projection.telemetry.Reports.report;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.avro.SegmentState;
import io.flagplane.contract.RecordKeys;
import io.flagplane.http.RawConnection;
import io.flagplane.projection.query.StateWire;
import io.flagplane.registry.RestSchemaRegistryClient;
import io.flagplane.testkit.http.Api;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.Set;
import org.apache.kafka.common.utils.Utils;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two instances of one projection split the partitions between them, and either answers every query the same. */
@ExtendWith(SharedTestStack.class)
class TwoInstancesIT {

    private static final String FLAGS = "/api/v1/environments/production/flags";
    private ProjectionFixture fixture;
    private TestStack stackRef;

    @BeforeEach
    void start(TestStack stack) throws Exception {
        stackRef = stack;
        fixture = new ProjectionFixture(stack, "two", 2);
        // both instances own partitions before any data arrives
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            Set<Integer> seen = new HashSet<>();
            for (int i = 0; i < 2; i++) {
                JsonNode status = fixture.projection(i).get("/api/v1/status").body();
                if (status == null || status.get("partitions").isEmpty()) {
                    return false;
                }
                status.get("partitions").forEach(p -> seen.add(p.asInt()));
            }
            return seen.size() == 3;
        });
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void either_instance_answers_per_flag_queries_the_audit_log_and_exports_identically() {
        Api commands = fixture.commands();
        int flags = 12;
        for (int i = 0; i < flags; i++) {
            String key = "team.flag-" + i;
            assertThat(commands.post(FLAGS, "{\"key\":\"" + key + "\",\"type\":\"boolean\",\"tags\":[\"t" + (i % 3) + "\"]}").status())
                    .isEqualTo(201);
            assertThat(commands.post(FLAGS + "/" + key + "/enable", "{\"reason\":\"go " + i + "\"}").status()).isEqualTo(200);
            assertThat(commands.patch(FLAGS + "/" + key + "/rollout", "{\"percentage\":" + (10 + i) + "}").status()).isEqualTo(200);
        }
        fixture.awaitApplied(flags * 3L);
        assertThat(fixture.projections.get(0).metrics().applied()).as("instance 0 folded some").isPositive();
        assertThat(fixture.projections.get(1).metrics().applied()).as("instance 1 folded some").isPositive();

        Api first = fixture.projection(0);
        Api second = fixture.projection(1);
        for (int i = 0; i < flags; i++) {
            String key = "team.flag-" + i;
            for (String query : new String[] {"", "/history", "/history?limit=1", "/diff?from=1&to=3"}) {
                Api.Response a = first.get(FLAGS + "/" + key + query);
                Api.Response b = second.get(FLAGS + "/" + key + query);
                assertThat(a.status()).as(key + query).isEqualTo(200);
                assertThat(b.body()).as(key + query).isEqualTo(a.body());
            }
        }
        JsonNode audit = first.get("/api/v1/audit?limit=500").body();
        assertThat(audit.get("entries")).hasSize(ProjectionFixture.DECLARED_ENVIRONMENTS + flags * 3);
        assertThat(second.get("/api/v1/audit?limit=500").body()).isEqualTo(audit);

        // paging through both instances' shares, 5 at a time, visits every entry once, newest first
        Set<String> seen = new HashSet<>();
        String cursor = null;
        String previous = null;
        do {
            JsonNode page = (seen.size() % 2 == 0 ? second : first).get("/api/v1/audit?limit=5"
                    + (cursor == null ? "" : "&cursor=" + cursor)).body();
            for (JsonNode entry : page.get("entries")) {
                String id = entry.get("eventId").asText();
                assertThat(seen.add(id)).as("seen once: " + id).isTrue();
                // compared as instants: as text, "12:00:01Z" sorts after "12:00:01.123Z"
                String at = entry.get("occurredAt").asText();
                assertThat(previous == null || !java.time.Instant.parse(at).isAfter(java.time.Instant.parse(previous)))
                        .as("newest first: " + at + " after " + previous).isTrue();
                previous = at;
            }
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
        } while (cursor != null);
        assertThat(seen).hasSize(ProjectionFixture.DECLARED_ENVIRONMENTS + flags * 3);

        assertThat(first.get("/api/v1/audit?tag=t1").body().get("entries")).hasSize(4 * 3);
        String asOf = "2100-01-01T00:00:00Z";
        JsonNode export = first.get("/api/v1/export?asOf=" + asOf).body();
        assertThat(export.get("flags")).hasSize(flags);
        assertThat(second.get("/api/v1/export?asOf=" + asOf).body()).isEqualTo(export);
    }

    @Test
    void a_query_passed_to_the_instance_holding_the_flag_is_refused_like_a_local_one_whatever_its_query_string()
            throws Exception {
        Api commands = fixture.commands();
        int flags = 6;
        for (int i = 0; i < flags; i++) {
            assertThat(commands.post(FLAGS, "{\"key\":\"team.flag-" + i + "\",\"type\":\"boolean\"}").status()).isEqualTo(201);
        }
        fixture.awaitApplied(flags);
        // every flag is asked of both instances: one holds it, the other passes the query on
        for (int i = 0; i < flags; i++) {
            for (int instance = 0; instance < 2; instance++) {
                int port = fixture.projections.get(instance).port();
                try (RawConnection connection = new RawConnection(port)) {
                    // characters Jetty lets through in a query but no URI may hold: the hop to the owner threw
                    RawConnection.Reply reply = connection.get(FLAGS + "/team.flag-" + i + "/history?limit=a|b&tag={x}",
                            "Authorization: Bearer " + fixture.admin);
                    assertThat(reply.status()).as(reply.body()).isEqualTo(400);
                    JsonNode error = Api.JSON.readTree(reply.body()).get("error");
                    assertThat(error.get("code").asText()).isEqualTo("INVALID_PARAMETER");
                    assertThat(error.get("field").asText()).isEqualTo("limit");
                }
            }
        }
    }

    @Test
    void a_time_travel_evaluation_reads_a_segment_held_by_the_other_instance_as_it_was_then() {
        Api commands = fixture.commands();
        String flagKey = "checkout.new_ui";
        int flagOwner = ownerOf(RecordKeys.of("production", flagKey));
        // a segment whose events the other instance holds
        String segmentKey = null;
        for (int i = 0; segmentKey == null; i++) {
            if (ownerOf(RecordKeys.ofSegmentEvents("production", "beta-" + i)) != flagOwner) {
                segmentKey = "beta-" + i;
            }
        }
        String segments = "/api/v1/environments/production/segments";
        assertThat(commands.post(segments, "{\"key\":\"" + segmentKey + "\",\"included\":[\"user-1\"]}").status()).isEqualTo(201);
        Api.Response created = commands.post(FLAGS, """
                {"key":"checkout.new_ui","type":"boolean","enabled":true,"fallthrough":{"variant":"off"},
                 "rules":[{"id":"beta","conditions":[{"attribute":"targetingKey","operator":"in_segment","values":["%s"]}],
                           "serve":{"variant":"on"}}]}""".formatted(segmentKey));
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        Instant whenUser1WasIn = Instant.parse(created.body().get("flag").get("lastChange").get("at").asText());
        assertThat(commands.put(segments + "/" + segmentKey, "{\"included\":[\"user-2\"],\"reason\":\"beta rotated\"}")
                .status()).isEqualTo(200);
        fixture.awaitApplied(3);

        String user1 = "{\"context\":{\"targetingKey\":\"user-1\"}}";
        String then = FLAGS + "/" + flagKey + "/evaluate?asOf=" + URLEncoder.encode(whenUser1WasIn.toString(), StandardCharsets.UTF_8);
        for (int instance = 0; instance < 2; instance++) {   // the flag's owner, and the one that passes the query on
            Api.Response past = fixture.projection(instance).post(then, user1);
            assertThat(past.status()).as(past.raw()).isEqualTo(200);
            assertThat(past.body().get("value").asBoolean()).as("in the segment then, instance " + instance).isTrue();
            assertThat(past.body().get("reason").asText()).isEqualTo("TARGETING_MATCH");
            Api.Response now = fixture.projection(instance).post(FLAGS + "/" + flagKey + "/evaluate", user1);
            assertThat(now.status()).as(now.raw()).isEqualTo(200);
            assertThat(now.body().get("value").asBoolean()).as("out of it now, instance " + instance).isFalse();
            assertThat(now.body().get("reason").asText()).isEqualTo("DEFAULT");
        }

        // the internal route the flag's owner asked: the contract's SegmentState as it was then, for a token only
        String other = fixture.projections.get(1 - flagOwner).url();
        String internal = "/internal/v1/environments/production/segments/" + segmentKey + "?asOf=";
        String at = URLEncoder.encode(whenUser1WasIn.toString(), StandardCharsets.UTF_8);
        assertThat(new Api(other, null).get(internal + at).status()).isEqualTo(401);
        HttpResponse<byte[]> avro = getBytes(other + internal + at);
        assertThat(avro.statusCode()).isEqualTo(200);
        assertThat(avro.headers().firstValue("Content-Type")).hasValue(StateWire.SEGMENT_CONTENT_TYPE);
        SegmentState asItWas = new StateWire(new RestSchemaRegistryClient(fixture.stack.schemaRegistryUrl()),
                fixture.topics.flagState(), fixture.topics.segmentState()).decodeSegment(avro.body(), other);
        assertThat(asItWas.getSegmentKey()).isEqualTo(segmentKey);
        assertThat(asItWas.getVersion()).isEqualTo(1);
        assertThat(asItWas.getDefinition().getIncluded()).containsExactly("user-1");
        assertThat(getBytes(other + internal + "2001-01-01T00:00:00Z").statusCode()).as("it did not exist then").isEqualTo(204);
    }

    @Test
    void a_time_travel_evaluation_reads_a_prerequisite_held_by_the_other_instance_as_it_was_then() {
        Api commands = fixture.commands();
        String ui = "charges.ui";
        int uiOwner = ownerOf(RecordKeys.of("production", ui));
        String engine = null;   // a prerequisite whose events the other instance holds
        for (int i = 0; engine == null; i++) {
            if (ownerOf(RecordKeys.of("production", "charges.engine-" + i)) != uiOwner) {
                engine = "charges.engine-" + i;
            }
        }
        assertThat(commands.post(FLAGS, "{\"key\":\"" + engine + "\",\"type\":\"boolean\",\"enabled\":true}").status())
                .isEqualTo(201);
        Api.Response created = commands.post(FLAGS, "{\"key\":\"" + ui + "\",\"type\":\"boolean\",\"enabled\":true,"
                + "\"prerequisites\":[{\"flagKey\":\"" + engine + "\",\"variants\":[\"on\"]}]}");
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        Instant beforeTheKill = Instant.parse(created.body().get("flag").get("lastChange").get("at").asText());
        Api.Response killed = commands.post(FLAGS + "/" + engine + "/kill", "{\"reason\":\"charges are wrong\"}");
        assertThat(killed.status()).as(killed.raw()).isEqualTo(200);
        Instant afterTheKill = Instant.parse(killed.body().get("flag").get("lastChange").get("at").asText());
        fixture.awaitApplied(3);

        String user = "{\"context\":{\"targetingKey\":\"user-1\"}}";
        for (int instance = 0; instance < 2; instance++) {   // the dependant's owner, and the one that passes the query on
            Api.Response then = fixture.projection(instance).post(FLAGS + "/" + ui + "/evaluate?asOf="
                    + URLEncoder.encode(beforeTheKill.toString(), StandardCharsets.UTF_8), user);
            assertThat(then.status()).as(then.raw()).isEqualTo(200);
            assertThat(then.body().get("value").asBoolean()).as("before the kill, instance " + instance).isTrue();
            Api.Response after = fixture.projection(instance).post(FLAGS + "/" + ui + "/evaluate?asOf="
                    + URLEncoder.encode(afterTheKill.toString(), StandardCharsets.UTF_8), user);
            assertThat(after.status()).as(after.raw()).isEqualTo(200);
            assertThat(after.body().get("value").asBoolean()).as("after the kill, instance " + instance).isFalse();
            assertThat(after.body().get("reason").asText()).isEqualTo("PREREQUISITE_FAILED");
            assertThat(after.body().get("reasonDetail").asText()).isEqualTo("prerequisite " + engine + " served off, needs on");
        }
        String other = fixture.projections.get(1 - uiOwner).url();
        HttpResponse<byte[]> avro = getBytes(other + "/internal/v1/environments/production/flags/" + engine + "?asOf="
                + URLEncoder.encode(beforeTheKill.toString(), StandardCharsets.UTF_8));
        assertThat(avro.statusCode()).isEqualTo(200);
        assertThat(avro.headers().firstValue("Content-Type")).hasValue(StateWire.FLAG_CONTENT_TYPE);
        assertThat(new StateWire(new RestSchemaRegistryClient(fixture.stack.schemaRegistryUrl()), fixture.topics.flagState(),
                fixture.topics.segmentState()).decodeFlag(avro.body(), other).getKilled()).as("as it was then").isFalse();
    }

    private HttpResponse<byte[]> getBytes(String url) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                    .header("Authorization", "Bearer " + fixture.admin).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Which instance (0 or 1) holds the partition of {@code flag-events} this record key goes to. */
    private int ownerOf(String eventKey) {
        int partition = Utils.toPositive(Utils.murmur2(eventKey.getBytes(StandardCharsets.UTF_8))) % 3;
        for (int i = 0; i < 2; i++) {
            for (JsonNode p : fixture.projection(i).get("/api/v1/status").body().get("partitions")) {
                if (p.asInt() == partition) {
                    return i;
                }
            }
        }
        throw new IllegalStateException("no instance holds partition " + partition);
    }

    /**
     * A propagation wait asked of one instance, whose last pending node's reports are folded by the
     * other: the asked instance has the other wait for its own share (it holds a wait slot while
     * it does, which polling would not), and the answer is complete once that node reports.
     */
    @Test
    void a_propagation_wait_is_carried_by_the_instance_that_folds_the_pending_nodes_reports() throws Exception {
        Api commands = fixture.commands();
        assertThat(commands.post(FLAGS, "{\"key\":\"checkout.spread\",\"type\":\"boolean\",\"enabled\":true}").status())
                .isEqualTo(201);
        fixture.awaitApplied(1);
        try (Reporter reporter = new Reporter(stackRef, fixture.topics.evaluatorReports())) {
            Instant now = fixture.clock.instant();
            Instant started = Instant.parse("2026-01-01T00:00:00Z");
            List<String> nodes = List.of("edge-1", "edge-2", "edge-3", "edge-4", "edge-5", "edge-6", "edge-7", "edge-8");
            for (String node : nodes) {
                reporter.send(report(node).started(started).seq(1).at(now).heartbeat(1_000).build());
            }
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() ->
                    fixture.projections.get(0).reports().folded() + fixture.projections.get(1).reports().folded() >= nodes.size());
            // which instance folds which node's reports (reports are partitioned by node id)
            Map<String, Integer> holder = new HashMap<>();
            for (int i = 0; i < 2; i++) {
                for (JsonNode entry : fixture.projection(i).get("/internal/v1/evaluators").body()) {
                    holder.put(entry.get("nodeId").asText(), i);
                }
            }
            assertThat(holder).as("the eight nodes spread over both instances").containsOnlyKeys(nodes).containsValues(0, 1);
            // every node applies the change but one held by instance 1; instance 0 is asked to wait for it
            String late = nodes.stream().filter(n -> holder.get(n) == 1).findFirst().orElseThrow();
            for (String node : nodes) {
                if (!node.equals(late)) {
                    reporter.send(report(node).started(started).seq(2).at(now).heartbeat(1_000)
                            .applied("production", "checkout.spread", 1, now).build());
                }
            }
            String propagation = FLAGS + "/checkout.spread/propagation?version=1";
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() ->
                    fixture.projection(0).get(propagation).body().get("applied").asInt() == nodes.size() - 1);
            assertThat(fixture.projection(0).get(propagation).body().get("complete").asBoolean()).isFalse();

            CompletableFuture<Api.Response> waiting = CompletableFuture.supplyAsync(() ->
                    fixture.projection(0).get(propagation + "&wait=20s"));
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).until(() ->
                    fixture.projections.get(1).propagationWaits() == 1);
            assertThat(waiting).isNotDone();
            reporter.send(report(late).started(started).seq(2).at(now).heartbeat(1_000)
                    .applied("production", "checkout.spread", 1, now.plusMillis(40)).build());

            Api.Response done = waiting.get(20, TimeUnit.SECONDS);
            assertThat(done.status()).as(done.raw()).isEqualTo(200);
            assertThat(done.body().get("complete").asBoolean()).isTrue();
            assertThat(done.body().get("applied").asInt()).isEqualTo(nodes.size());
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> fixture.projections.get(1).propagationWaits() == 0);
        }
    }
}
