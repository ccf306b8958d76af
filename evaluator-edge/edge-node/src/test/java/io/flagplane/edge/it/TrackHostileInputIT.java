package io.flagplane.edge.it;

import static io.flagplane.edge.it.EdgeFixture.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.avro.TrackingEvent;
import io.flagplane.contract.TopicNames;
import io.flagplane.edge.EdgeNode;
import io.flagplane.http.RawConnection;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TelemetryReader;
import io.flagplane.testkit.stack.TestStack;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hostile input against {@code POST /api/v1/track}, organised like the stack's hostile suite
 * (families; every violation of a family reported before it fails): broken JSON, huge and deep
 * bodies, wrong types, nulls, unknown fields, values past every bound. Each must get a 4xx in the
 * platform's error shape, {@code {"error": {"code", "field"?, "message"}}}, naming no class or
 * library, and none may write anything to {@code tracking-events}: every hostile event is about
 * one user, so a sentinel event for that user sent afterwards proves it (a user's events share a
 * partition and keep their order). Then a seeded sample of byte-level mutations of a valid batch
 * ({@code -Dhostile.seed}, {@code -Dhostile.requests}, default 300) must never get a 5xx.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(SharedTestStack.class)
class TrackHostileInputIT {

    private static final long SEED = Long.getLong("hostile.seed", 20_261_126L);
    private static final int REQUESTS = Integer.getInteger("hostile.requests", 300);
    private static final String USER = "hostile-user";
    private static final Pattern INTERNALS = Pattern.compile(
            "Exception|Error:|java\\.|javax\\.|jakarta\\.|com\\.fasterxml|org\\.eclipse|org\\.apache|io\\.javalin|\\[Source:"
                    + "|StreamReadConstraints|Jackson|Cannot (coerce|deserialize|construct)");

    private final EdgeFixture fixture = new EdgeFixture();
    private EdgeNode node;
    private TelemetryReader<TrackingEvent> events;

    /** A hostile body, what it must get, and the field its refusal must name (null: none). */
    private record Case(String label, byte[] body, int status, String code, String field) {
    }

    @BeforeAll
    void start(TestStack stack) throws Exception {
        TopicNames topics = stack.newTopics("edge-track-hostile");
        stack.publishStates(topics.flagState(), Flags.checkoutNewUi(1));
        node = EdgeNode.start(fixture.config(stack.bootstrapServers(), stack.schemaRegistryUrl(), topics));
        assertThat(node.awaitReady(Duration.ofSeconds(30))).isTrue();
        events = new TelemetryReader<>(stack.bootstrapServers(), stack.registryClient(), topics.trackingEvents(),
                TrackingEvent.class);
    }

    @AfterAll
    void stop() {
        node.close();
        events.close();
    }

    private static Case invalid(String label, String body, String field) {
        return new Case(label, bytes(body), 400, "INVALID_FIELD", field);
    }

    private static Case parse(String label, byte[] body) {
        return new Case(label, body, 400, "PARSE_ERROR", null);
    }

