package io.flagplane.registry.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.registry.CompatibilityLevel;
import io.flagplane.registry.RegisteredSchema;
import io.flagplane.registry.RegistryRecord.CompatibilitySet;
import io.flagplane.registry.RestSchemaRegistryClient;
import io.flagplane.registry.SchemaRegistryException;
import io.flagplane.registry.SchemaRegistryException.ErrorCodes;
import io.flagplane.registry.SchemaRegistryException.Kind;
import io.flagplane.registry.SchemaRegistryState;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Confluent Schema Registry REST subset that serializers, deserializers and common tools
 * use, with Confluent's error body ({@code {"error_code": 40401, "message": "..."}}) and codes.
 * Handlers parse, call the store, and render; the rules live in {@link SchemaRegistryState}.
 */
final class RegistryHttpApi {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryHttpApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private RegistryHttpApi() {
    }

    /** A request that cannot be read: HTTP status, Confluent error code, message. */
    static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final int errorCode;

        BadRequest(int status, int errorCode, String message) {
            super(message);
            this.status = status;
            this.errorCode = errorCode;
        }
    }

    static Javalin create(KafkaSchemaStore store) {
        return create(store, RegistryCredentials.none(), null, null, 0);
    }

    /** @param tls HTTPS on {@code host:port} instead of HTTP, or null */
    static Javalin create(KafkaSchemaStore store, RegistryCredentials credentials, RegistryTls tls, String host, int port) {
        return Javalin.create(config -> {
            if (tls != null) {
                tls.configure(config, host, port);
            }
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.maxRequestSize = 4_000_000L;
            var routes = config.routes;

            routes.before(ctx -> {
                // GET / answers {} and nothing else: a readiness probe's path, open like Confluent's
                boolean probe = ctx.path().equals("/") && ctx.method() == io.javalin.http.HandlerType.GET;
                if (!probe && !credentials.admits(ctx.header("Authorization"))) {
                    ctx.header("WWW-Authenticate", "Basic realm=\"flagplane-registry\"");
                    throw new BadRequest(401, 40101, "Unauthorized: this registry requires credentials (basic auth or a bearer token)");
                }
            });

            routes.get("/", ctx -> render(ctx, 200, JSON.createObjectNode()));
            routes.get("/schemas/types", ctx -> render(ctx, 200, List.of("AVRO")));
            routes.get("/subjects", ctx -> render(ctx, 200, store.read(SchemaRegistryState::subjects)));
            routes.get("/subjects/{subject}/versions", ctx -> {
                String subject = ctx.pathParam("subject");
                render(ctx, 200, store.read(s -> s.versions(subject)));
            });
            routes.post("/subjects/{subject}/versions", ctx -> {
                String subject = ctx.pathParam("subject");
                String schema = schemaOf(ctx);
                RegisteredSchema registered = store.write(s -> {
                    var registration = s.prepareRegistration(subject, schema);
                    return new KafkaSchemaStore.Decision<>(registration instanceof SchemaRegistryState.Created c ? c.record() : null,
                            registration.schema());
                });
                render(ctx, 200, Map.of("id", registered.id()));
            });
            routes.get("/subjects/{subject}/versions/{version}", ctx -> {
                String subject = ctx.pathParam("subject");
                String version = ctx.pathParam("version");
                render(ctx, 200, registered(store.read(s -> s.version(subject, version))));
            });
            routes.get("/subjects/{subject}/versions/{version}/schema", ctx -> {
                String subject = ctx.pathParam("subject");
                String version = ctx.pathParam("version");
                ctx.status(200).contentType(RestSchemaRegistryClient.CONTENT_TYPE)
                        .result(store.read(s -> s.version(subject, version)).schema());
            });
            routes.post("/subjects/{subject}", ctx -> {
                String subject = ctx.pathParam("subject");
                String schema = schemaOf(ctx);
                render(ctx, 200, registered(store.read(s -> s.lookup(subject, schema))));
            });
            routes.get("/schemas/ids/{id}", ctx -> {
                int id = schemaId(ctx.pathParam("id"));
                render(ctx, 200, Map.of("schema", store.read(s -> s.schemaText(id))));
            });
            routes.post("/compatibility/subjects/{subject}/versions/{version}", ctx ->
                    compatibility(ctx, store, ctx.pathParam("version")));
            routes.post("/compatibility/subjects/{subject}/versions", ctx -> compatibility(ctx, store, null));
            routes.get("/config", ctx -> render(ctx, 200,
                    Map.of("compatibilityLevel", store.read(SchemaRegistryState::globalLevel).name())));
            routes.put("/config", ctx -> setLevel(ctx, store, null));
            routes.get("/config/{subject}", ctx -> {
                String subject = ctx.pathParam("subject");
                boolean defaultToGlobal = Boolean.parseBoolean(ctx.queryParam("defaultToGlobal"));
                Optional<CompatibilityLevel> level = store.read(s -> s.subjectLevel(subject));
                if (level.isEmpty() && !defaultToGlobal) {
                    throw new SchemaRegistryException(Kind.NOT_FOUND, 404, ErrorCodes.SUBJECT_COMPATIBILITY_NOT_CONFIGURED,
                            "Subject '" + subject + "' does not have subject-level compatibility configured");
                }
                render(ctx, 200, Map.of("compatibilityLevel",
                        level.orElseGet(() -> store.read(SchemaRegistryState::globalLevel)).name()));
            });
            routes.put("/config/{subject}", ctx -> setLevel(ctx, store, ctx.pathParam("subject")));

            routes.exception(SchemaRegistryException.class, (e, ctx) -> {
                if (e.kind() == Kind.UNAVAILABLE) {
                    LOG.warn("{} {} failed: {}", ctx.method(), ctx.path(), e.getMessage());
                }
                error(ctx, e.httpStatus() == 0 ? 500 : e.httpStatus(), e.errorCode(), e.getMessage());
            });
            routes.exception(BadRequest.class, (e, ctx) -> error(ctx, e.status, e.errorCode, e.getMessage()));
            routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), e.getStatus(),
                    "HTTP " + e.getStatus() + " " + e.getMessage()));
            routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
                error(ctx, 500, 50001, "Error in the backend data store: " + e.getMessage());
            });
            routes.error(404, ctx -> {
                if (ctx.result() == null) {
                    error(ctx, 404, 404, "HTTP 404 Not Found");
                }
            });
            routes.error(405, ctx -> error(ctx, 405, 405, "HTTP 405 Method Not Allowed"));
        });
    }

    private static void compatibility(Context ctx, KafkaSchemaStore store, String version) {
        String subject = ctx.pathParam("subject");
        String schema = schemaOf(ctx);
        List<String> violations = store.read(s -> s.compatibilityViolations(subject, schema, version));
        ObjectNode body = JSON.createObjectNode();
        body.put("is_compatible", violations.isEmpty());
        if (Boolean.parseBoolean(ctx.queryParam("verbose"))) {
            violations.forEach(body.putArray("messages")::add);
            if (violations.isEmpty()) {
                body.putArray("messages");
            }
        }
        render(ctx, 200, body);
    }

    private static void setLevel(Context ctx, KafkaSchemaStore store, String subject) {
        JsonNode body = body(ctx);
        String text = body.path("compatibility").asText(null);
        CompatibilityLevel level = CompatibilityLevel.parse(text).orElseThrow(() -> new BadRequest(422,
                ErrorCodes.INVALID_COMPATIBILITY_LEVEL, "Invalid compatibility level. Valid values are none, backward, "
                + "forward, full, backward_transitive, forward_transitive, and full_transitive"));
        store.write(s -> new KafkaSchemaStore.Decision<>(new CompatibilitySet(subject, level), level));
        render(ctx, 200, Map.of("compatibility", level.name()));
    }

    private static String schemaOf(Context ctx) {
        JsonNode body = body(ctx);
        String type = body.path("schemaType").asText("AVRO");
        if (!"AVRO".equalsIgnoreCase(type)) {
            throw new BadRequest(422, ErrorCodes.INVALID_SCHEMA, "Invalid schema type " + type + ": this registry serves AVRO only");
        }
        if (body.path("references").size() > 0) {
            throw new BadRequest(422, ErrorCodes.INVALID_SCHEMA, "Invalid schema: schema references are not supported");
        }
        JsonNode schema = body.get("schema");
        if (schema == null || !schema.isTextual()) {
            throw new BadRequest(422, ErrorCodes.INVALID_SCHEMA, "Invalid schema: the request needs a \"schema\" string field");
        }
        return schema.asText();
    }

    private static JsonNode body(Context ctx) {
        try {
            JsonNode body = JSON.readTree(ctx.body());
            if (body == null || !body.isObject()) {
                throw new BadRequest(400, 400, "The request body must be a JSON object");
            }
            return body;
        } catch (JsonProcessingException e) {
            throw new BadRequest(400, 400, "The request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static int schemaId(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new SchemaRegistryException(Kind.NOT_FOUND, 404, ErrorCodes.SCHEMA_NOT_FOUND, "Schema " + text + " not found");
        }
    }

    private static Map<String, Object> registered(RegisteredSchema r) {
        return Map.of("subject", r.subject(), "version", r.version(), "id", r.id(), "schema", r.schema());
    }

    private static void error(Context ctx, int status, int errorCode, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.put("error_code", errorCode);
        body.put("message", message);
        render(ctx, status, body);
    }

    private static void render(Context ctx, int status, Object body) {
        try {
            ctx.status(status).contentType(RestSchemaRegistryClient.CONTENT_TYPE).result(JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render a response", e);
        }
    }
}
