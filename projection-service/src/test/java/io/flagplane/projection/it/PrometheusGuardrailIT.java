package io.flagplane.projection.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.sun.net.httpserver.HttpServer;
import io.flagplane.projection.guardrails.PrometheusReader.Problem;
import io.flagplane.projection.guardrails.PrometheusReader.Reading;
import io.flagplane.projection.guardrails.PrometheusSettings;
import io.flagplane.projection.guardrails.PrometheusSource;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PROMETHEUS guardrails against a real Prometheus (Debian's {@code prometheus}, which {@code .ci/run}
 * installs): a small checkout service in this JVM exports request and error counters with the
 * Prometheus Java client, fails 7 of every 100 requests, and is scraped every second; the source
 * reads the error rate an SRE would write, and every way a query can fail to give one number.
 */
class PrometheusGuardrailIT {

    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final String ERROR_RATE = "sum(rate(http_errors_total[15s])) / sum(rate(http_requests_total[15s]))";
    private static final String[] ROUTES = {"cart", "checkout", "search"};

    private static Path dir;
    private static Process prometheus;
    private static HttpServer service;
    private static ScheduledExecutorService traffic;
    private static String prometheusUrl;
    private static Instant started;
    private static final AtomicLong served = new AtomicLong();
    private static final PrometheusSource source = new PrometheusSource(PrometheusSettings.defaults());

