package io.flagplane.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;

/**
 * The suite's HTTP client. A request that cannot be answered (refused, reset, timed out) is a
 * response with status 0, not an exception: under a fault that is an expected outcome to count.
 */
final class Http {

    static final ObjectMapper JSON = new ObjectMapper();

    record Response(int status, String body, boolean replayed, long nanos) {

        boolean ok() {
            return status / 100 == 2;
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (Exception e) {
                return JSON.createObjectNode();
            }
        }
    }

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .executor(Executors.newFixedThreadPool(4, r -> {
                Thread t = new Thread(r, "http");
                t.setDaemon(true);
                return t;
            })).build();
    private final String token;

    Http(String token) {
        this.token = token;
    }

    Response get(String url, Duration timeout) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET(), timeout);
    }

    Response post(String url, String body, String idempotencyKey, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (idempotencyKey != null) {
            b.header("Idempotency-Key", idempotencyKey);
        }
        return send(b, timeout);
    }

    /** Any method, body and Authorization value (null: none), for probes that must not look like the suite's own requests. */
    Response raw(String method, String url, byte[] body, String authorization, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/json");
        return send(b, timeout, authorization);
    }

    private Response send(HttpRequest.Builder b, Duration timeout) {
        return send(b, timeout, "Bearer " + token);
    }

    private Response send(HttpRequest.Builder b, Duration timeout, String authorization) {
        long started = System.nanoTime();
        try {
            if (authorization != null) {
                b.header("Authorization", authorization);
            }
            HttpResponse<String> r = client.send(b.timeout(timeout).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(),
                    r.headers().firstValue("Idempotent-Replayed").map("true"::equalsIgnoreCase).orElse(false),
                    System.nanoTime() - started);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Response(0, "interrupted", false, System.nanoTime() - started);
        } catch (Exception e) {
            return new Response(0, e.getClass().getSimpleName(), false, System.nanoTime() - started);
        }
    }
}
