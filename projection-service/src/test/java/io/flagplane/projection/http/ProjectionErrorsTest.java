package io.flagplane.projection.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagplane.projection.query.QueryErrorCode;
import io.flagplane.projection.query.QueryException;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The projection's one error mapping, on a real server with routes that fail on purpose. */
class ProjectionErrorsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static Javalin app;

    @BeforeAll
    static void start() {
        app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            ProjectionErrors.install(config);
            config.routes.get("/refused", ctx -> {
                throw new QueryException(QueryErrorCode.INVALID_ENVIRONMENT, "env", "environment 'X' is not a valid name");
            });
            config.routes.get("/bug", ctx -> {
                throw new IllegalStateException("com.fasterxml.jackson secret-value at [Source: x]");
            });
            config.routes.get("/fatal", ctx -> {
                throw new StackOverflowError("deep");
            });
        }).start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        app.stop();
    }

    private static HttpResponse<String> get(String method, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode error(HttpResponse<String> response) throws Exception {
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        return JSON.readTree(response.body()).get("error");
    }

    @Test
    void a_typed_refusal_gets_its_status_code_field_and_sentence() throws Exception {
        HttpResponse<String> response = get("GET", "/refused");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(error(response).get("code").asText()).isEqualTo("INVALID_ENVIRONMENT");
        assertThat(error(response).get("field").asText()).isEqualTo("env");
    }

    @Test
    void an_unexpected_exception_is_500_internal_with_a_logged_id_and_nothing_of_the_exception() throws Exception {
        HttpResponse<String> response = get("GET", "/bug");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(error(response).get("code").asText()).isEqualTo("INTERNAL");
        assertThat(error(response).get("message").asText()).matches("internal error [0-9a-f-]{36}; the service logged its cause under that id");
    }

    @Test
    void a_java_error_is_500_internal_in_the_same_shape() throws Exception {
        HttpResponse<String> response = get("GET", "/fatal");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(error(response).get("code").asText()).isEqualTo("INTERNAL");
        assertThat(error(response).get("message").asText()).startsWith("internal error ").doesNotContain("StackOverflow", "deep");
    }

    @Test
    void a_wrong_method_is_405_and_no_route_is_404_with_the_shared_sentences() throws Exception {
        HttpResponse<String> wrong = get("DELETE", "/bug");
        HttpResponse<String> none = get("GET", "/nothing-here");

        assertThat(wrong.statusCode()).isEqualTo(405);
        assertThat(error(wrong).get("code").asText()).isEqualTo("METHOD_NOT_ALLOWED");
        assertThat(error(wrong).get("message").asText()).isEqualTo("this route does not take that method");
        assertThat(none.statusCode()).isEqualTo(404);
        assertThat(error(none).get("code").asText()).isEqualTo("NOT_FOUND");
        assertThat(error(none).get("message").asText()).isEqualTo("no such route");
    }
}
