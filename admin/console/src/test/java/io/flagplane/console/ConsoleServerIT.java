package io.flagplane.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The console's server against two tiny real upstreams (Javalin apps on free ports) standing in for the services. */
class ConsoleServerIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static Javalin command;
    private static Javalin projection;
    private static ConsoleServer console;
    private static ConsoleServer orphan;   // its services point at a port nobody listens on
    private static final List<Map<String, String>> seen = new CopyOnWriteArrayList<>();
    private static final Map<String, CountDownLatch> releases = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws IOException {
        command = upstream("command").start("127.0.0.1", 0);
        projection = upstream("projection").start("127.0.0.1", 0);
        console = ConsoleServer.start(new ConsoleConfig("127.0.0.1", 0, URI.create("http://127.0.0.1:" + command.port()),
                URI.create("http://127.0.0.1:" + projection.port() + "/"), URI.create("http://127.0.0.1:" + projection.port())));
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        URI nobody = URI.create("http://127.0.0.1:" + closed);
        orphan = ConsoleServer.start(new ConsoleConfig("127.0.0.1", 0, nobody, nobody, nobody));
    }

    @AfterAll
    static void stop() {
        console.close();
        orphan.close();
        command.stop();
        projection.stop();
    }

    @BeforeEach
    void forget() {
        seen.clear();
    }

    /** Records what it was sent; answers with it as JSON, or as a stream it holds open until the test says so. */
    private static Javalin upstream(String name) {
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.http.maxRequestSize = 4L * 1024 * 1024;
            config.routes.addHttpHandler(io.javalin.http.HandlerType.GET, "/<rest>", ctx -> record(name, ctx));
            config.routes.addHttpHandler(io.javalin.http.HandlerType.POST, "/<rest>", ctx -> record(name, ctx));
            config.routes.addHttpHandler(io.javalin.http.HandlerType.PATCH, "/<rest>", ctx -> record(name, ctx));
            config.routes.addHttpHandler(io.javalin.http.HandlerType.DELETE, "/<rest>", ctx -> record(name, ctx));
        });
    }

    private static void record(String name, Context ctx) throws Exception {
        Map<String, String> request = new java.util.TreeMap<>();
        request.put("service", name);
        request.put("method", ctx.method().name());
        request.put("path", ctx.req().getRequestURI());
        request.put("query", String.valueOf(ctx.req().getQueryString()));
        request.put("body", ctx.body());
        ctx.headerMap().forEach((header, value) -> request.put("h:" + header.toLowerCase(java.util.Locale.ROOT), value));
        seen.add(request);
        if (ctx.path().endsWith("/stream")) {
            CountDownLatch release = releases.computeIfAbsent(ctx.queryParam("id"), id -> new CountDownLatch(1));
            ctx.res().setContentType("text/event-stream");
            OutputStream out = ctx.res().getOutputStream();
            out.write("event: first\ndata: {\"n\":1}\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            release.await(20, TimeUnit.SECONDS);    // held open until the test has read the first event
            out.write("event: second\ndata: {\"n\":2}\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            return;
        }
        if (ctx.path().endsWith("/conflict")) {
            ctx.status(409).header("ETag", "\"7\"").header("X-Secret", "upstream-only").contentType("application/json")
                    .result("{\"error\":{\"code\":\"VERSION_CONFLICT\",\"message\":\"the flag is at version 7, not 6\"}}");
            return;
        }
        ctx.status(200).header("ETag", "\"3\"").header("Set-Cookie", "upstream=1").contentType("application/json")
                .result(JSON.writeValueAsBytes(request));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI at(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + console.port() + pathAndQuery);
    }

    private static JsonNode error(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body()).get("error");
    }

    @Test
    void forwards_method_path_query_body_and_the_allowed_headers_only() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(at("/upstream/command/api/v1/environments/production/flags"
                        + "?q=a%20b&tag=x&tag=y"))
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"percent\":25}"))
                .header("Authorization", "Bearer secret-token")
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("If-Match", "\"6\"")
                .header("Idempotency-Key", "k-1")
                .header("Last-Event-ID", "42")
                .header("Cookie", "session=browser")
                .header("X-Forwarded-For", "10.0.0.1")
                .header("X-Flagplane-Actor", "mallory"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("ETag")).contains("\"3\"");
        assertThat(response.headers().firstValue("Set-Cookie")).isEmpty();
        assertThat(seen).hasSize(1);
        Map<String, String> got = seen.get(0);
        assertThat(got).containsEntry("service", "command").containsEntry("method", "PATCH")
                .containsEntry("path", "/api/v1/environments/production/flags")
                .containsEntry("query", "q=a%20b&tag=x&tag=y")
                .containsEntry("body", "{\"percent\":25}")
                .containsEntry("h:authorization", "Bearer secret-token")
                .containsEntry("h:content-type", "application/json")
                .containsEntry("h:accept", "application/json")
                .containsEntry("h:if-match", "\"6\"")
                .containsEntry("h:idempotency-key", "k-1")
                .containsEntry("h:last-event-id", "42")
                .doesNotContainKeys("h:cookie", "h:x-forwarded-for", "h:x-flagplane-actor");
    }

    @Test
    void each_service_name_reaches_its_own_service() throws Exception {
        send(HttpRequest.newBuilder(at("/upstream/projection/api/v1/status")));
        send(HttpRequest.newBuilder(at("/upstream/command/api/v1/environments")));
        assertThat(seen).extracting(r -> r.get("service") + " " + r.get("path"))
                .containsExactly("projection /api/v1/status", "command /api/v1/environments");
    }

    @Test
    void an_error_from_a_service_comes_back_as_it_was_with_its_status_and_etag() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(at("/upstream/command/x/conflict"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(response.headers().firstValue("ETag")).contains("\"7\"");
        assertThat(response.headers().firstValue("X-Secret")).isEmpty();
        assertThat(error(response).get("code").asText()).isEqualTo("VERSION_CONFLICT");
        assertThat(error(response).get("message").asText()).isEqualTo("the flag is at version 7, not 6");
    }

    @Test
    void a_body_over_one_mebibyte_is_refused_with_413_and_never_sent() throws Exception {
        byte[] big = new byte[UpstreamProxy.MAX_BODY_BYTES + 1];
        HttpResponse<String> declared = send(HttpRequest.newBuilder(at("/upstream/command/api/v1/changesets"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(big)));
        // chunked: no Content-Length, the bound holds while reading
        HttpResponse<String> chunked = send(HttpRequest.newBuilder(at("/upstream/command/api/v1/changesets"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))));
        for (HttpResponse<String> response : List.of(declared, chunked)) {
            assertThat(response.statusCode()).isEqualTo(413);
            assertThat(error(response).get("code").asText()).isEqualTo("BODY_TOO_LARGE");
            assertThat(error(response).get("message").asText()).contains("1048576 bytes");
        }
        assertThat(seen).isEmpty();

        HttpResponse<String> fits = send(HttpRequest.newBuilder(at("/upstream/command/api/v1/changesets"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[UpstreamProxy.MAX_BODY_BYTES])));
        assertThat(fits.statusCode()).isEqualTo(200);
        assertThat(seen).hasSize(1);
    }

    @Test
    void an_unknown_service_is_404_unknown_service() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(at("/upstream/registry/subjects")));
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(error(response).get("code").asText()).isEqualTo("UNKNOWN_SERVICE");
        assertThat(error(response).get("message").asText()).contains("registry");
        assertThat(seen).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/upstream/command/internal/v1/audit",
            "/upstream/projection/internal/v1/export?asOf=2026-01-01T00:00:00Z",
            "/upstream/edge/internal/v1/environments/production/usage",
            "/upstream/command/INTERNAL/v1/audit",
            "/upstream/command/Internal/v1/audit",
            "/upstream/command/%69nternal/v1/audit",
            "/upstream/command/%49%4E%54%45%52%4E%41%4C/v1/audit",
            "/upstream/command/%2569nternal/v1/audit",
            "/upstream/command/internal;x=1/v1/audit",
            "/upstream/command//internal/v1/audit",
            "/upstream/command/internal",
            "/upstream/command/internal/",
            "/upstream/command/%EF%BD%89nternal/v1/audit",
    })
    void internal_routes_are_refused_with_404_internal_route_in_any_spelling(String target) throws Exception {
        String answer = raw(target);
        String status = answer.substring(0, answer.indexOf("\r\n"));
        assertThat(seen).as(target).isEmpty();
        assertThat(status).as(target).contains(" 404 ");
        JsonNode body = JSON.readTree(answer.substring(answer.indexOf('{'), answer.lastIndexOf('}') + 1)).get("error");
        assertThat(body.get("code").asText()).as(target).isEqualTo("INTERNAL_ROUTE");
        assertThat(body.get("message").asText()).as(target).contains("public routes only");
    }

    @Test
    void internal_routes_are_refused_for_every_method_and_public_routes_named_like_them_pass() throws Exception {
        for (String method : List.of("GET", "POST", "PATCH", "DELETE")) {
            HttpResponse<String> response = send(HttpRequest.newBuilder(at("/upstream/command/Internal/v1/audit"))
                    .method(method, HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json"));
            assertThat(response.statusCode()).as(method).isEqualTo(404);
            assertThat(error(response).get("code").asText()).as(method).isEqualTo("INTERNAL_ROUTE");
        }
        assertThat(seen).isEmpty();
        HttpResponse<String> notInternal = send(HttpRequest.newBuilder(at("/upstream/command/api/v1/internals/internal")));
        assertThat(notInternal.statusCode()).isEqualTo(200);
        assertThat(seen).hasSize(1);
    }

    @Test
    void a_service_that_does_not_answer_is_502_upstream_unavailable_naming_it() throws Exception {
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + orphan.port() + "/upstream/projection/api/v1/status")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(error(response).get("code").asText()).isEqualTo("UPSTREAM_UNAVAILABLE");
        assertThat(error(response).get("message").asText()).startsWith("the projection-service at http://127.0.0.1:")
                .contains("did not answer");
    }

    @Test
    void server_sent_events_arrive_chunk_by_chunk_before_the_service_closes_the_stream() throws Exception {
        String id = "sse-" + System.nanoTime();
        CountDownLatch release = releases.computeIfAbsent(id, key -> new CountDownLatch(1));
        HttpResponse<InputStream> response = CLIENT.send(HttpRequest.newBuilder(at("/upstream/projection/api/v1/events/stream?id=" + id))
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            // the upstream is still holding the stream open: these lines can only have come through a flush
            assertThat(reader.readLine()).isEqualTo("event: first");
            assertThat(reader.readLine()).isEqualTo("data: {\"n\":1}");
            assertThat(release.getCount()).isEqualTo(1);
            release.countDown();
            assertThat(reader.readLine()).isEmpty();
            assertThat(reader.readLine()).isEqualTo("event: second");
        }
    }

    /** Sent byte for byte, so no client library tidies the path first. */
    private static String raw(String requestTarget) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", console.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + requestTarget + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/upstream/command/../x",
            "/upstream/command/../projection/api/v1/status",
            "/upstream/command/%2e%2e/projection/api/v1/status",
            "/upstream/command/%2E%2E%2Fprojection/api/v1/status",
            "/upstream/command/api/v1/..%2f..%2fconsole-config.json",
            "/upstream/command/api%2fv1/environments",
            "/upstream/command/api/%5c..%5cx",
            "/upstream/command/./api/v1/environments",
            "/upstream/command//..//x",
            "/upstream/%63ommand/api/v1/environments",
            "/upstream/command%2f..%2fprojection/api/v1/status",
            "/upstream/command/@127.0.0.1:1/x",
    })
    void path_tricks_never_reach_another_service_or_a_file(String target) throws Exception {
        String answer = raw(target);
        String status = answer.substring(0, answer.indexOf("\r\n"));
        for (Map<String, String> request : seen) {
            // whatever got through went to the command-service, under the path as written, with no dot segments
            assertThat(request.get("service")).as(target).isEqualTo("command");
            assertThat(request.get("path")).as(target).doesNotContain("..").doesNotContainIgnoringCase("%2e")
                    .doesNotContainIgnoringCase("%2f").doesNotContainIgnoringCase("%5c");
        }
        assertThat(answer).as(target).doesNotContain("\"services\"").doesNotContain("projection /");
        if (!seen.isEmpty()) {
            assertThat(status).as(target).contains(" 200 ");
        } else {
            assertThat(status).as(target).matches("HTTP/1.1 (400|404) .*");
            assertThat(answer).as(target).contains("\"error\"");
        }
    }

    @Test
    void path_tricks_on_the_assets_do_not_leave_the_console_folder() throws Exception {
        for (String target : List.of("/../../../../etc/passwd", "/css/..%2f..%2f..%2fetc%2fpasswd", "/%2e%2e/%2e%2e/etc/passwd",
                "/js/..%5c..%5cMETA-INF/MANIFEST.MF", "/io/flagplane/console/ConsoleServer.class")) {
            String answer = raw(target);
            assertThat(answer.substring(0, answer.indexOf("\r\n"))).as(target).matches("HTTP/1.1 (400|404) .*");
            assertThat(answer).as(target).doesNotContain("root:").doesNotContain("Manifest-Version");
        }
    }

    @Test
    void the_assets_config_and_health_are_served_with_the_security_headers() throws Exception {
        HttpResponse<String> index = send(HttpRequest.newBuilder(at("/")));
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.body()).contains("<script type=\"module\" src=\"js/app.js\"></script>");
        assertThat(index.headers().firstValue("Content-Security-Policy")).contains(
                "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'");
        assertThat(index.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(index.headers().firstValue("Referrer-Policy")).contains("no-referrer");

        HttpResponse<String> script = send(HttpRequest.newBuilder(at("/js/app.js")));
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).contains("javascript"));
        assertThat(script.headers().firstValue("Content-Security-Policy")).isPresent();

        HttpResponse<String> config = send(HttpRequest.newBuilder(at("/console-config.json")));
        assertThat(JSON.readTree(config.body())).isEqualTo(JSON.readTree(
                "{\"services\":{\"command\":\"/upstream/command\",\"projection\":\"/upstream/projection\",\"edge\":\"/upstream/edge\"}}"));
        assertThat(config.headers().firstValue("Content-Security-Policy")).isPresent();

        HttpResponse<String> health = send(HttpRequest.newBuilder(at("/health/live")));
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("UP");

        HttpResponse<String> missing = send(HttpRequest.newBuilder(at("/nothing-here.js")));
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(error(missing).get("code").asText()).isEqualTo("NOT_FOUND");
    }
}
