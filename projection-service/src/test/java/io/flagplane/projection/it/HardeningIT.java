package io.flagplane.projection.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagplane.http.RawConnection;
import io.flagplane.testkit.http.Api;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * What a hostile client found in the projection's HTTP API, each held fixed against the real
 * service and broker: no input gets a 5xx, every error is {@code {"error": {"code", "message"}}}
 * with a stable code and a sentence that names no class or library, wrong methods get 405, and a
 * token with its case flipped is refused on a connection where the real one was accepted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(SharedTestStack.class)
class HardeningIT {

    private static final String FLAGS = "/api/v1/environments/production/flags";
    private static final String FLAG = FLAGS + "/search.semantic";
    private static final String SEGMENTS = "/api/v1/environments/production/segments";
    private static final String FAR_PAST = "-999999999-01-01T00:00:00Z";
    private static final String FAR_FUTURE = "%2B999999999-12-31T23:59:59Z";
    /** What an error message must never carry: class names, package names, a parser's location dump. */
    private static final Pattern INTERNALS = Pattern.compile(
            "Exception|Error:|java\\.|javax\\.|jakarta\\.|com\\.fasterxml|org\\.eclipse|org\\.apache|io\\.javalin|\\[Source:"
                    + "|StreamReadConstraints|Jackson");
    private static final ObjectMapper JSON = new ObjectMapper();

    private ProjectionFixture fixture;
    private Api projection;
    private int port;

    @BeforeAll
    void start(TestStack stack) throws Exception {
        fixture = new ProjectionFixture(stack, "phard", 1);
        Api commands = fixture.commands();
        assertThat(commands.post(FLAGS, "{\"key\":\"search.semantic\",\"type\":\"boolean\",\"enabled\":true}").status())
                .isEqualTo(201);
        assertThat(commands.patch(FLAG + "/rollout", "{\"percentage\":10}").status()).isEqualTo(200);
        assertThat(commands.post(SEGMENTS, "{\"key\":\"beta-users\",\"included\":[\"user-1\"]}").status()).isEqualTo(201);
        fixture.awaitApplied(3);
        projection = fixture.projection();
        port = fixture.projections.get(0).port();
    }

    @AfterAll
    void stop() {
        fixture.close();
    }

