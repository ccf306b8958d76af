package io.flagplane.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagplane.evaluation.ErrorCode;
import io.flagplane.evaluation.Evaluation;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The edge node's one error mapping, on a real server with routes that fail on purpose. */
class EdgeErrorsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String INTERNAL = "internal error [0-9a-f-]{36}; the service logged its cause under that id";
    private static Javalin app;

    @BeforeAll
    static void start() {
        app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            EdgeErrors.install(config);
            for (String prefix : new String[] {"/ofrep/v1", "/api/v1"}) {
                config.routes.post(prefix + "/bug/{key}", ctx -> {
                    throw new IllegalStateException("com.fasterxml.jackson secret-value at [Source: x]");
                });
                config.routes.post(prefix + "/fatal", ctx -> {
                    throw new StackOverflowError("deep");
                });
                config.routes.post(prefix + "/refused/{key}", ctx -> {
                    throw new OfrepError(400, ErrorCode.INVALID_CONTEXT, "\"context\" must be a JSON object, not ARRAY");
                });
            }
        }).start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        app.stop();
    }

    private static HttpResponse<String> send(String method, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        return JSON.readTree(response.body());
    }

    @Test
    void an_unexpected_exception_is_500_with_a_logged_id_in_each_routes_shape() throws Exception {
        JsonNode ofrep = json(send("POST", "/ofrep/v1/bug/some.flag"));
        JsonNode api = json(send("POST", "/api/v1/bug/some.flag"));

        assertThat(ofrep.get("errorCode").asText()).isEqualTo("GENERAL");
        assertThat(ofrep.get("key").asText()).isEqualTo("some.flag");
        assertThat(ofrep.get("errorDetails").asText()).matches(INTERNAL);
        assertThat(api.get("error").get("code").asText()).isEqualTo("INTERNAL");
        assertThat(api.get("error").get("message").asText()).matches(INTERNAL);
        assertThat(send("POST", "/api/v1/bug/x").statusCode()).isEqualTo(500);
    }

    @Test
    void a_java_error_is_500_with_a_logged_id_and_nothing_of_the_error() throws Exception {
        HttpResponse<String> response = send("POST", "/ofrep/v1/fatal");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(json(response).get("errorDetails").asText()).matches(INTERNAL);
        assertThat(response.body()).doesNotContain("StackOverflow", "deep");
    }

    @Test
    void a_refusal_names_its_openfeature_code_on_ofrep_routes_and_on_rest_routes() throws Exception {
        HttpResponse<String> ofrep = send("POST", "/ofrep/v1/refused/some.flag");
        HttpResponse<String> api = send("POST", "/api/v1/refused/some.flag");

        assertThat(ofrep.statusCode()).isEqualTo(400);
        assertThat(json(ofrep).get("errorCode").asText()).isEqualTo("INVALID_CONTEXT");
        assertThat(api.statusCode()).isEqualTo(400);
        assertThat(json(api).get("error").get("code").asText()).isEqualTo("INVALID_CONTEXT");
    }

    @Test
    void a_wrong_method_is_405_with_the_shared_sentence_in_each_routes_shape() throws Exception {
        HttpResponse<String> ofrep = send("GET", "/ofrep/v1/fatal");
        HttpResponse<String> api = send("GET", "/api/v1/fatal");

        assertThat(ofrep.statusCode()).isEqualTo(405);
        assertThat(json(ofrep).get("errorCode").asText()).isEqualTo("GENERAL");
        assertThat(json(ofrep).get("errorDetails").asText()).isEqualTo("this route does not take that method");
        assertThat(api.statusCode()).isEqualTo(405);
        assertThat(json(api).get("error").get("code").asText()).isEqualTo("METHOD_NOT_ALLOWED");
    }

    @Test
    void jetty_errors_on_an_ofrep_path_are_in_ofreps_shape_and_elsewhere_in_the_platforms() throws Exception {
        JsonNode ofrep = JSON.readTree(EdgeErrors.BODIES.render("/ofrep/v1/evaluate/flags/x", 431, "HEADERS_TOO_LARGE", "too large"));
        JsonNode api = JSON.readTree(EdgeErrors.BODIES.render("/api/v1/features", 431, "HEADERS_TOO_LARGE", "too large"));

        assertThat(ofrep.get("errorCode").asText()).isEqualTo("GENERAL");
        assertThat(ofrep.get("errorDetails").asText()).isEqualTo("too large");
        assertThat(ofrep.has("error")).isFalse();
        assertThat(api.get("error").get("code").asText()).isEqualTo("HEADERS_TOO_LARGE");
        assertThat(api.has("errorCode")).isFalse();
    }

    @Test
    void a_jetty_error_whose_path_is_unknown_carries_both_shapes() throws Exception {
        JsonNode body = JSON.readTree(EdgeErrors.BODIES.render(null, 400, "MALFORMED_REQUEST", "not well-formed"));

        assertThat(body.get("errorCode").asText()).isEqualTo("GENERAL");
        assertThat(body.get("errorDetails").asText()).isEqualTo("not well-formed");
        assertThat(body.get("error").get("code").asText()).isEqualTo("MALFORMED_REQUEST");
        assertThat(body.get("error").get("message").asText()).isEqualTo("not well-formed");
    }

    @Test
    void an_engine_failure_is_logged_and_its_exception_never_sent() {
        Evaluation<Object> failed = Evaluation.error(null, ErrorCode.GENERAL,
                "evaluating 'a.flag' failed: java.lang.IllegalStateException: boom", 3);
        Evaluation<Object> missing = Evaluation.error(null, ErrorCode.FLAG_NOT_FOUND, "flag 'b.flag' does not exist", 0);

        assertThat(EdgeErrors.detailsOf("a.flag", failed)).isEqualTo("flag 'a.flag' could not be evaluated; the node logged the cause");
        assertThat(EdgeErrors.detailsOf("b.flag", missing)).isEqualTo("flag 'b.flag' does not exist");
    }
}
