package io.flagplane.projection.guardrails;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.flagplane.projection.guardrails.PrometheusReader.Problem;
import io.flagplane.projection.guardrails.PrometheusReader.Reading;
import io.flagplane.settings.Settings;
import io.flagplane.settings.SettingsException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Prometheus source against a stand-in HTTP server that answers the documented JSON of
 * {@code /api/v1/query} (and what else a server may answer): what it sends, how it reads each
 * result type, and how it fails. The real server is {@code PrometheusGuardrailIT}'s.
 */
class PrometheusSourceTest {

    private static final String QUERY = "sum(rate(http_errors_total[5m])) / sum(rate(http_requests_total[5m]))";

    /** What the stand-in answers next, and what it was asked. */
    private record Answer(int status, String contentType, String body) {
    }

    private record Asked(URI uri, String authorization) {
        Map<String, String> params() {
            Map<String, String> params = new HashMap<>();
            for (String pair : uri.getRawQuery().split("&")) {
                String[] kv = pair.split("=", 2);
                params.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
            }
            return params;
        }
    }

    private final List<Asked> asked = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile Answer answer = json(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1.5,\"1\"]}}");
    private ExecutorService threads;
    private HttpServer server;
    private String url;

    @BeforeEach
    void start() throws IOException {
        threads = Executors.newCachedThreadPool();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() throws InterruptedException {
        release.countDown();
        server.stop(0);
        threads.shutdownNow();
        assertThat(threads.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }

    private void handle(HttpExchange exchange) throws IOException {
        asked.add(new Asked(exchange.getRequestURI(), exchange.getRequestHeaders().getFirst("Authorization")));
        Answer now = answer;
        if (now.status() == -1) {   // headers and the start of a body, then nothing until the test ends
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            out.write("{\"status\":\"succ".getBytes(StandardCharsets.UTF_8));
            out.flush();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
            return;
        }
        byte[] body = now.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", now.contentType());
        if (now.status() == 302) {
            exchange.getResponseHeaders().add("Location", url + "/elsewhere");
        }
        exchange.sendResponseHeaders(now.status(), body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static Answer json(int status, String body) {
        return new Answer(status, "application/json", body);
    }

    private static Answer vector(String... samples) {
        return json(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                + String.join(",", samples) + "]}}");
    }

    private static String sample(String labels, String value) {
        return "{\"metric\":{" + labels + "},\"value\":[1700000000.25,\"" + value + "\"]}";
    }

    private static PrometheusSource source() {
        return new PrometheusSource(PrometheusSettings.defaults());
    }

    private Reading read(String query) {
        return source().read(url, query, null);
    }

    private static Reading.Failed failed(Reading reading, Problem problem) {
        assertThat(reading).isInstanceOf(Reading.Failed.class);
        Reading.Failed failed = (Reading.Failed) reading;
        assertThat(failed.problem()).as(failed.sentence()).isEqualTo(problem);
        return failed;
    }

    @Test
    void sends_an_instant_query_with_the_query_url_encoded_and_the_instant_in_unix_seconds() {
        source().read(url + "/", QUERY + " > bool 0.05 & on() x{a=\"b c\"}", Instant.parse("2023-11-14T22:13:20.250Z"));

        assertThat(asked).hasSize(1);
        assertThat(asked.get(0).uri().getPath()).isEqualTo("/api/v1/query");
        assertThat(asked.get(0).params()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "query", QUERY + " > bool 0.05 & on() x{a=\"b c\"}", "time", "1700000000.250"));
        assertThat(asked.get(0).authorization()).isNull();
    }

    @Test
    void without_an_instant_no_time_is_sent_and_a_path_prefix_of_the_base_url_is_kept() {
        source().read(url + "/prometheus", "up", null);

        assertThat(asked.get(0).uri().getPath()).isEqualTo("/prometheus/api/v1/query");
        assertThat(asked.get(0).params()).containsExactly(Map.entry("query", "up"));
    }

    @Test
    void a_scalar_reads_as_its_value_at_prometheus_instant() {
        answer = json(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1700000000.25,\"0.0725\"]}}");

        assertThat(read("scalar(x)")).isEqualTo(new Reading.Value(0.0725, Instant.parse("2023-11-14T22:13:20.250Z")));
    }

    @Test
    void a_vector_of_one_series_reads_as_its_value_and_unknown_envelope_fields_are_ignored() {
        answer = json(200, "{\"status\":\"success\",\"warnings\":[\"w\"],\"infos\":[],\"data\":{\"resultType\":\"vector\","
                + "\"result\":[" + sample("\"job\":\"checkout\"", "1e-3") + "],\"stats\":{}}}");

        assertThat(read("sum(x)")).isEqualTo(new Reading.Value(0.001, Instant.parse("2023-11-14T22:13:20.250Z")));
    }

    @Test
    void an_empty_vector_is_no_series() {
        answer = vector();

        assertThat(failed(read("x"), Problem.NO_SERIES).sentence()).isEqualTo("query returned no series");
    }

    @Test
    void several_series_ask_for_an_aggregation() {
        answer = vector(sample("\"route\":\"a\"", "1"), sample("\"route\":\"b\"", "2"), sample("\"route\":\"c\"", "3"));

        assertThat(failed(read("x"), Problem.SEVERAL_SERIES).sentence())
                .isEqualTo("query returned 3 series; the guardrail needs one number (aggregate it, e.g. sum(...))");
    }

    @ParameterizedTest
    @CsvSource({"NaN, query returned NaN", "+Inf, query returned +Inf", "-Inf, query returned -Inf"})
    void nan_and_infinities_are_not_numbers(String value, String sentence) {
        answer = vector(sample("", value));

        assertThat(failed(read("x"), Problem.NOT_A_NUMBER).sentence()).startsWith(sentence);
    }

    @Test
    void a_range_vector_or_a_string_is_the_wrong_type() {
        answer = json(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},"
                + "\"values\":[[1,\"1\"],[2,\"2\"]]}]}}");
        assertThat(failed(read("x[5m]"), Problem.WRONG_TYPE).sentence()).startsWith("query returned a range vector");

        answer = json(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"string\",\"result\":[1,\"hello\"]}}");
        assertThat(failed(read("\"hello\""), Problem.WRONG_TYPE).sentence()).startsWith("query returned a string");
    }

    @Test
    void prometheus_error_is_repeated_with_its_type() {
        answer = json(400, "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"invalid parameter \\\"query\\\":"
                + " 1:9: parse error: unclosed left parenthesis\"}");

        assertThat(failed(read("sum(rate("), Problem.PROMETHEUS_ERROR).sentence()).isEqualTo("Prometheus at " + url
                + " refused the query (bad_data): invalid parameter \"query\": 1:9: parse error: unclosed left parenthesis");
    }

    @ParameterizedTest
    @CsvSource({"502, answered HTTP 502", "404, answered HTTP 404 (is prometheusUrl the server's base URL",
            "401, answered HTTP 401 (it wants credentials", "302, answered HTTP 302"})
    void a_status_that_is_not_prometheus_json_is_named(int status, String sentence) {
        answer = new Answer(status, "text/html", "<html>Bad Gateway</html>");

        assertThat(failed(read("x"), Problem.HTTP_STATUS).sentence()).startsWith("Prometheus at " + url + " " + sentence);
        assertThat(asked).as("a redirect is not followed").hasSize(1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "<html>ok</html>",
            "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1,\"1\"]}} trailing",
            "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1,1]}}",
            "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1,\"one\"]}}",
            "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1,\"Infinity\"]}}",
            "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":null}}",
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":{}}}",
            "{\"status\":\"success\",\"data\":{\"resultType\":\"histogram\",\"result\":[]}}",
            "{\"status\":\"success\"}",
            "[]"})
    void anything_else_is_a_bad_response(String body) {
        answer = json(200, body);

        failed(read("x"), Problem.BAD_RESPONSE);
    }

