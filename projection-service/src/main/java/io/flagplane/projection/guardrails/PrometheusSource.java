package io.flagplane.projection.guardrails;

import io.flagplane.projection.guardrails.PrometheusReader.Problem;
import io.flagplane.projection.guardrails.PrometheusReader.Reading;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a PROMETHEUS guardrail's number from a Prometheus server over its HTTP API: {@code GET
 * {baseUrl}/api/v1/query?query=…[&time=…]}, one instant query per read.
 *
 * <p>Every read is bounded: the connection by the connect timeout, the whole answer (headers and
 * body) by the read timeout, the body by {@link PrometheusSettings#maxResponseBytes()} (refused past
 * it, the rest unread). Redirects are not followed. The guardrail's URL must be an absolute http or
 * https URL without credentials, query or fragment, and its query at most {@value #MAX_QUERY_LENGTH}
 * characters; both are checked before anything is sent. Credentials from the settings go only to the
 * server they belong to, and no log line carries them (the URL cannot hold any: it is refused).
 *
 * <p>Thread-safe; one instance (one {@link HttpClient}) serves every guardrail.
 */
public final class PrometheusSource implements PrometheusReader {

    public static final int MAX_QUERY_LENGTH = 4096;
    public static final int MAX_URL_LENGTH = 2048;

    private static final Logger LOG = LoggerFactory.getLogger(PrometheusSource.class);

    private final PrometheusSettings settings;
    private final HttpClient http;

    public PrometheusSource(PrometheusSettings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public PrometheusSettings settings() {
        return settings;
    }

    @Override
    public Reading read(String baseUrl, String query, Instant at) {
        Optional<String> invalid = checkUrl(baseUrl).or(() -> checkQuery(query));
        if (invalid.isPresent()) {
            return new Reading.Failed(Problem.INVALID_GUARDRAIL, invalid.get());
        }
        String base = baseUrl.trim().replaceAll("/+$", "");
        if (!settings.allows(base)) {
            return new Reading.Failed(Problem.INVALID_GUARDRAIL, "prometheusUrl " + base + " is not among the servers this "
                    + "projection may read (" + PrometheusSettings.PREFIX + "allowed.urls)");
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(queryUri(base, query, at))
                .GET()
                .timeout(settings.readTimeout())
                .header("Accept", "application/json");
        String authorization = settings.authorizationFor(base);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        Reading reading = send(request.build(), base);
        if (reading instanceof Reading.Failed failed) {
            LOG.debug("guardrail query against {} gave no number: {}", base, failed.sentence());
        }
        return reading;
    }

    private Reading send(HttpRequest request, String server) {
        CompletableFuture<HttpResponse<byte[]>> answer = http.sendAsync(request, info -> BoundedBody.of(info,
                settings.maxResponseBytes()));
        long boundMillis = settings.connectTimeout().plus(settings.readTimeout()).toMillis();
        try {
            HttpResponse<byte[]> response = answer.get(boundMillis, TimeUnit.MILLISECONDS);
            return PrometheusAnswer.read(response.statusCode(), response.body(), server);
        } catch (TimeoutException e) {
            // the client's own timeout covers the headers; a body that trickles in or stalls ends here
            answer.cancel(true);
            return timedOut(server);
        } catch (InterruptedException e) {
            answer.cancel(true);
            Thread.currentThread().interrupt();
            return new Reading.Failed(Problem.TIMEOUT, "interrupted while reading Prometheus at " + server);
        } catch (ExecutionException e) {
            return failure(unwrap(e.getCause()), server);
        }
    }

    private Reading failure(Throwable cause, String server) {
        if (cause instanceof BoundedBody.TooLarge) {
            return new Reading.Failed(Problem.BAD_RESPONSE, "the answer of " + server + " is larger than "
                    + bytes(settings.maxResponseBytes()) + " (" + PrometheusSettings.PREFIX + "max.response.bytes); a query "
                    + "whose result is one number answers in a few hundred bytes");
        }
        if (cause instanceof HttpConnectTimeoutException) {
            return new Reading.Failed(Problem.UNREACHABLE, "Prometheus at " + server + " cannot be reached: no connection within "
                    + seconds(settings.connectTimeout()));
        }
        if (cause instanceof HttpTimeoutException) {
            return timedOut(server);
        }
        if (cause instanceof SSLException) {
            return new Reading.Failed(Problem.UNREACHABLE, "Prometheus at " + server + " cannot be reached: the TLS handshake"
                    + " failed (" + cause.getMessage() + ")");
        }
        if (cause instanceof ConnectException || cause instanceof UnresolvedAddressException
                || cause instanceof java.net.UnknownHostException) {
            String why = cause.getMessage() == null || cause.getMessage().isBlank()
                    ? cause.getClass().getSimpleName() : cause.getMessage();
            return new Reading.Failed(Problem.UNREACHABLE, "Prometheus at " + server + " cannot be reached: " + why);
        }
        if (cause instanceof IOException) {
            return new Reading.Failed(Problem.UNREACHABLE, "Prometheus at " + server + " broke off the answer: "
                    + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()));
        }
        LOG.warn("reading Prometheus at {} failed unexpectedly", server, cause);
        return new Reading.Failed(Problem.UNREACHABLE, "reading Prometheus at " + server + " failed: " + cause);
    }

    private Reading timedOut(String server) {
        return new Reading.Failed(Problem.TIMEOUT, "Prometheus at " + server + " did not answer within "
                + seconds(settings.readTimeout()));
    }

    private static Throwable unwrap(Throwable t) {
        Throwable cause = t;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        // the client wraps what a body subscriber completes with in an IOException
        if (cause instanceof IOException && cause.getCause() instanceof BoundedBody.TooLarge tooLarge) {
            return tooLarge;
        }
        return cause;
    }

    /**
     * Why a guardrail's {@code prometheusUrl} cannot be read, in a sentence naming the field; empty
     * when it can. The allow list of the settings is checked by {@link #read} on top of this.
     */
    public static Optional<String> checkUrl(String baseUrl) {
        if (baseUrl == null || baseUrl.isBlank()) {
            return Optional.of("prometheusUrl is missing: the base URL of the Prometheus server, e.g. http://prometheus:9090");
        }
        String trimmed = baseUrl.trim();
        if (trimmed.length() > MAX_URL_LENGTH) {
            return Optional.of("prometheusUrl is " + trimmed.length() + " characters long; at most " + MAX_URL_LENGTH);
        }
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            return Optional.of("prometheusUrl is not a URL (" + e.getReason() + "), e.g. http://prometheus:9090");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Optional.of("prometheusUrl must be an http or https URL, e.g. http://prometheus:9090");
        }
        if (uri.getRawUserInfo() != null) {
            return Optional.of("prometheusUrl must not carry credentials; set " + PrometheusSettings.PREFIX
                    + "basic.auth.user.info or " + PrometheusSettings.PREFIX + "bearer.auth.token instead");
        }
        if (uri.getHost() == null) {
            return Optional.of("prometheusUrl has no host, e.g. http://prometheus:9090");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            return Optional.of("prometheusUrl must be the server's base URL, without a query or fragment");
        }
        return Optional.empty();
    }

    /** Why a guardrail's {@code query} cannot be sent, in a sentence naming the field; empty when it can. */
    public static Optional<String> checkQuery(String query) {
        if (query == null || query.isBlank()) {
            return Optional.of("query is missing: a PromQL expression whose result is one number, e.g. "
                    + "sum(rate(http_errors_total[5m])) / sum(rate(http_requests_total[5m]))");
        }
        if (query.length() > MAX_QUERY_LENGTH) {
            return Optional.of("query is " + query.length() + " characters long; at most " + MAX_QUERY_LENGTH);
        }
        return Optional.empty();
    }

    static URI queryUri(String base, String query, Instant at) {
        StringBuilder uri = new StringBuilder(base).append("/api/v1/query?query=")
                .append(URLEncoder.encode(query, StandardCharsets.UTF_8));
        if (at != null) {
            // Unix seconds with up to millisecond decimals, the API's documented form
            uri.append("&time=").append(at.getEpochSecond());
            int millis = at.getNano() / 1_000_000;
            if (millis != 0) {
                uri.append('.').append(String.format(Locale.ROOT, "%03d", millis));
            }
        }
        return URI.create(uri.toString());
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }

    private static String bytes(int n) {
        return n % (1 << 20) == 0 ? n / (1 << 20) + " MiB" : n % 1024 == 0 ? n / 1024 + " KiB" : n + " bytes";
    }

    /** Collects a body up to a bound, and refuses it (cancelling the rest) the moment it passes. */
    static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {

        static final class TooLarge extends IOException {
            TooLarge(long bound) {
                super("answer larger than " + bound + " bytes");
            }
        }

        private final int bound;
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        private BoundedBody(int bound) {
            this.bound = bound;
        }

        static HttpResponse.BodySubscriber<byte[]> of(HttpResponse.ResponseInfo info, int bound) {
            BoundedBody subscriber = new BoundedBody(bound);
            long declared = info.headers().firstValueAsLong("content-length").orElse(-1);
            if (declared > bound) {
                subscriber.body.completeExceptionally(new TooLarge(bound));
            }
            return subscriber;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (body.isDone()) {
                s.cancel();
            } else {
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (body.isDone()) {
                return;
            }
            for (ByteBuffer buffer : buffers) {
                if ((long) bytes.size() + buffer.remaining() > bound) {
                    subscription.cancel();
                    body.completeExceptionally(new TooLarge(bound));
                    return;
                }
                byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            body.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            body.complete(bytes.toByteArray());
        }

        @Override
        public java.util.concurrent.CompletionStage<byte[]> getBody() {
            return body;
        }
    }
}
