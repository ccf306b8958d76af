package io.flagplane.edge.it;

import static io.flagplane.edge.it.EdgeFixture.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.contract.TopicNames;
import io.flagplane.edge.EdgeNode;
import io.flagplane.http.RawConnection;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a hostile client found in the edge node's HTTP API, each held fixed against a node tailing
 * a real broker: no body gets a 5xx, every error comes in its route's shape (OFREP's
 * {@code errorCode}/{@code errorDetails} under {@code /ofrep/}, the platform's {@code error} object
 * elsewhere) with a sentence that names no class or library, wrong methods get 405, and a token
 * with its case flipped is refused on a connection where the real one was accepted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(SharedTestStack.class)
class HardeningIT {

    private static final String ONE = "/ofrep/v1/evaluate/flags/checkout.new_ui";
    private static final String BULK = "/ofrep/v1/evaluate/flags";
    private static final List<String> EVALUATION_ROUTES = List.of(ONE, BULK, "/api/v1/check/checkout.new_ui", "/api/v1/features");
    /** What an error message must never carry: class names, package names, a parser's location dump. */
    private static final Pattern INTERNALS = Pattern.compile(
            "Exception|Error:|java\\.|javax\\.|jakarta\\.|com\\.fasterxml|org\\.eclipse|org\\.apache|io\\.javalin|\\[Source:"
                    + "|StreamReadConstraints|Jackson");

    private final EdgeFixture fixture = new EdgeFixture();
    private EdgeNode node;

    @BeforeAll
    void start(TestStack stack) throws Exception {
        TopicNames topics = stack.newTopics("edge-hardening");
        stack.publishStates(topics.flagState(), Flags.checkoutNewUi(3), Flags.buttonColor(), Flags.split(), Flags.tiers());
        node = EdgeNode.start(fixture.config(stack.bootstrapServers(), stack.schemaRegistryUrl(), topics));
        assertThat(node.awaitReady(Duration.ofSeconds(30))).isTrue();
    }

    @AfterAll
    void stop() {
        node.close();
    }