    @BeforeAll
    static void start() throws Exception {
        if (!Files.isExecutable(PROMETHEUS)) {
            fail(PROMETHEUS + " is missing: this test runs a real Prometheus server. .ci/run installs it on a fresh machine;"
                    + " by hand: apt-get update && apt-get install -y prometheus");
        }
        started = Instant.now();
        dir = Files.createTempDirectory("flagplane-prometheus-it");
        startService();
        int port = freePort();
        prometheusUrl = "http://127.0.0.1:" + port;
        Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: checkout
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(service.getAddress().getPort()));
        prometheus = new ProcessBuilder(PROMETHEUS.toString(),
                "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile())
                .start();
        Process child = prometheus;
        Runtime.getRuntime().addShutdownHook(new Thread(child::destroyForcibly, "prometheus-it-kill"));

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        Awaitility.await("Prometheus ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions().until(() -> {
                    assertThat(prometheus.isAlive()).as("Prometheus exited: %s", log()).isTrue();
                    return http.send(HttpRequest.newBuilder(URI.create(prometheusUrl + "/-/ready")).timeout(Duration.ofSeconds(1))
                            .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                });
        Awaitility.await("the checkout service scraped").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> source.read(prometheusUrl, "up{job=\"checkout\"}", null) instanceof Reading.Value v && v.value() == 1.0);
    }

    /** The checkout service: every 10 ms a request, request n failing when it takes floor(7n / 100) up by one (7 %, evenly spread). */
    private static void startService() throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        Counter requests = Counter.builder().name("http_requests_total").help("Requests served").register(registry);
        Counter errors = Counter.builder().name("http_errors_total").help("Requests that failed").register(registry);
        Counter byRoute = Counter.builder().name("http_route_requests_total").help("Requests by route").labelNames("route")
                .register(registry);
        Counter.builder().name("http_idle_total").help("A route nobody calls").register(registry);
        PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
        service = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        service.createContext("/metrics", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", writer.getContentType());
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                writer.write(out, registry.scrape(), EscapingScheme.DEFAULT);
            }
        });
        service.start();
        traffic = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "checkout-traffic"));
        traffic.scheduleAtFixedRate(() -> {
            long n = served.incrementAndGet();
            if (7 * n / 100 > 7 * (n - 1) / 100) {
                errors.inc();
            }
            requests.inc();
            byRoute.labelValues(ROUTES[(int) (n % ROUTES.length)]).inc();
        }, 0, 10, TimeUnit.MILLISECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (traffic != null) {
            traffic.shutdownNow();
        }
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (service != null) {
            service.stop(0);
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String log() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("prometheus.log"), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static Reading.Failed failed(Reading reading, Problem problem) {
        assertThat(reading).isInstanceOf(Reading.Failed.class);
        Reading.Failed failed = (Reading.Failed) reading;
        assertThat(failed.problem()).as(failed.sentence()).isEqualTo(problem);
        return failed;
    }

    @Test
    void the_error_rate_reads_as_the_share_of_requests_that_failed() {
        // a rate needs samples: wait until the 15 s window holds at least 800 requests
        Awaitility.await("800 requests in the window").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> source.read(prometheusUrl, "sum(increase(http_requests_total[15s]))", null) instanceof Reading.Value v
                        && v.value() >= 800);

        Reading now = source.read(prometheusUrl, ERROR_RATE, null);
        assertThat(now).isInstanceOf(Reading.Value.class);
        assertThat(((Reading.Value) now).value()).isCloseTo(0.07, org.assertj.core.data.Offset.offset(0.01));

        Instant at = Instant.now().minusMillis(1500).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        Reading then = source.read(prometheusUrl, ERROR_RATE, at);
        assertThat(then).isInstanceOf(Reading.Value.class);
        assertThat(((Reading.Value) then).at()).as("evaluated at the instant asked for").isEqualTo(at);
        assertThat(((Reading.Value) then).value()).isCloseTo(0.07, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void before_the_service_was_scraped_the_query_has_no_series() {
        assertThat(failed(source.read(prometheusUrl, ERROR_RATE, started.minus(Duration.ofHours(1))), Problem.NO_SERIES)
                .sentence()).isEqualTo("query returned no series");
    }

    @Test
    void a_selector_matching_nothing_has_no_series() {
        assertThat(failed(source.read(prometheusUrl, "sum(rate(http_errors_total{job=\"payments\"}[15s]))", null),
                Problem.NO_SERIES).sentence()).isEqualTo("query returned no series");
    }

    @Test
    void a_rate_per_route_is_several_series() {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                assertThat(failed(source.read(prometheusUrl, "rate(http_route_requests_total[15s])", null),
                        Problem.SEVERAL_SERIES).sentence()).isEqualTo(
                        "query returned 3 series; the guardrail needs one number (aggregate it, e.g. sum(...))"));

        Reading summed = source.read(prometheusUrl, "sum(rate(http_route_requests_total[15s]))", null);
        assertThat(summed).isInstanceOf(Reading.Value.class);
    }

    @Test
    void a_rate_over_no_traffic_is_not_a_number() {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                assertThat(failed(source.read(prometheusUrl,
                        "sum(rate(http_idle_total[15s])) / sum(rate(http_idle_total[15s]))", null), Problem.NOT_A_NUMBER)
                        .sentence()).startsWith("query returned NaN"));
    }

    @Test
    void a_range_selector_is_the_wrong_type() {
        assertThat(failed(source.read(prometheusUrl, "http_requests_total[15s]", null), Problem.WRONG_TYPE).sentence())
                .startsWith("query returned a range vector");
    }

    @Test
    void invalid_promql_is_refused_by_prometheus_with_its_reason() {
        Reading.Failed failed = failed(source.read(prometheusUrl, "sum(rate(http_errors_total[15s])", null),
                Problem.PROMETHEUS_ERROR);

        assertThat(failed.sentence()).startsWith("Prometheus at " + prometheusUrl + " refused the query (bad_data): ")
                .contains("parse error");
    }

    @Test
    void a_url_past_the_base_is_a_404_with_a_hint() {
        assertThat(failed(source.read(prometheusUrl + "/api/v1", "up", null), Problem.HTTP_STATUS).sentence())
                .isEqualTo("Prometheus at " + prometheusUrl + "/api/v1 answered HTTP 404 (is prometheusUrl the server's base URL,"
                        + " without /api/v1?)");
    }

    @Test
    void a_server_that_is_not_there_is_unreachable() throws IOException {
        String nobody = "http://127.0.0.1:" + freePort();

        assertThat(failed(source.read(nobody, "up", null), Problem.UNREACHABLE).sentence())
                .startsWith("Prometheus at " + nobody + " cannot be reached");
    }

    @Test
    void a_server_that_never_answers_times_out() throws IOException {
        // the kernel accepts the connection into the backlog; nobody ever reads the request
        try (ServerSocket silent = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            String url = "http://127.0.0.1:" + silent.getLocalPort();
            PrometheusSource quick = new PrometheusSource(PrometheusSettings.defaults()
                    .withTimeouts(Duration.ofMillis(500), Duration.ofMillis(500)));

            long begun = System.nanoTime();
            Reading reading = quick.read(url, ERROR_RATE, null);
            long tookMillis = (System.nanoTime() - begun) / 1_000_000;

            assertThat(failed(reading, Problem.TIMEOUT).sentence()).isEqualTo("Prometheus at " + url
                    + " did not answer within 500 ms");
            assertThat(tookMillis).isBetween(450L, 3_000L);
        }
    }
}
