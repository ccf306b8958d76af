package io.flagplane.edge.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagplane.auth.Role;
import io.flagplane.auth.TokenRegistry;
import io.flagplane.avro.ActorKind;
import io.flagplane.contract.TopicNames;
import io.flagplane.edge.EdgeConfig;
import io.flagplane.edge.EdgeNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Tokens, a config and an HTTP client for edge-node tests. */
final class EdgeFixture {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final String reader = TokenRegistry.newToken();
    final String stagingReader = TokenRegistry.newToken();
    final Path tokens;
    final Path snapshot;

    EdgeFixture() {
        try {
            tokens = Files.createTempFile(Path.of("target"), "tokens", ".json");
            Files.writeString(tokens, "{\"tokens\":["
                    + TokenRegistry.entry("checkout-service", ActorKind.SERVICE_TOKEN, Map.of("*", Role.VIEWER), reader) + ","
                    + TokenRegistry.entry("staging-app", ActorKind.SERVICE_TOKEN, Map.of("staging", Role.VIEWER), stagingReader)
                    + "]}");
            snapshot = Files.createTempDirectory(Path.of("target"), "edge").resolve("snapshot.avro");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    EdgeConfig config(String bootstrapServers, String registryUrl, TopicNames topics) {
        return new EdgeConfig("127.0.0.1", 0, bootstrapServers, registryUrl, topics, List.of("production", "staging"), true,
                tokens, snapshot, Duration.ofMillis(300), 100);
    }

    /** A response: status, headers, body text and (when JSON) the parsed body. */
    record Response(int status, HttpResponse<String> raw, JsonNode body) {
        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    static Response send(EdgeNode node, String method, String path, String body, String token, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.url() + path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode parsed = null;
            if (!response.body().isEmpty() && response.headers().firstValue("Content-Type").orElse("").contains("json")) {
                parsed = JSON.readTree(response.body());
            }
            return new Response(response.statusCode(), response, parsed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
