package io.flagplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The CLI's only way out: the public HTTP APIs of the command-service, the projection-service
 * and the edge node, with the user's bearer token. An error answer becomes an
 * {@link ApiException} carrying the API's own code and sentence; a service that cannot be reached
 * becomes exit 4 naming it and its URL.
 */
public final class Api {

    static final ObjectMapper JSON = new ObjectMapper();

    public enum Service {
        COMMAND("command-service"), PROJECTION("projection-service"), EDGE("edge node");

        final String label;

        Service(String label) {
            this.label = label;
        }
    }

    private final Connection connection;
    private final HttpClient http;

    public Api(Connection connection) {
        this.connection = connection;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    public Connection connection() {
        return connection;
    }

    public String environment() {
        return connection.environment();
    }

    /** {@code /api/v1/environments/{env}} for the current environment. */
    public String env() {
        return "/api/v1/environments/" + enc(connection.environment());
    }

    public static String enc(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Query string from pairs, skipping null values: {@code query("limit", 5, "since", null)}. */
    public static String query(Object... pairs) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            if (pairs[i + 1] == null) {
                continue;
            }
            out.append(out.length() == 0 ? '?' : '&').append(pairs[i]).append('=').append(enc(String.valueOf(pairs[i + 1])));
        }
        return out.toString();
    }

    public JsonNode get(Service service, String path) {
        return send(service, "GET", path, null, Duration.ofSeconds(30), Map.of());
    }

    public JsonNode get(Service service, String path, Duration timeout) {
        return send(service, "GET", path, null, timeout, Map.of());
    }

    public JsonNode post(Service service, String path, JsonNode body) {
        return send(service, "POST", path, body, Duration.ofSeconds(30), Map.of());
    }

    public JsonNode put(Service service, String path, JsonNode body) {
        return send(service, "PUT", path, body, Duration.ofSeconds(30), Map.of());
    }

    public JsonNode put(Service service, String path, JsonNode body, Map<String, String> headers) {
        return send(service, "PUT", path, body, Duration.ofSeconds(30), headers);
    }

    public JsonNode patch(Service service, String path, JsonNode body) {
        return send(service, "PATCH", path, body, Duration.ofSeconds(30), Map.of());
    }

    public static ObjectNode body() {
        return JSON.createObjectNode();
    }

    private String base(Service service) {
        return switch (service) {
            case COMMAND -> connection.commandUrl();
            case PROJECTION -> connection.projectionUrl();
            case EDGE -> connection.edgeUrl();
        };
    }