    static Stream<Arguments> hostileQueries() {
        return Stream.of(
                // instants at the edge of Instant's range: toEpochMilli() overflowed into a 500
                arguments("GET", FLAG + "?asOf=" + FAR_PAST, 400, "INVALID_PARAMETER", "asOf"),
                arguments("GET", FLAG + "?asOf=" + FAR_FUTURE, 400, "INVALID_PARAMETER", "asOf"),
                arguments("GET", FLAG + "/history?since=" + FAR_PAST, 400, "INVALID_PARAMETER", "since"),
                arguments("GET", FLAG + "/history?until=" + FAR_FUTURE, 400, "INVALID_PARAMETER", "until"),
                arguments("GET", "/api/v1/audit?since=" + FAR_PAST, 400, "INVALID_PARAMETER", "since"),
                arguments("GET", "/api/v1/audit?until=" + FAR_FUTURE, 400, "INVALID_PARAMETER", "until"),
                arguments("GET", "/api/v1/export?asOf=" + FAR_FUTURE, 400, "INVALID_PARAMETER", "asOf"),
                arguments("GET", "/api/v1/environments/production/export?asOf=" + FAR_PAST, 400, "INVALID_PARAMETER", "asOf"),
                arguments("GET", "/internal/v1/export?asOf=" + FAR_PAST, 400, "INVALID_PARAMETER", "asOf"),
                arguments("GET", "/api/v1/events/stream?since=" + FAR_PAST, 400, "INVALID_PARAMETER", "since"),
                arguments("POST", FLAG + "/evaluate?asOf=" + FAR_FUTURE, 400, "INVALID_PARAMETER", "asOf"),
                // names no command could have written: an encoded "../" reached a record key and threw
                arguments("GET", "/api/v1/environments/..%2Fstaging/flags/search.semantic", 400, "INVALID_ENVIRONMENT", "env"),
                arguments("GET", "/api/v1/environments/..%2Fstaging/segments/beta-users/history", 400, "INVALID_ENVIRONMENT", "env"),
                arguments("GET", "/api/v1/environments/Production/flags/search.semantic", 400, "INVALID_ENVIRONMENT", "env"),
                arguments("GET", "/api/v1/environments/" + "p".repeat(65) + "/flags/search.semantic", 400, "INVALID_ENVIRONMENT", "env"),
                arguments("GET", "/api/v1/environments/..%2Fstaging/export", 400, "INVALID_ENVIRONMENT", "env"),
                arguments("GET", "/api/v1/export?environment=..%2Fstaging", 400, "INVALID_ENVIRONMENT", "environment"),
                arguments("GET", "/api/v1/audit?environment=..%2Fstaging", 400, "INVALID_ENVIRONMENT", "environment"),
                arguments("GET", "/internal/v1/audit?environment=..%2Fstaging", 400, "INVALID_ENVIRONMENT", "environment"),
                arguments("GET", "/api/v1/events/stream?environment=..%2Fstaging", 400, "INVALID_ENVIRONMENT", "environment"),
                arguments("GET", FLAGS + "/..%2F..%2Fsearch.semantic", 400, "INVALID_FLAG_KEY", "key"),
                arguments("GET", FLAGS + "/Search.Semantic/history", 400, "INVALID_FLAG_KEY", "key"),
                arguments("GET", FLAGS + "/nodots/diff?from=0&to=1", 400, "INVALID_FLAG_KEY", "key"),
                arguments("POST", FLAGS + "/" + "a.".repeat(70) + "b/evaluate", 400, "INVALID_FLAG_KEY", "key"),
                arguments("GET", SEGMENTS + "/..%2Fbeta-users", 400, "INVALID_SEGMENT_KEY", "key"),
                arguments("GET", SEGMENTS + "/Beta%20Users/diff?from=0&to=1", 400, "INVALID_SEGMENT_KEY", "key"),
                arguments("GET", "/api/v1/events/stream?flag=..%2Fx", 400, "INVALID_FLAG_KEY", "flag"),
                // numbers, cursors and positions
                arguments("GET", FLAG + "/history?limit=abc", 400, "INVALID_PARAMETER", "limit"),
                arguments("GET", FLAG + "/history?limit=-1", 400, "INVALID_PARAMETER", "limit"),
                arguments("GET", FLAG + "/history?limit=501", 400, "INVALID_PARAMETER", "limit"),
                arguments("GET", FLAG + "/history?limit=99999999999999999999999", 400, "INVALID_PARAMETER", "limit"),
                arguments("GET", "/api/v1/audit?limit=1e3", 400, "INVALID_PARAMETER", "limit"),
                arguments("GET", FLAG + "?version=abc", 400, "INVALID_PARAMETER", "version"),
                arguments("GET", FLAG + "?version=0", 400, "INVALID_PARAMETER", "version"),
                arguments("GET", FLAG + "?version=99999999999999999999", 400, "INVALID_PARAMETER", "version"),
                arguments("GET", FLAG + "?version=9223372036854775807", 404, "VERSION_NOT_FOUND", null),
                arguments("GET", FLAG + "/diff?from=-1&to=2", 400, "INVALID_PARAMETER", "from"),
                arguments("GET", FLAG + "/diff?from=1&to=0x2", 400, "INVALID_PARAMETER", "to"),
                arguments("GET", FLAG + "/diff?from=99999999999999999999&to=1", 400, "INVALID_PARAMETER", "from"),
                arguments("GET", FLAG + "/diff?from=1&to=9223372036854775807", 404, "VERSION_NOT_FOUND", null),
                arguments("GET", FLAG + "/history?cursor=-3", 400, "INVALID_PARAMETER", "cursor"),
                arguments("GET", "/api/v1/audit?cursor=%25%25%25", 400, "INVALID_PARAMETER", "cursor"),
                arguments("GET", "/api/v1/audit?cursor=AAAAAAAAAAAAAAAAAAAA", 400, "INVALID_PARAMETER", "cursor"),
                arguments("GET", "/internal/v1/audit?position=%F0%9F%92%A5", 400, "INVALID_PARAMETER", "position"),
                arguments("GET", "/api/v1/events/stream?lastEventId=1.x.%00", 400, "INVALID_PARAMETER", "Last-Event-ID"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("hostileQueries")
    void a_hostile_query_gets_a_4xx_naming_what_is_wrong_and_no_internals(String method, String path, int status, String code,
                                                                          String field) {
        Api.Response response = projection.send(method, path, method.equals("POST") ? "{}" : null);

        assertApiError(response.status(), response.raw(), status, code, field);
    }

    static Stream<Arguments> hostileBodies() {
        String deep = "{\"context\":{\"a\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}}";
        return Stream.of(
                arguments("trailing content", bytes("{\"context\":{}} garbage"), "MALFORMED_REQUEST", null),
                arguments("a duplicate field", bytes("{\"context\":{},\"context\":{\"targetingKey\":\"u\"}}"), "MALFORMED_REQUEST", null),
                arguments("nesting 5000 deep", bytes(deep), "MALFORMED_REQUEST", null),
                arguments("bad UTF-8", new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'}, "MALFORMED_REQUEST", null),
                arguments("not an object", bytes("[{\"context\":{}}]"), "MALFORMED_REQUEST", null),
                arguments("not JSON", bytes("context=user-1"), "MALFORMED_REQUEST", null),
                arguments("an unknown field", bytes("{\"contxt\":{\"targetingKey\":\"user-1\"}}"), "MALFORMED_REQUEST", "contxt"),
                arguments("a context that is an array", bytes("{\"context\":[1]}"), "INVALID_CONTEXT", "context"),
                arguments("a numeric targeting key", bytes("{\"context\":{\"targetingKey\":7}}"), "INVALID_CONTEXT", "context"),
                arguments("a number no double holds", bytes("{\"context\":{\"targetingKey\":\"u\",\"n\":1e400}}"), "INVALID_CONTEXT",
                        "context.n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileBodies")
    void a_hostile_evaluate_body_gets_a_400_naming_what_is_wrong_and_no_internals(String label, byte[] body, String code,
                                                                                  String field) throws IOException {
        try (RawConnection connection = new RawConnection(port)) {
            RawConnection.Reply reply = connection.send("POST", FLAG + "/evaluate", "Authorization: Bearer " + fixture.admin, body);

            assertApiError(reply.status(), reply.body(), 400, code, field);
        }
    }

    @Test
    void long_or_hostile_contexts_get_a_200_or_a_4xx_never_a_5xx() throws IOException {
        StringBuilder manyAttributes = new StringBuilder("{\"context\":{\"targetingKey\":\"u\"");
        for (int i = 0; i < 3_000; i++) {
            manyAttributes.append(",\"a").append(i).append("\":").append(i);
        }
        String[] bodies = {"", "{}", "{\"context\":null}", "{\"context\":{}}",
                "{\"context\":{\"targetingKey\":\"" + "u".repeat(60_000) + "\"}}",
                "{\"context\":{\"targetingKey\":\"u\",\"" + "k".repeat(30_000) + "\":1}}",
                manyAttributes.append("}}").toString(),
                "{\"context\":{\"targetingKey\":\"u\",\"nested\":" + "{\"a\":".repeat(60) + "1" + "}".repeat(60) + "}}",
                "{\"context\":{\"targetingKey\":\"\\u0000\\ud800\",\"tier\":[1,[2,{\"x\":null}]],\"big\":123456789012345678901234567890}}",
                "{\"context\":{\"targetingKey\":\"u\",\"blob\":\"" + "x".repeat(70_000) + "\"}}"};
        for (String body : bodies) {
            Api.Response response = projection.post(FLAG + "/evaluate", body);
            String label = body.length() > 60 ? body.substring(0, 60) + "..." : body;
            assertThat(response.status()).as(label).isIn(200, 400, 413);
            if (response.status() == 200) {
                assertThat(response.body().get("key").asText()).as(label).isEqualTo("search.semantic");
            } else {
                assertApiError(response.status(), response.raw(), response.status(), response.status() == 413 ? "BODY_TOO_LARGE"
                        : response.errorCode(), response.errorField());
            }
        }
        assertThat(projection.post(FLAG + "/evaluate", "{\"context\":{\"targetingKey\":\"u\",\"blob\":\"" + "x".repeat(70_000)
                + "\"}}").status()).isEqualTo(413);
    }

    @Test
    void a_wrong_method_gets_405_and_an_unknown_route_404_in_the_apis_shape() {
        for (String[] request : new String[][] {{"DELETE", FLAG}, {"POST", FLAG}, {"PUT", FLAG + "/history"},
                {"GET", FLAG + "/evaluate"}, {"PATCH", "/api/v1/audit"}, {"POST", "/api/v1/events/stream"}, {"DELETE", "/health/live"}}) {
            Api.Response response = projection.send(request[0], request[1], null);
            assertApiError(response.status(), response.raw(), 405, "METHOD_NOT_ALLOWED", null);
        }
        Api.Response unknown = projection.get("/api/v1/environments/production/flagz");
        assertApiError(unknown.status(), unknown.raw(), 404, "NOT_FOUND", null);
    }

    @Test
    void errors_jetty_raises_before_the_app_runs_come_back_in_the_apis_json_shape() throws IOException {
        try (RawConnection connection = new RawConnection(port)) {
            RawConnection.Reply control = connection.get(FLAG + "%00", "Authorization: Bearer " + fixture.admin);
            assertThat(control.header("content-type")).startsWith("application/json");
            assertApiError(control.status(), control.body(), 400, "MALFORMED_REQUEST", null);
        }
        try (RawConnection connection = new RawConnection(port)) {
            RawConnection.Reply big = connection.get(FLAG, "X-Padding: " + "a".repeat(20_000));
            assertThat(big.header("content-type")).startsWith("application/json");
            assertApiError(big.status(), big.body(), 431, "HEADERS_TOO_LARGE", null);
        }
    }

    @Test
    void a_token_with_its_case_flipped_is_refused_on_a_keep_alive_connection_in_either_order() throws IOException {
        String token = fixture.admin;
        String flipped = RawConnection.flipCase(token);
        try (RawConnection connection = new RawConnection(port)) {
            assertThat(connection.get("/api/v1/status", "Authorization: Bearer " + token).status()).isEqualTo(200);
            RawConnection.Reply wrong = connection.get("/api/v1/status", "Authorization: Bearer " + flipped);
            assertApiError(wrong.status(), wrong.body(), 401, "UNAUTHENTICATED", null);
        }
        try (RawConnection connection = new RawConnection(port)) {
            assertThat(connection.get("/api/v1/status", "Authorization: Bearer " + flipped).status()).isEqualTo(401);
            assertThat(connection.get("/api/v1/status", "Authorization: Bearer " + token).status()).isEqualTo(200);
        }
    }

    private static void assertApiError(int status, String raw, int expectedStatus, String code, String field) {
        assertThat(status).as(raw).isEqualTo(expectedStatus);
        JsonNode body;
        try {
            body = JSON.readTree(raw);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + raw, e);
        }
        assertThat(body.size()).as(raw).isEqualTo(1);
        JsonNode error = body.get("error");
        assertThat(error).as(raw).isNotNull();
        assertThat(error.path("code").asText()).as(raw).isEqualTo(code).matches("[A-Z][A-Z_]*");
        assertThat(error.path("message").asText()).as(raw).isNotBlank().doesNotContainPattern(INTERNALS);
        if (field == null) {
            assertThat(error.has("field")).as(raw).isFalse();
        } else {
            assertThat(error.path("field").asText()).as(raw).isEqualTo(field);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