    /** One valid event with {@code extra} JSON members added, e.g. {@code "value":"42"}. */
    private static String event(String extra) {
        return "{\"eventKey\":\"booking_confirmed\",\"targetingKey\":\"" + USER + "\"" + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    private static List<Case> cases() {
        StringBuilder attributes = new StringBuilder();
        for (int i = 0; i < 51; i++) {
            attributes.append(i == 0 ? "" : ",").append("\"a").append(i).append("\":").append(i);
        }
        StringBuilder tooMany = new StringBuilder("{\"events\":[");
        for (int i = 0; i < 1_001; i++) {
            tooMany.append(i == 0 ? "" : ",").append(event(""));
        }
        String past = Instant.now().minus(Duration.ofDays(30)).toString();
        List<Case> cases = new ArrayList<>(List.of(
                parse("not JSON", bytes("{oops")),
                parse("trailing content", bytes(event("") + " garbage")),
                parse("a duplicate field", bytes("{\"eventKey\":\"a\",\"eventKey\":\"b\",\"targetingKey\":\"" + USER + "\"}")),
                parse("nesting 5000 deep", bytes(event("\"attributes\":{\"a\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}"))),
                parse("bad UTF-8", new byte[] {'{', '"', 'e', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}),
                parse("an array", bytes("[" + event("") + "]")),
                parse("a string", bytes("\"booking_confirmed\"")),
                parse("no body", new byte[0]),
                invalid("a numeric event key", "{\"eventKey\":7,\"targetingKey\":\"" + USER + "\"}", "eventKey"),
                invalid("a numeric targeting key", "{\"eventKey\":\"a\",\"targetingKey\":7}", "targetingKey"),
                invalid("a value in quotes", event("\"value\":\"42\""), "value"),
                invalid("a boolean value", event("\"value\":true"), "value"),
                invalid("a value no double holds", event("\"value\":-1e400"), "value"),
                invalid("an object for a value", event("\"value\":{\"amount\":1}"), "value"),
                invalid("a boolean timestamp", event("\"timestamp\":true"), "timestamp"),
                invalid("a timestamp in words", event("\"timestamp\":\"yesterday\""), "timestamp"),
                invalid("a fractional epoch timestamp", event("\"timestamp\":1.5"), "timestamp"),
                invalid("a timestamp at year 9999", event("\"timestamp\":\"9999-12-31T00:00:00Z\""), "timestamp"),
                invalid("a timestamp past year 9999", event("\"timestamp\":\"+999999999-12-31T23:59:59Z\""), "timestamp"),
                invalid("an epoch timestamp past any year", event("\"timestamp\":-100000000000000000000"), "timestamp"),
                invalid("a timestamp 30 days old", event("\"timestamp\":\"" + past + "\""), "timestamp"),
                invalid("attributes as a list", event("\"attributes\":[1,2]"), "attributes"),
                invalid("attributes as a string", event("\"attributes\":\"plan=pro\""), "attributes"),
                invalid("a nested attribute", event("\"attributes\":{\"cart\":{\"items\":2}}"), "attributes.cart"),
                invalid("a list attribute", event("\"attributes\":{\"tags\":[\"a\"]}"), "attributes.tags"),
                invalid("51 attributes", event("\"attributes\":{" + attributes + "}"), "attributes"),
                invalid("a 1025-character attribute", event("\"attributes\":{\"plan\":\"" + "p".repeat(1_025) + "\"}"),
                        "attributes.plan"),
                invalid("a 129-character attribute name", event("\"attributes\":{\"" + "n".repeat(129) + "\":1}"), "attributes"),
                invalid("an unknown field", event("\"userId\":\"u\""), "userId"),
                invalid("a null event key", "{\"eventKey\":null,\"targetingKey\":\"" + USER + "\"}", "eventKey"),
                invalid("a null attribute", event("\"attributes\":{\"plan\":null}"), "attributes.plan"),
                invalid("no event key", "{\"targetingKey\":\"" + USER + "\"}", "eventKey"),
                invalid("no targeting key", "{\"eventKey\":\"a\"}", "targetingKey"),
                invalid("an empty targeting key", "{\"eventKey\":\"a\",\"targetingKey\":\"\"}", "targetingKey"),
                invalid("a targeting key of 250,000 characters", "{\"eventKey\":\"a\",\"targetingKey\":\"" + "u".repeat(250_000)
                        + "\"}", "targetingKey"),
                invalid("an event key with a space", "{\"eventKey\":\"booking confirmed\",\"targetingKey\":\"" + USER + "\"}",
                        "eventKey"),
                invalid("an event key with an umlaut", "{\"eventKey\":\"b\u00f6oking\",\"targetingKey\":\"" + USER + "\"}",
                        "eventKey"),
                invalid("an event id with a space", event("\"eventId\":\"a b\""), "eventId"),
                invalid("an environment of 500 characters", event("\"environment\":\"" + "e".repeat(500) + "\""), "environment"),
                invalid("events as an object", "{\"events\":{}}", "events"),
                invalid("no events", "{\"events\":[]}", "events"),
                invalid("a number for an event", "{\"events\":[1]}", "events[0]"),
                invalid("a null event", "{\"events\":[" + event("") + ",null]}", "events[1]"),
                invalid("1,001 events", tooMany.append("]}").toString(), "events"),
                invalid("a field beside the events", "{\"events\":[" + event("") + "],\"eventKey\":\"a\"}", "eventKey"),
                invalid("a bad third event", "{\"events\":[" + event("") + "," + event("") + "," + event("\"value\":\"x\"") + "]}",
                        "events[2].value"),
                new Case("an environment the node does not serve", bytes(event("\"environment\":\"dev\"")), 400,
                        "ENVIRONMENT_NOT_SERVED", "environment"),
                new Case("a body over 256 KiB", bytes(event("\"attributes\":{\"blob\":\"" + "x".repeat(300_000) + "\"}")), 413,
                        "BODY_TOO_LARGE", null)));
        return cases;
    }

    @Test
    @Order(1)
    void every_hostile_body_gets_its_4xx_with_a_code_the_field_and_a_sentence_and_writes_nothing() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Case c : cases()) {
            try (RawConnection connection = new RawConnection(node.port())) {
                RawConnection.Reply reply = connection.send("POST", "/api/v1/track", "Authorization: Bearer " + fixture.reader,
                        c.body());
                String problem = problem(reply, c);
                if (problem != null) {
                    violations.add(c.label() + ": " + problem);
                }
            }
        }

