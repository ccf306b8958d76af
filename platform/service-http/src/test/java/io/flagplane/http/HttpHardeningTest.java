package io.flagplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shared Jetty settings, on a real server and a raw keep-alive connection. */
class HttpHardeningTest {

    private static Javalin app;

    @BeforeAll
    static void start() {
        app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            HttpHardening.apply(config, ErrorBodies.API);
            config.http.maxRequestSize = LIMIT;   // set after apply, as the services do
            config.routes.get("/echo", ctx -> ctx.result(String.valueOf(ctx.header("Authorization"))));
            config.routes.post("/body", ctx -> ctx.result(ctx.body().length() + " bytes"));
        }).start("127.0.0.1", 0);
    }

    private static final int LIMIT = 16 * 1024;

    @Test
    void a_path_jetty_could_not_parse_reaches_the_error_bodies_as_unknown_not_as_jettys_placeholder() throws IOException {
        java.util.List<String> paths = new java.util.concurrent.CopyOnWriteArrayList<>();
        Javalin recording = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            HttpHardening.apply(config, (path, status, code, message) -> {
                paths.add(String.valueOf(path));
                return ErrorBodies.API.render(path, status, code, message);
            });
        }).start("127.0.0.1", 0);
        try (RawConnection connection = new RawConnection(recording.port())) {
            assertThat(connection.get("/ofrep/v1/evaluate/flags/x%00", null).status()).isEqualTo(400);
        } finally {
            recording.stop();
        }
        assertThat(paths).containsExactly("null");
    }

    @AfterAll
    static void stop() {
        app.stop();
    }

    @Test
    void a_header_value_with_its_case_flipped_is_not_taken_from_the_connections_cache() throws IOException {
        String token = "Bearer fpt_AbCdEfGhIjKlMnOp";
        String flipped = RawConnection.flipCase(token.substring(7));
        try (RawConnection connection = new RawConnection(app.port())) {
            assertThat(connection.get("/echo", "Authorization: " + token).body()).isEqualTo(token);
            assertThat(connection.get("/echo", "Authorization: Bearer " + flipped).body()).isEqualTo("Bearer " + flipped);
            assertThat(connection.get("/echo", "Authorization: " + token).body()).isEqualTo(token);
        }
    }

    @Test
    void a_body_over_the_limit_gets_its_413_and_the_connection_stays_usable() throws IOException {
        byte[] oversized = ("\"" + "x".repeat(900 * 1024) + "\"").getBytes(StandardCharsets.UTF_8);
        try (RawConnection connection = new RawConnection(app.port())) {
            RawConnection.Reply refused = connection.send("POST", "/body", null, oversized);
            assertThat(refused.status()).isEqualTo(413);   // (each service renders it in its own shape: their tests)
            // the same connection: the refused body was read to its end, not left behind a closed socket
            assertThat(connection.send("POST", "/body", null, "\"ok\"".getBytes(StandardCharsets.UTF_8)).body())
                    .isEqualTo("4 bytes");
            assertThat(connection.get("/echo", "Authorization: Bearer t").body()).isEqualTo("Bearer t");
        }
    }

    @Test
    void headers_too_large_are_refused_in_the_apis_json_shape() throws IOException {
        try (RawConnection connection = new RawConnection(app.port())) {
            RawConnection.Reply reply = connection.get("/echo", "X-Big: " + "a".repeat(HttpHardening.MAX_HEADER_BYTES + 10));
            assertThat(reply.status()).isEqualTo(431);
            assertThat(reply.header("content-type")).startsWith("application/json");
            JsonNode body = StrictJson.read(reply.body().getBytes(StandardCharsets.UTF_8));
            assertThat(body.at("/error/code").asText()).isEqualTo("HEADERS_TOO_LARGE");
            assertThat(body.at("/error/message").asText()).contains("headers are too large");
        }
    }

    @Test
    void a_control_character_in_the_path_is_refused_in_the_apis_json_shape() throws IOException {
        try (RawConnection connection = new RawConnection(app.port())) {
            RawConnection.Reply reply = connection.get("/echo%00x", null);
            assertThat(reply.status()).isEqualTo(400);
            assertThat(reply.header("content-type")).startsWith("application/json");
            assertThat(StrictJson.read(reply.body().getBytes(StandardCharsets.UTF_8)).at("/error/code").asText())
                    .isEqualTo("MALFORMED_REQUEST");
        }
    }

}