    @Test
    void an_answer_past_the_bound_is_refused_whether_its_length_is_declared_or_not() {
        PrometheusSource small = new PrometheusSource(PrometheusSettings.defaults().withMaxResponseBytes(1024));
        answer = vector(sample("\"pad\":\"" + "x".repeat(2000) + "\"", "1"));

        assertThat(failed(small.read(url, "x", null), Problem.BAD_RESPONSE).sentence())
                .isEqualTo("the answer of " + url + " is larger than 1 KiB (projection.guardrails.prometheus.max.response.bytes);"
                        + " a query whose result is one number answers in a few hundred bytes");

        // 2 MiB without a declared length, against the default bound of 1 MiB
        server.createContext("/chunked", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                byte[] kib = "x".repeat(1024).getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < 2048; i++) {
                    out.write(kib);
                }
            } catch (IOException expected) {
                // the reader hung up once it had seen enough
            }
        });
        assertThat(failed(source().read(url + "/chunked", "x", null), Problem.BAD_RESPONSE).sentence())
                .contains("is larger than 1 MiB");
    }

    @Test
    void a_body_that_stalls_times_out_within_the_bound() {
        answer = new Answer(-1, "application/json", "");
        PrometheusSource quick = new PrometheusSource(PrometheusSettings.defaults()
                .withTimeouts(Duration.ofMillis(300), Duration.ofMillis(300)));

        long started = System.nanoTime();
        Reading reading = quick.read(url, "x", null);
        long tookMillis = (System.nanoTime() - started) / 1_000_000;

        assertThat(failed(reading, Problem.TIMEOUT).sentence()).isEqualTo("Prometheus at " + url + " did not answer within 300 ms");
        assertThat(tookMillis).isBetween(250L, 3_000L);
    }

    @Test
    void credentials_go_to_their_own_server_only() {
        PrometheusSource bearer = new PrometheusSource(PrometheusSettings.defaults().withBearerToken(url + "/", "s3cret"));
        bearer.read(url, "x", null);
        assertThat(asked.get(0).authorization()).isEqualTo("Bearer s3cret");

        PrometheusSource basic = new PrometheusSource(PrometheusSettings.defaults()
                .withBasicAuth(url.replace("127.0.0.1", "localhost"), "sre:pw"));
        basic.read(url, "x", null);
        assertThat(asked.get(1).authorization()).as("another host name is another origin").isNull();

        PrometheusSource other = new PrometheusSource(PrometheusSettings.defaults()
                .withBasicAuth("http://127.0.0.1:" + (server.getAddress().getPort() == 9 ? 10 : 9), "sre:pw"));
        other.read(url, "x", null);
        assertThat(asked.get(2).authorization()).as("another port is another origin").isNull();

        PrometheusSource same = new PrometheusSource(PrometheusSettings.defaults().withBasicAuth(url.toUpperCase(), "sre:pw"));
        same.read(url + "/prefix", "x", null);
        assertThat(asked.get(3).authorization()).isEqualTo("Basic c3JlOnB3");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''|prometheusUrl is missing",
            "ftp://prometheus:9090|prometheusUrl must be an http or https URL",
            "prometheus:9090|prometheusUrl must be an http or https URL",
            "http://sre:pw@prometheus:9090|prometheusUrl must not carry credentials",
            "http:///api|prometheusUrl has no host",
            "http://prometheus:9090/?x=1|prometheusUrl must be the server's base URL, without a query or fragment",
            "http://prometheus:9090/#top|prometheusUrl must be the server's base URL, without a query or fragment",
            "http://prom etheus|prometheusUrl is not a URL"})
    void a_url_that_cannot_be_read_is_refused_before_anything_is_sent(String baseUrl, String sentence) {
        assertThat(failed(source().read(baseUrl, "up", null), Problem.INVALID_GUARDRAIL).sentence()).startsWith(sentence);
        assertThat(asked).isEmpty();
    }

    @Test
    void a_missing_or_overlong_query_is_refused_before_anything_is_sent() {
        assertThat(failed(read(" "), Problem.INVALID_GUARDRAIL).sentence()).startsWith("query is missing");
        assertThat(failed(read("x".repeat(4097)), Problem.INVALID_GUARDRAIL).sentence())
                .isEqualTo("query is 4097 characters long; at most 4096");
        assertThat(read("x".repeat(4096))).isInstanceOf(Reading.Value.class);
        assertThat(asked).hasSize(1);
    }

    @Test
    void an_allow_list_refuses_other_servers() {
        PrometheusSource listed = new PrometheusSource(PrometheusSettings.defaults().allowingOnly(java.util.Set.of(url)));
        assertThat(listed.read(url + "/prefix", "x", null)).isInstanceOf(Reading.Value.class);
        assertThat(failed(listed.read("http://10.0.0.1:9090", "x", null), Problem.INVALID_GUARDRAIL).sentence())
                .isEqualTo("prometheusUrl http://10.0.0.1:9090 is not among the servers this projection may read"
                        + " (projection.guardrails.prometheus.allowed.urls)");
        assertThat(asked).hasSize(1);
    }

    @Test
    void settings_come_from_their_names_and_never_show_a_secret() {
        PrometheusSettings settings = PrometheusSettings.from(Settings.of(Map.of(
                "projection.guardrails.prometheus.read.timeout.ms", "1500",
                "projection.guardrails.prometheus.auth.url", "https://prometheus.example:9090",
                "projection.guardrails.prometheus.bearer.auth.token", "s3cret",
                "projection.guardrails.prometheus.allowed.urls", "https://prometheus.example:9090, http://other")));

        assertThat(settings.readTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(settings.maxResponseBytes()).isEqualTo(1 << 20);
        assertThat(settings.allowedOrigins()).containsExactlyInAnyOrder("https://prometheus.example:9090", "http://other:80");
        assertThat(settings.toString()).doesNotContain("s3cret").contains("bearerToken=****");
        assertThat(PrometheusSettings.defaults().toString()).contains("bearerToken=null");
    }

    @Test
    void credentials_without_their_server_or_in_both_forms_name_the_settings() {
        assertThatThrownBy(() -> PrometheusSettings.from(Settings.of(Map.of(
                "projection.guardrails.prometheus.bearer.auth.token", "s3cret"))))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("projection.guardrails.prometheus.auth.url")
                .hasMessageContaining("credentials need the URL of the Prometheus they belong to")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> PrometheusSettings.from(Settings.of(Map.of(
                "projection.guardrails.prometheus.auth.url", "http://p:9090",
                "projection.guardrails.prometheus.bearer.auth.token", "s3cret",
                "projection.guardrails.prometheus.basic.auth.user.info", "u:p"))))
                .isInstanceOf(SettingsException.class).hasMessageContaining("not both");
        assertThatThrownBy(() -> PrometheusSettings.from(Settings.of(Map.of(
                "projection.guardrails.prometheus.read.timeout.ms", "0"))))
                .isInstanceOf(SettingsException.class).hasMessageContaining("read.timeout.ms is 0");
    }
}