        assertThat(send(node, "POST", "/api/v1/track", event("\"eventKey\":\"sentinel\"").replace(
                "\"eventKey\":\"booking_confirmed\",", ""), fixture.reader).status()).isEqualTo(202);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> events.values().stream()
                .anyMatch(e -> e.getEventKey().equals("sentinel")));
        assertThat(violations).as("violations").isEmpty();
        assertThat(events.values()).as("nothing but the sentinel was written").extracting(TrackingEvent::getEventKey)
                .containsExactly("sentinel");
    }

    @Test
    @Order(2)
    void mutated_batches_get_a_202_or_a_json_4xx_never_a_5xx() throws IOException {
        byte[] valid = bytes("{\"events\":[" + event("\"value\":42.5,\"attributes\":{\"plan\":\"pro\",\"seats\":3}") + ","
                + event("\"timestamp\":\"" + Instant.now() + "\",\"eventId\":\"id-1\"") + "]}");
        Random random = new Random(SEED);
        List<String> violations = new ArrayList<>();
        byte[] alphabet = bytes("{}[]\":,.-+eE0123456789 \\nult\u00e9");
        for (int i = 0; i < REQUESTS; i++) {
            byte[] body = valid.clone();
            int edits = 1 + random.nextInt(4);
            for (int e = 0; e < edits; e++) {
                body[random.nextInt(body.length)] = random.nextInt(4) == 0 ? (byte) random.nextInt(256)
                        : alphabet[random.nextInt(alphabet.length)];
            }
            try (RawConnection connection = new RawConnection(node.port())) {
                RawConnection.Reply reply = connection.send("POST", "/api/v1/track", "Authorization: Bearer " + fixture.reader,
                        body);
                if (reply.status() != 202) {
                    String problem = problem(reply, new Case("mutation", body, reply.status(), null, null));
                    if (problem != null || reply.status() >= 500) {
                        violations.add("seed " + SEED + " #" + i + " " + new String(body, StandardCharsets.UTF_8) + ": "
                                + (problem == null ? "status " + reply.status() : problem));
                    }
                }
            }
        }
        System.out.printf("track hostile mutations: %d requests, seed %d, %d violations%n", REQUESTS, SEED, violations.size());
        assertThat(violations).isEmpty();
    }

    /** What is wrong with the reply, or null: the status, the shape, the code, the field, a sentence free of internals. */
    private static String problem(RawConnection.Reply reply, Case c) {
        if (reply.status() != c.status()) {
            return "status " + reply.status() + ", expected " + c.status() + ": " + abbreviate(reply.body());
        }
        if (reply.status() < 400 || reply.status() >= 500) {
            return "status " + reply.status() + " is not a 4xx";
        }
        JsonNode body;
        try {
            body = EdgeFixture.JSON.readTree(reply.body());
        } catch (IOException e) {
            return "not JSON: " + abbreviate(reply.body());
        }
        JsonNode error = body.path("error");
        if (body.size() != 1 || !error.isObject()) {
            return "not the platform's error shape: " + abbreviate(reply.body());
        }
        String code = error.path("code").asText();
        if (!code.matches("[A-Z][A-Z_]*") || (c.code() != null && !code.equals(c.code()))) {
            return "code " + code + ", expected " + c.code();
        }
        String message = error.path("message").asText();
        if (message.isBlank() || INTERNALS.matcher(message).find() || message.length() > 500) {
            return "message " + abbreviate(message);
        }
        if (c.field() != null && !c.field().equals(error.path("field").asText(null))) {
            return "field " + error.path("field").asText(null) + ", expected " + c.field() + " (" + message + ")";
        }
        if (c.field() != null && !message.startsWith(c.field() + " ")) {
            return "the message does not start with the field: " + message;
        }
        return null;
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