    private HttpRequest.Builder request(Service service, String path, Duration timeout) {
        URI uri;
        try {
            uri = URI.create(base(service) + path);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("the " + service.label + " URL '" + base(service) + "' is not a URL: " + e.getMessage());
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json");
        if (connection.token() != null) {
            builder.header("Authorization", "Bearer " + connection.token());
        }
        return builder;
    }

    JsonNode send(Service service, String method, String path, JsonNode body, Duration timeout, Map<String, String> headers) {
        HttpRequest.Builder builder = request(service, path, timeout);
        headers.forEach(builder::header);
        if (body != null) {
            builder.header("Content-Type", "application/json");
            if (!method.equals("PUT") && !method.equals("PATCH") && service == Service.COMMAND) {
                // a retried command returns the first answer and writes nothing
                builder.header("Idempotency-Key", "cli-" + UUID.randomUUID());
            }
            builder.method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        } else {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response;
        try {
            response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw unreachable(service, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.UNREACHABLE, "interrupted while waiting for the " + service.label);
        }
        return answer(service, response.statusCode(), response.body());
    }

    private JsonNode answer(Service service, int status, String text) {
        JsonNode json = null;
        try {
            json = text == null || text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
        } catch (IOException e) {
            if (status < 400) {
                throw new CliException(ExitCode.SERVER_ERROR, "the " + service.label + " at " + base(service)
                        + " answered " + status + " with something that is not JSON: " + abbreviate(text));
            }
        }
        if (status >= 400) {
            JsonNode error = json == null ? null : json.path("error");
            if (error != null && error.has("code")) {
                throw new ApiException(service.label, status, error.path("code").asText(), error.path("message").asText(),
                        error.hasNonNull("field") ? error.get("field").asText() : null, text);
            }
            throw new ApiException(service.label, status, status >= 500 ? "INTERNAL" : "HTTP_" + status,
                    "an answer that is not Flagplane's error shape: " + abbreviate(text), null, text);
        }
        return json;
    }

    private CliException unreachable(Service service, IOException e) {
        String why;
        if (e instanceof HttpConnectTimeoutException) {
            why = "the connection timed out";
        } else if (e instanceof HttpTimeoutException) {
            return new CliException(ExitCode.UNREACHABLE, "the " + service.label + " at " + base(service)
                    + " did not answer in time", e);
        } else if (e instanceof ConnectException || e.getCause() instanceof ConnectException) {
            why = "connection refused";
        } else if (e.getCause() instanceof UnresolvedAddressException) {
            why = "unknown host";
        } else {
            why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        String hint = service == Service.COMMAND && base(service).equals(Connection.DEFAULT_COMMAND)
                ? " — is the local stack running (./flagplane-local)?" : "";
        return new CliException(ExitCode.UNREACHABLE, "cannot reach the " + service.label + " at " + base(service) + ": " + why
                + hint, e);
    }

    /**
     * Reads a server-sent-event stream, handing each event (its {@code event:} name, {@code id:}
     * and {@code data:}) to {@code onEvent} until the stream ends (this returns) or the thread is
     * interrupted. {@code onOpen} runs once the service has answered 200. A service that cannot be
     * reached, or a stream that breaks, is a {@link CliException} with exit 4; an error answer an
     * {@link ApiException}.
     */
    public void stream(Service service, String path, Map<String, String> headers, Runnable onOpen,
                       Consumer<Map<String, String>> onEvent) {
        HttpRequest.Builder builder = request(service, path, Duration.ofDays(365)).setHeader("Accept", "text/event-stream");
        headers.forEach(builder::setHeader);
        HttpResponse<InputStream> response;
        try {
            response = http.send(builder.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw unreachable(service, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try (InputStream in = response.body();
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            if (response.statusCode() >= 400) {
                StringBuilder text = new StringBuilder();
                for (String line; (line = reader.readLine()) != null; ) {
                    text.append(line);
                }
                answer(service, response.statusCode(), text.toString());
                return;
            }
            onOpen.run();
            Map<String, String> event = new LinkedHashMap<>();
            StringBuilder data = new StringBuilder();
            for (String line; (line = reader.readLine()) != null; ) {
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                if (line.isEmpty()) {
                    if (data.length() > 0 || event.containsKey("event")) {
                        event.put("data", data.toString());
                        onEvent.accept(event);
                    }
                    event = new LinkedHashMap<>();
                    data.setLength(0);
                } else if (line.startsWith(":")) {
                    continue;   // a comment (heartbeat)
                } else {
                    int colon = line.indexOf(':');
                    String field = colon < 0 ? line : line.substring(0, colon);
                    String value = colon < 0 ? "" : line.substring(colon + 1).stripLeading();
                    if (field.equals("data")) {
                        data.append(data.length() > 0 ? "\n" : "").append(value);
                    } else {
                        event.put(field, value);
                    }
                }
            }
        } catch (IOException e) {
            if (!Thread.currentThread().isInterrupted()) {
                throw new CliException(ExitCode.UNREACHABLE, "the " + service.label + "'s event stream broke: " + e.getMessage(), e);
            }
        }
    }

    String label(Service service) {
        return "the " + service.label + " at " + base(service);
    }

    static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        String one = text.replaceAll("\\s+", " ").trim();
        return one.length() > 200 ? one.substring(0, 200) + "…" : one;
    }
}
