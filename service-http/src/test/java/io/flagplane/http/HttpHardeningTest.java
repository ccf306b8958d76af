package io.flagplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
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
            config.routes.get("/echo", ctx -> ctx.result(String.valueOf(ctx.header("Authorization"))));
        }).start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        app.stop();
    }

    @Test
    void a_header_value_with_its_case_flipped_is_not_taken_from_the_connections_cache() throws IOException {
        String token = "Bearer fpt_AbCdEfGhIjKlMnOp";
        String flipped = flipCase(token.substring(7));
        try (RawConnection connection = new RawConnection(app.port())) {
            assertThat(connection.get("/echo", "Authorization: " + token).body()).isEqualTo(token);
            assertThat(connection.get("/echo", "Authorization: Bearer " + flipped).body()).isEqualTo("Bearer " + flipped);
            assertThat(connection.get("/echo", "Authorization: " + token).body()).isEqualTo(token);
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

    private static String flipCase(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            out.append(Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c));
        }
        return out.toString();
    }

    /** HTTP/1.1 over one socket, Content-Length framing only: enough to see what one connection does. */
    static final class RawConnection implements AutoCloseable {
        record Reply(int status, String headers, String body) {
            String header(String name) {
                for (String line : headers.split("\r\n")) {
                    int colon = line.indexOf(':');
                    if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
                        return line.substring(colon + 1).trim();
                    }
                }
                return null;
            }
        }

        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        RawConnection(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        Reply get(String path, String header) throws IOException {
            out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + (header == null ? "" : header + "\r\n") + "\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            String head = readHead();
            int status = Integer.parseInt(head.substring(9, 12));
            Reply partial = new Reply(status, head, "");
            String length = partial.header("content-length");
            byte[] body = in.readNBytes(length == null ? 0 : Integer.parseInt(length));
            return new Reply(status, head, new String(body, StandardCharsets.UTF_8));
        }

        private String readHead() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("connection closed after " + head);
                }
                head.write(b);
                matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : 0;
            }
            return head.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
