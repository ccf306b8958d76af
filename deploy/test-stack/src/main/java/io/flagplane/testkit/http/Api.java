package io.flagplane.testkit.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A small client of any Flagplane HTTP API (command, projection, edge) for tests: JSON in and out,
 * a bearer token, optional headers.
 */
public final class Api {

    public static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A response: status, headers and the parsed body (null when empty). */
    public record Response(int status, Map<String, String> headers, JsonNode body, String raw) {
        public String errorCode() {
            return body == null || !body.has("error") ? null : body.get("error").get("code").asText();
        }

        public String errorField() {
            return body == null || !body.has("error") || !body.get("error").has("field") ? null
                    : body.get("error").get("field").asText();
        }

        public long version() {
            return body.get("version").asLong();
        }
    }

    private final String baseUrl;
    private final String token;
    private final Map<String, String> headers = new HashMap<>();

    public Api(String baseUrl, String token) {
        this.baseUrl = baseUrl;
        this.token = token;
    }

    public Api with(String header, String value) {
        Api copy = new Api(baseUrl, token);
        copy.headers.putAll(headers);
        copy.headers.put(header, value);
        return copy;
    }

    public Api as(String otherToken) {
        Api copy = new Api(baseUrl, otherToken);
        copy.headers.putAll(headers);
        return copy;
    }

    public Response get(String path) {
        return send("GET", path, null);
    }

    public Response post(String path, String body) {
        return send("POST", path, body);
    }

    public Response put(String path, String body) {
        return send("PUT", path, body);
    }

    public Response patch(String path, String body) {
        return send("PATCH", path, body);
    }

    public Response send(String method, String path, String body) {
        return sendBytes(method, path, body == null ? null : body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** A request whose body is exactly these bytes (e.g. invalid UTF-8). */
    public Response sendBytes(String method, String path, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            Map<String, String> responseHeaders = new HashMap<>();
            response.headers().map().forEach((k, v) -> responseHeaders.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0)));
            JsonNode parsed = null;
            String contentType = responseHeaders.getOrDefault("content-type", "");
            if (!response.body().isEmpty() && contentType.startsWith("application/json")) {
                parsed = JSON.readTree(response.body());
            }
            return new Response(response.statusCode(), responseHeaders, parsed, response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