    static Stream<Arguments> hostileBodies() {
        String deep = "{\"context\":{\"a\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}}";
        return Stream.of(
                arguments("trailing content", bytes("{\"context\":{}} garbage"), "PARSE_ERROR"),
                arguments("a duplicate field", bytes("{\"context\":{},\"context\":{\"targetingKey\":\"u\"}}"), "PARSE_ERROR"),
                arguments("nesting 5000 deep", bytes(deep), "PARSE_ERROR"),
                arguments("bad UTF-8", new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'}, "PARSE_ERROR"),
                arguments("not JSON", bytes("{oops"), "PARSE_ERROR"),
                arguments("not an object", bytes("[{\"context\":{}}]"), "PARSE_ERROR"),
                arguments("a context that is an array", bytes("{\"context\":[1]}"), "INVALID_CONTEXT"),
                arguments("a numeric targeting key", bytes("{\"context\":{\"targetingKey\":7}}"), "INVALID_CONTEXT"),
                arguments("a number no double holds", bytes("{\"context\":{\"targetingKey\":\"u\",\"n\":-1e400}}"), "INVALID_CONTEXT"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileBodies")
    void a_hostile_body_gets_a_400_in_each_routes_shape_naming_no_internals(String label, byte[] body, String code)
            throws IOException {
        for (String path : EVALUATION_ROUTES) {
            try (RawConnection connection = new RawConnection(node.port())) {
                RawConnection.Reply reply = connection.send("POST", path, "Authorization: Bearer " + fixture.reader, body);

                assertError(path, reply.status(), reply.body(), 400, code);
                if (path.equals(ONE)) {
                    assertThat(json(reply.body()).get("key").asText()).isEqualTo("checkout.new_ui");
                }
            }
        }
    }

    @Test
    void a_body_over_the_limit_gets_its_413_on_every_route_and_the_connection_serves_the_next_request() throws IOException {
        // well past the 256 KiB limit (a body just over it is often all in by the time the node answers), under 1 MiB
        byte[] oversized = bytes("{\"context\":{\"targetingKey\":\"u\",\"blob\":\"" + "x".repeat(900_000) + "\"}}");
        try (RawConnection connection = new RawConnection(node.port())) {
            for (String path : EVALUATION_ROUTES) {
                RawConnection.Reply refused = connection.send("POST", path, "Authorization: Bearer " + fixture.reader, oversized);
                assertError(path, refused.status(), refused.body(), 413, path.startsWith("/ofrep/") ? "GENERAL" : "BODY_TOO_LARGE");
                // the same connection (CI once lost the 413 itself when the node closed on the unread body)
                RawConnection.Reply next = connection.send("POST", ONE, "Authorization: Bearer " + fixture.reader,
                        bytes("{\"context\":{\"targetingKey\":\"u\"}}"));
                assertThat(next.status()).as(path).isEqualTo(200);
            }
        }
    }

    @Test
    void long_or_hostile_contexts_get_a_200_or_a_4xx_never_a_5xx() {
        StringBuilder manyAttributes = new StringBuilder("{\"context\":{\"targetingKey\":\"u\"");
        for (int i = 0; i < 15_000; i++) {
            manyAttributes.append(",\"a").append(i).append("\":").append(i);
        }
        String[] bodies = {"{\"context\":{\"targetingKey\":\"" + "u".repeat(250_000) + "\"}}",
                "{\"context\":{\"targetingKey\":\"u\",\"" + "k".repeat(200_000) + "\":1}}",
                manyAttributes.append("}}").toString(),
                "{\"context\":{\"targetingKey\":\"u\",\"nested\":" + "{\"a\":".repeat(60) + "1" + "}".repeat(60) + "}}",
                "{\"context\":{\"targetingKey\":\"\\u0000\\ud800\",\"tier\":[1,[2,{\"x\":null}]],\"big\":123456789012345678901234567890}}",
                "{\"context\":{\"targetingKey\":\"u\",\"tier\":\"pro\",\"blob\":\"" + "x".repeat(300_000) + "\"}}"};
        for (String body : bodies) {
            for (String path : EVALUATION_ROUTES) {
                EdgeFixture.Response response = send(node, "POST", path, body, fixture.reader);
                String label = path + " <- " + body.substring(0, Math.min(60, body.length()));
                assertThat(response.status()).as(label).isIn(200, 400, 413);
                if (response.status() == 413) {
                    assertError(path, response.status(), response.raw().body(), 413, path.startsWith("/ofrep/") ? "GENERAL"
                            : "BODY_TOO_LARGE");
                } else if (response.status() == 400) {
                    assertError(path, response.status(), response.raw().body(), 400, path.startsWith("/ofrep/")
                            ? response.body().path("errorCode").asText() : response.body().path("error").path("code").asText());
                }
            }
        }
    }

    @Test
    void a_wrong_method_gets_405_and_an_unknown_route_404_in_the_routes_shape() {
        String[][] requests = {{"GET", ONE}, {"DELETE", BULK}, {"PUT", "/ofrep/v1/configuration"}, {"POST", "/ofrep/v1/events"},
                {"PUT", "/api/v1/features"}, {"DELETE", "/api/v1/check/checkout.new_ui"}, {"POST", "/health/live"},
                {"POST", "/metrics"}, {"GET", "/api/v1/track"}, {"PUT", "/api/v1/track"}};
        for (String[] request : requests) {
            EdgeFixture.Response response = send(node, request[0], request[1], null, fixture.reader);
            assertError(request[0] + " " + request[1], response.status(), response.raw().body(), 405,
                    request[1].startsWith("/ofrep/") ? "GENERAL" : "METHOD_NOT_ALLOWED");
        }
        EdgeFixture.Response ofrep = send(node, "GET", "/ofrep/v2/configuration", null, fixture.reader);
        assertError("/ofrep/v2/configuration", ofrep.status(), ofrep.raw().body(), 404, "GENERAL");
        EdgeFixture.Response api = send(node, "GET", "/api/v1/flagz", null, fixture.reader);
        assertError("/api/v1/flagz", api.status(), api.raw().body(), 404, "NOT_FOUND");
    }

    @Test
    void an_environment_the_node_does_not_serve_is_a_400_with_its_own_code_on_rest_routes() {
        EdgeFixture.Response rest = send(node, "GET", "/api/v1/features?userId=u", null, fixture.reader,
                "X-Flagplane-Environment", "../staging");
        assertError("/api/v1/features", rest.status(), rest.raw().body(), 400, "ENVIRONMENT_NOT_SERVED");
        EdgeFixture.Response ofrep = send(node, "POST", ONE, "{}", fixture.reader, "X-Flagplane-Environment", "x".repeat(5_000));
        assertError(ONE, ofrep.status(), ofrep.raw().body(), 400, "GENERAL");
        assertThat(ofrep.body().get("errorDetails").asText()).hasSizeLessThan(300);
    }

    @Test
    void errors_jetty_raises_before_the_app_runs_come_in_the_routes_shape_or_in_both_when_the_path_is_unknown()
            throws IOException {
        try (RawConnection connection = new RawConnection(node.port())) {
            RawConnection.Reply unparsed = connection.send("POST", ONE + "%00", "Authorization: Bearer " + fixture.reader, bytes("{}"));
            assertThat(unparsed.status()).isEqualTo(400);
            assertThat(unparsed.header("content-type")).startsWith("application/json");
            JsonNode both = json(unparsed.body());
            assertThat(both.get("errorCode").asText()).isEqualTo("GENERAL");
            assertThat(both.get("errorDetails").asText()).isNotBlank().doesNotContainPattern(INTERNALS);
            assertThat(both.get("error").get("code").asText()).isEqualTo("MALFORMED_REQUEST");
            assertThat(both.get("error").get("message").asText()).isEqualTo(both.get("errorDetails").asText());
        }
        for (String path : List.of("/ofrep/v1/configuration", "/api/v1/features")) {
            try (RawConnection connection = new RawConnection(node.port())) {
                RawConnection.Reply big = connection.get(path, "X-Padding: " + "a".repeat(20_000));
                assertThat(big.header("content-type")).as(path).startsWith("application/json");
                assertError(path, big.status(), big.body(), 431, path.startsWith("/ofrep/") ? "GENERAL" : "HEADERS_TOO_LARGE");
            }
        }
    }

    @Test
    void a_token_with_its_case_flipped_is_refused_on_a_keep_alive_connection_in_either_order() throws IOException {
        String token = fixture.reader;
        String flipped = RawConnection.flipCase(token);
        for (String path : List.of("/ofrep/v1/configuration", "/api/v1/features?userId=u")) {
            try (RawConnection connection = new RawConnection(node.port())) {
                assertThat(connection.get(path, "Authorization: Bearer " + token).status()).as(path).isEqualTo(200);
                RawConnection.Reply wrong = connection.get(path, "Authorization: Bearer " + flipped);
                assertError(path, wrong.status(), wrong.body(), 401, path.startsWith("/ofrep/") ? "GENERAL" : "UNAUTHENTICATED");
            }
            try (RawConnection connection = new RawConnection(node.port())) {
                assertThat(connection.get(path, "Authorization: Bearer " + flipped).status()).as(path).isEqualTo(401);
                assertThat(connection.get(path, "Authorization: Bearer " + token).status()).as(path).isEqualTo(200);
            }
        }
    }

    /** OFREP's shape under /ofrep/, the platform's elsewhere; either way a stable code and a sentence of ours. */
    private static void assertError(String path, int status, String raw, int expectedStatus, String code) {
        assertThat(status).as(path + " " + raw).isEqualTo(expectedStatus);
        JsonNode body = json(raw);
        if (path.contains("/ofrep/")) {
            assertThat(body.has("error")).as(raw).isFalse();
            assertThat(body.path("errorCode").asText()).as(raw).isEqualTo(code);
            assertThat(body.path("errorDetails").asText()).as(raw).isNotBlank().doesNotContainPattern(INTERNALS);
        } else {
            assertThat(body.size()).as(raw).isEqualTo(1);
            assertThat(body.path("error").path("code").asText()).as(raw).isEqualTo(code).matches("[A-Z][A-Z_]*");
            assertThat(body.path("error").path("message").asText()).as(raw).isNotBlank().doesNotContainPattern(INTERNALS);
        }
    }

    private static JsonNode json(String raw) {
        try {
            return EdgeFixture.JSON.readTree(raw);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + raw, e);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
