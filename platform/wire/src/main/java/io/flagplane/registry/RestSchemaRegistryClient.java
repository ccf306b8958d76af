package io.flagplane.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.registry.SchemaRegistryException.Kind;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.apache.avro.Schema;

/**
 * A client for the Confluent Schema Registry REST API, usable against Confluent's registry,
 * Redpanda, Karapace, Apicurio's ccompat API and Flagplane's embedded registry. Every call is
 * bounded by the request timeout; failures become {@link SchemaRegistryException}s carrying the
 * registry's error code. No caching here: put a {@link CachingSchemaRegistryClient} in front.
 * Credentials (basic auth or a bearer token) and the HTTPS trust come with its {@link RegistryAccess}.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {

    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final Duration timeout;
    private final String authorization;
    private final HttpClient http;

    public RestSchemaRegistryClient(String baseUrl) {
        this(RegistryAccess.of(baseUrl));
    }

    /**
     * @param baseUrl           e.g. {@code http://localhost:8081}
     * @param timeout           bound on connecting and on each request
     * @param basicAuthUserInfo {@code user:password} for HTTP basic auth, or null
     */
    public RestSchemaRegistryClient(String baseUrl, Duration timeout, String basicAuthUserInfo) {
        this(new RegistryAccess(checked(baseUrl), timeout, basicAuthUserInfo, null, null));
    }

    /** A client that sends {@code access}'s credentials and trusts its trust store for HTTPS. */
    public RestSchemaRegistryClient(RegistryAccess access) {
        String baseUrl = checked(access.url());
        this.baseUrl = baseUrl.trim().replaceAll("/+$", "");
        this.timeout = access.timeout();
        this.authorization = access.authorization();
        HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(timeout);
        SSLContext ssl = access.sslContext();
        if (ssl != null) {
            http.sslContext(ssl);
        }
        this.http = http.build();
    }

    private static String checked(String baseUrl) {
        if (baseUrl == null || baseUrl.isBlank()) {
            throw new IllegalArgumentException("schema registry URL is missing");
        }
        URI parsed = URI.create(baseUrl.trim());
        if (parsed.getScheme() == null || parsed.getHost() == null) {
            throw new IllegalArgumentException("schema registry URL is not an absolute http(s) URL: " + baseUrl);
        }
        return baseUrl;
    }

    public String baseUrl() {
        return baseUrl;
    }

    @Override
    public int register(String subject, Schema schema) {
        return send("POST", "/subjects/" + segment(subject) + "/versions", schemaBody(schema.toString())).path("id").asInt();
    }

    @Override
    public int lookupId(String subject, Schema schema) {
        return lookup(subject, schema.toString()).id();
    }

    /** {@code POST /subjects/{subject}}: the version of {@code subject} holding this schema. */
    public RegisteredSchema lookup(String subject, String schemaText) {
        return registered(send("POST", "/subjects/" + segment(subject), schemaBody(schemaText)));
    }

    @Override
    public Schema schemaById(int id) {
        return SchemaRegistryState.parse(schemaTextById(id));
    }

    /** {@code GET /schemas/ids/{id}}: the schema text. */
    public String schemaTextById(int id) {
        return send("GET", "/schemas/ids/" + id, null).path("schema").asText();
    }

    /** {@code POST /subjects/{subject}/versions} with the raw text; for tools and tests. */
    public int register(String subject, String schemaText) {
        return send("POST", "/subjects/" + segment(subject) + "/versions", schemaBody(schemaText)).path("id").asInt();
    }

    public List<String> subjects() {
        List<String> out = new ArrayList<>();
        send("GET", "/subjects", null).forEach(n -> out.add(n.asText()));
        return out;
    }

    public List<Integer> versions(String subject) {
        List<Integer> out = new ArrayList<>();
        send("GET", "/subjects/" + segment(subject) + "/versions", null).forEach(n -> out.add(n.asInt()));
        return out;
    }

    /** {@code GET /subjects/{subject}/versions/{version}}; version is a number or {@code latest}. */
    public RegisteredSchema version(String subject, String version) {
        return registered(send("GET", "/subjects/" + segment(subject) + "/versions/" + segment(version), null));
    }

    /** The answer of a compatibility check: compatible or not, and why not. */
    public record CompatibilityCheck(boolean compatible, List<String> messages) {
    }

    /** {@code POST /compatibility/subjects/{subject}/versions/{version}?verbose=true}. */
    public CompatibilityCheck checkCompatibility(String subject, String version, String schemaText) {
        JsonNode answer = send("POST", "/compatibility/subjects/" + segment(subject) + "/versions/" + segment(version)
                + "?verbose=true", schemaBody(schemaText));
        List<String> messages = new ArrayList<>();
        answer.path("messages").forEach(m -> messages.add(m.asText()));
        return new CompatibilityCheck(answer.path("is_compatible").asBoolean(false), messages);
    }

    /** {@code GET /config}. */
    public CompatibilityLevel globalCompatibility() {
        return level(send("GET", "/config", null).path("compatibilityLevel").asText());
    }

    /** {@code PUT /config}. */
    public CompatibilityLevel setGlobalCompatibility(CompatibilityLevel level) {
        return level(send("PUT", "/config", levelBody(level)).path("compatibility").asText());
    }

    /** {@code GET /config/{subject}}: empty when the subject has no level of its own. */
    public Optional<CompatibilityLevel> subjectCompatibility(String subject) {
        try {
            return Optional.of(level(send("GET", "/config/" + segment(subject), null).path("compatibilityLevel").asText()));
        } catch (SchemaRegistryException e) {
            if (e.kind() == Kind.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** {@code PUT /config/{subject}}. */
    public CompatibilityLevel setSubjectCompatibility(String subject, CompatibilityLevel level) {
        return level(send("PUT", "/config/" + segment(subject), levelBody(level)).path("compatibility").asText());
    }

    private static CompatibilityLevel level(String text) {
        return CompatibilityLevel.parse(text).orElseThrow(() -> new SchemaRegistryException(Kind.PROTOCOL, 200, 0,
                "registry answered an unknown compatibility level: " + text));
    }

    private static RegisteredSchema registered(JsonNode n) {
        return new RegisteredSchema(n.path("subject").asText(), n.path("version").asInt(), n.path("id").asInt(),
                n.path("schema").asText());
    }

    private static String schemaBody(String schemaText) {
        ObjectNode body = JSON.createObjectNode();
        body.put("schema", schemaText);
        return body.toString();
    }

    private static String levelBody(CompatibilityLevel level) {
        ObjectNode body = JSON.createObjectNode();
        body.put("compatibility", level.name());
        return body.toString();
    }

    private static String segment(String pathSegment) {
        return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private JsonNode send(String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(timeout)
                .header("Accept", CONTENT_TYPE)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            request.header("Content-Type", CONTENT_TYPE);
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (SSLHandshakeException e) {
            throw new SchemaRegistryException(Kind.UNAVAILABLE, 0, 0, "the TLS handshake with the schema registry at "
                    + baseUrl + " failed; is its certificate trusted (schema.registry.ssl.truststore.location)? " + e, e);
        } catch (IOException e) {
            throw new SchemaRegistryException(Kind.UNAVAILABLE, 0, 0,
                    "schema registry at " + baseUrl + " did not answer " + method + " " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException(Kind.UNAVAILABLE, 0, 0,
                    "interrupted while calling the schema registry at " + baseUrl, e);
        }
        JsonNode json = parse(response.body());
        int status = response.statusCode();
        if (status / 100 == 2) {
            if (json == null) {
                throw new SchemaRegistryException(Kind.PROTOCOL, status, 0,
                        "schema registry answered " + method + " " + path + " with a body that is not JSON");
            }
            return json;
        }
        int errorCode = json == null ? status : json.path("error_code").asInt(status);
        String message = json == null ? abbreviate(response.body()) : json.path("message").asText(abbreviate(response.body()));
        String hint = status == 401 ? (authorization == null
                ? " (it wants credentials: set schema.registry.basic.auth.user.info or schema.registry.bearer.auth.token)"
                : " (it refused the credentials: check schema.registry.basic.auth.user.info or schema.registry.bearer.auth.token)")
                : status == 403 ? " (the credentials may not do this)" : "";
        throw new SchemaRegistryException(SchemaRegistryException.kindOf(status), status, errorCode,
                "schema registry refused " + method + " " + path + " (HTTP " + status + ", error " + errorCode + "): " + message + hint);
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
