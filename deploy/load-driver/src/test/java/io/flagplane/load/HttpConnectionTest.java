package io.flagplane.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The driver's minimal client against the JDK's HTTP server: fixed length, chunked, keep-alive, server closes. */
class HttpConnectionTest {

    private HttpServer server;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/echo", exchange -> {
            byte[] body = (exchange.getRequestMethod() + " " + exchange.getRequestHeaders().getFirst("Authorization") + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(201, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/chunked", exchange -> {
            exchange.sendResponseHeaders(200, 0);   // 0 = chunked
            for (int i = 0; i < 3; i++) {
                exchange.getResponseBody().write(("part" + i + ";").getBytes(StandardCharsets.UTF_8));
                exchange.getResponseBody().flush();
            }
            exchange.close();
        });
        server.createContext("/close", exchange -> {
            exchange.getResponseHeaders().add("Connection", "close");
            byte[] body = "bye".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(503, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void requests_with_bodies_fixed_length_and_chunked_answers_on_one_connection() throws Exception {
        try (HttpConnection connection = new HttpConnection(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), 5_000)) {
            HttpConnection.Response echoed = connection.exchange("PATCH", "/echo", "Bearer t0k", "{\"percentage\":50}");
            assertThat(echoed.status()).isEqualTo(201);
            assertThat(echoed.body()).isEqualTo("PATCH Bearer t0k {\"percentage\":50}");

            HttpConnection.Response chunked = connection.exchange("GET", "/chunked", null, null);
            assertThat(chunked.status()).isEqualTo(200);
            assertThat(chunked.body()).isEqualTo("part0;part1;part2;");

            assertThat(connection.exchange("POST", "/echo", null, "é").body()).isEqualTo("POST null é");
        }
    }

    @Test
    void reconnects_after_the_server_closes_the_connection() throws Exception {
        try (HttpConnection connection = new HttpConnection(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), 5_000)) {
            HttpConnection.Response closed = connection.exchange("POST", "/close", null, "");
            assertThat(closed.status()).isEqualTo(503);
            assertThat(closed.body()).isEqualTo("bye");
            assertThat(connection.exchange("POST", "/echo", null, "again").body()).isEqualTo("POST null again");
        }
    }
}
