package io.flagplane.edge.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagplane.auth.Principal;
import io.flagplane.auth.Role;
import io.flagplane.auth.TokenRegistry;
import io.flagplane.edge.EdgeConfig;
import io.flagplane.edge.EdgeMetrics;
import io.flagplane.edge.stream.ChangeFeed;
import io.flagplane.evaluation.ErrorCode;
import io.flagplane.evaluation.Evaluation;
import io.flagplane.evaluation.EvaluationContext;
import io.flagplane.evaluation.Evaluator;
import io.flagplane.evaluation.Flag;
import io.flagplane.evaluation.FlagView;
import io.flagplane.ruleset.LiveRuleset;
import io.flagplane.ruleset.Ruleset;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The edge node's HTTP surface:
 * <ul>
 *   <li>OFREP: {@code POST /ofrep/v1/evaluate/flags/{key}}, the bulk {@code POST /ofrep/v1/evaluate/flags}
 *       (with an {@code ETag} and {@code 304} for a matching {@code If-None-Match}, and an
 *       {@code eventStreams} entry pointing at the change stream), {@code GET /ofrep/v1/configuration}
 *       and the change stream {@code GET /ofrep/v1/events};</li>
 *   <li>simple REST in the seeds' shapes: {@code /api/v1/check/{key}} and {@code /api/v1/features}
 *       (and seed 001's {@code /api/feature-flags/check/{name}}, {@code /api/feature-flags/user/features});</li>
 *   <li>operations: {@code /health/live}, {@code /health/ready}, {@code /api/v1/status}, {@code /metrics}.</li>
 * </ul>
 * Handlers parse, evaluate against the current snapshot, and render; nothing here decides a flag.
 * Bad input is a 4xx in the protocol's error shape, never a 5xx.
 */
public final class EdgeHttpApi {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = JSON.getFactory();
    static final long MAX_BODY_BYTES = 256 * 1024L;
    private static final String PRINCIPAL = "flagplane.principal";
    private static final String ENVIRONMENT = "flagplane.environment";
    private static final int MAX_CACHED_TOKENS = 10_000;
    private static final String CONFIGURATION = "{\"name\":\"Flagplane\",\"capabilities\":{\"cacheInvalidation\":{\"polling\":"
            + "{\"enabled\":true,\"minPollingIntervalMs\":1000}},\"flagEvaluation\":{\"supportedTypes\":"
            + "[\"boolean\",\"string\",\"int\",\"float\",\"object\"]}}}";

    private final EdgeConfig config;
    private final LiveRuleset ruleset;
    private final EdgeMetrics metrics;
    private final ChangeFeed feed;
    private final TokenRegistry tokens;
    private final ContextParser contexts = new ContextParser();
    /** Tokens already checked: a SHA-256 per request would be a measurable share of an evaluation. */
    private final ConcurrentHashMap<String, Principal> known = new ConcurrentHashMap<>();

    private EdgeHttpApi(EdgeConfig config, LiveRuleset ruleset, EdgeMetrics metrics, ChangeFeed feed, TokenRegistry tokens) {
        this.config = config;
        this.ruleset = ruleset;
        this.metrics = metrics;
        this.feed = feed;
        this.tokens = tokens;
    }

    /**
     * @param tokens null when authentication is off
     * @param bare   also serve {@code POST /bench/bare}, a constant answer that measures the HTTP server alone
     */
    public static Javalin create(EdgeConfig config, LiveRuleset ruleset, EdgeMetrics metrics, ChangeFeed feed,
                                 TokenRegistry tokens, boolean bare) {
        EdgeHttpApi api = new EdgeHttpApi(config, ruleset, metrics, feed, tokens);
        return Javalin.create(javalin -> {
            javalin.startup.showJavalinBanner = false;
            javalin.startup.showOldJavalinVersionWarning = false;
            javalin.http.maxRequestSize = MAX_BODY_BYTES;
            EdgeErrors.install(javalin);
            var routes = javalin.routes;

            routes.before("/ofrep/*", api::admit);
            routes.before("/api/v1/*", api::admit);
            routes.before("/api/feature-flags/*", api::admit);

            routes.post("/ofrep/v1/evaluate/flags/{key}", api::evaluateOne);
            routes.post("/ofrep/v1/evaluate/flags", api::evaluateAll);
            routes.get("/ofrep/v1/configuration", api::configuration);
            routes.sse("/ofrep/v1/events", api::stream);

            routes.get("/api/v1/check/{key}", api::check);
            routes.post("/api/v1/check/{key}", api::check);
            routes.get("/api/v1/features", api::features);
            routes.post("/api/v1/features", api::features);
            routes.get("/api/feature-flags/check/{key}", api::check);
            routes.get("/api/feature-flags/user/features", api::features);

            routes.get("/health/live", ctx -> raw(ctx, 200, "{\"status\":\"UP\"}"));
            routes.get("/health/ready", ctx -> {
                boolean ready = ruleset.isReady();
                raw(ctx, ready ? 200 : 503, "{\"status\":\"" + (ready ? "READY" : "STARTING") + "\",\"flags\":"
                        + ruleset.current().size() + "}");
            });
            routes.get("/api/v1/status", api::status);
            routes.get("/metrics", ctx -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
                metrics.write(out);
                ctx.status(200).contentType(metrics.contentType()).result(out.toByteArray());
            });
            if (bare) {
                routes.post("/bench/bare", ctx -> raw(ctx, 200,
                        "{\"key\":\"bare\",\"value\":true,\"reason\":\"STATIC\",\"variant\":\"on\",\"metadata\":{}}"));
            }
        });
    }

    // ------------------------------------------------------------------ admission: environment and token

    /**
     * The environments this node answers for: its configured list, or with {@code *} every
     * environment its ruleset holds flags or segments for (only declared environments take any).
     */
    private java.util.Collection<String> servedEnvironments() {
        return config.servesEveryEnvironment() ? new java.util.TreeSet<>(ruleset.current().environments()) : config.environments();
    }

    /** Picks the environment and checks the token may read it; both before any handler runs. */
    private void admit(Context ctx) {
        if (ctx.path().equals("/api/v1/status")) {
            return;   // operations: like /health and /metrics, open to the infrastructure that watches the node
        }
        String requested = ctx.header(EdgeConfig.ENVIRONMENT_HEADER);
        if (requested == null || requested.isBlank()) {
            requested = ctx.queryParam("environment");
        }
        String environment = requested == null || requested.isBlank() ? config.defaultEnvironment() : requested.trim();
        if (environment == null) {
            throw new OfrepError(400, ErrorCode.GENERAL, "ENVIRONMENT_NOT_SERVED", "this node serves every environment; name"
                    + " one with the " + EdgeConfig.ENVIRONMENT_HEADER + " header or ?environment=");
        }
        if (!servedEnvironments().contains(environment)) {
            throw new OfrepError(400, ErrorCode.GENERAL, "ENVIRONMENT_NOT_SERVED", "this node does not serve environment '"
                    + EdgeErrors.abbreviate(environment) + "'; it serves " + servedEnvironments());
        }
        ctx.attribute(ENVIRONMENT, environment);
        if (ctx.path().equals("/ofrep/v1/events") && feed.full()) {
            throw new OfrepError(503, ErrorCode.GENERAL, "this node already serves its maximum of change streams; "
                    + "try another node or poll the bulk evaluation");
        }
        if (tokens == null) {
            return;
        }
        String token = tokenOf(ctx);
        if (token == null) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new OfrepError(401, ErrorCode.GENERAL, "send a token: Authorization: Bearer <token> (or X-API-Key)");
        }
        Principal principal = known.get(token);
        if (principal == null) {
            principal = tokens.authenticate(token).orElseThrow(() ->
                    new OfrepError(401, ErrorCode.GENERAL, "the token is not valid"));
            if (known.size() > MAX_CACHED_TOKENS) {
                known.clear();
            }
            known.put(token, principal);
        }
        if (!principal.may(Role.VIEWER, environment)) {
            throw new OfrepError(403, ErrorCode.GENERAL, "token '" + principal.id() + "' may not read environment '"
                    + environment + "'");
        }
        ctx.attribute(PRINCIPAL, principal);
    }

    private static String tokenOf(Context ctx) {
        String header = ctx.header("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return header.substring(7).trim();
        }
        String key = ctx.header("X-API-Key");
        return key == null || key.isBlank() ? null : key.trim();
    }

    private static String environment(Context ctx) {
        return ctx.attribute(ENVIRONMENT);
    }

    // ------------------------------------------------------------------ OFREP

    private void evaluateOne(Context ctx) {
        String key = ctx.pathParam("key");
        String environment = environment(ctx);
        EvaluationContext context;
        try {
            context = contexts.parse(ctx.bodyAsBytes());
        } catch (OfrepError e) {
            metrics.failed(e.code.name());
            throw e;
        }
        Evaluation<Object> result = Evaluator.evaluate(ruleset.current().view(environment), key, null, null, context);
        if (result.isError()) {
            metrics.failed(result.errorCode().name());
            throw new OfrepError(EdgeErrors.statusOf(result.errorCode()), result.errorCode(), EdgeErrors.detailsOf(key, result));
        }
        metrics.evaluated(environment, key, result);
        ctx.status(200).contentType("application/json").result(render(gen -> writeSuccess(gen, key, result, environment)));
    }

    private void evaluateAll(Context ctx) {
        String environment = environment(ctx);
        EvaluationContext context;
        try {
            context = contexts.parse(ctx.bodyAsBytes());
        } catch (OfrepError e) {
            metrics.failed(e.code.name());
            throw e;
        }
        Ruleset snapshot = ruleset.current();
        FlagView view = snapshot.view(environment);
        String streamUrl = baseUrl(ctx) + "/ofrep/v1/events?environment=" + URLEncoder.encode(environment, StandardCharsets.UTF_8);
        byte[] body = render(gen -> {
            gen.writeStartObject();
            gen.writeArrayFieldStart("flags");
            for (Flag flag : snapshot.sortedFlags(environment)) {
                if (flag.archived()) {
                    continue;
                }
                Evaluation<Object> result = Evaluator.evaluate(view, flag.key(), null, null, context);
                if (result.isError()) {
                    gen.writeStartObject();
                    gen.writeStringField("key", flag.key());
                    gen.writeStringField("errorCode", result.errorCode().name());
                    gen.writeStringField("errorDetails", EdgeErrors.detailsOf(flag.key(), result));
                    gen.writeEndObject();
                } else {
                    metrics.evaluated(environment, flag.key(), result);
                    writeSuccess(gen, flag.key(), result, environment);
                }
            }
            gen.writeEndArray();
            gen.writeArrayFieldStart("eventStreams");
            gen.writeStartObject();
            gen.writeStringField("type", "sse");
            gen.writeStringField("url", streamUrl);
            gen.writeNumberField("inactivityDelaySec", 120);
            gen.writeEndObject();
            gen.writeEndArray();
            gen.writeEndObject();
        });
        String etag = etagOf(body);
        ctx.header("ETag", etag);
        if (matches(ctx.header("If-None-Match"), etag)) {
            ctx.status(304);
            return;
        }
        ctx.status(200).contentType("application/json").result(body);
    }

    private void configuration(Context ctx) {
        String etag = etagOf(CONFIGURATION.getBytes(StandardCharsets.UTF_8));
        ctx.header("ETag", etag);
        if (matches(ctx.header("If-None-Match"), etag)) {
            ctx.status(304);
            return;
        }
        raw(ctx, 200, CONFIGURATION);
    }

    private void stream(SseClient client) {
        Context ctx = client.ctx();
        String format = ctx.queryParam("format");
        String lastEventId = ctx.header("Last-Event-ID");
        feed.open(client, environment(ctx), "flags".equalsIgnoreCase(format) ? ChangeFeed.Format.FLAGS : ChangeFeed.Format.OFREP,
                lastEventId == null || lastEventId.isBlank() ? null : lastEventId.trim());
    }

    private static void writeSuccess(JsonGenerator gen, String key, Evaluation<Object> result, String environment)
            throws IOException {
        gen.writeStartObject();
        gen.writeStringField("key", key);
        gen.writeFieldName("value");
        writeValue(gen, result.value());
        gen.writeStringField("reason", result.reason().name());
        gen.writeStringField("variant", result.variant());
        gen.writeObjectFieldStart("metadata");
        gen.writeNumberField("flagVersion", result.flagVersion());
        gen.writeStringField("environment", environment);
        gen.writeEndObject();
        gen.writeEndObject();
    }

    private static void writeValue(JsonGenerator gen, Object value) throws IOException {
        if (value instanceof Boolean b) {
            gen.writeBoolean(b);
        } else if (value instanceof String s) {
            gen.writeString(s);
        } else if (value instanceof Long l) {
            gen.writeNumber(l);
        } else if (value instanceof Double d) {
            // JSON has one number type: 20.0 and 20 are the same value, and an integer reads as one everywhere
            if (d == Math.rint(d) && Math.abs(d) < 9.007199254740992E15) {
                gen.writeNumber(d.longValue());
            } else {
                gen.writeNumber(d);
            }
        } else {
            JSON.writeValue(gen, value);
        }
    }

    // ------------------------------------------------------------------ simple REST (the seeds' shapes)

    /** One flag for one user: {@code {"key", "enabled", "value", "variant", "reason", "flagVersion"}}. */
    private void check(Context ctx) {
        String key = ctx.pathParam("key");
        String environment = environment(ctx);
        EvaluationContext context = restContext(ctx);
        Ruleset snapshot = ruleset.current();
        Evaluation<Object> result = Evaluator.evaluate(snapshot.view(environment), key, null, null, context);
        if (result.isError()) {
            metrics.failed(result.errorCode().name());
            throw new OfrepError(EdgeErrors.statusOf(result.errorCode()), result.errorCode(), EdgeErrors.detailsOf(key, result));
        }
        metrics.evaluated(environment, key, result);
        Flag flag = snapshot.flag(environment, key);
        ctx.status(200).contentType("application/json").result(render(gen -> {
            gen.writeStartObject();
            gen.writeStringField("key", key);
            gen.writeStringField("environment", environment);
            gen.writeBooleanField("enabled", enabled(flag, result));
            gen.writeFieldName("value");
            writeValue(gen, result.value());
            gen.writeStringField("variant", result.variant());
            gen.writeStringField("reason", result.reason().name());
            gen.writeNumberField("flagVersion", result.flagVersion());
            gen.writeEndObject();
        }));
    }

    /** Every flag for one user (seed 003's boot-time getAllFlags, seed 001's user/features). */
    private void features(Context ctx) {
        String environment = environment(ctx);
        EvaluationContext context = restContext(ctx);
        Ruleset snapshot = ruleset.current();
        FlagView view = snapshot.view(environment);
        Map<String, Evaluation<Object>> results = new HashMap<>();
        for (Flag flag : snapshot.sortedFlags(environment)) {
            if (!flag.archived()) {
                results.put(flag.key(), Evaluator.evaluate(view, flag.key(), null, null, context));
            }
        }
        ctx.status(200).contentType("application/json").result(render(gen -> {
            gen.writeStartObject();
            gen.writeStringField("environment", environment);
            gen.writeStringField("userId", context.targetingKey());
            gen.writeArrayFieldStart("enabled");
            for (Flag flag : snapshot.sortedFlags(environment)) {
                Evaluation<Object> result = results.get(flag.key());
                if (result != null && !result.isError() && enabled(flag, result)) {
                    gen.writeString(flag.key());
                }
            }
            gen.writeEndArray();
            gen.writeObjectFieldStart("flags");
            for (Flag flag : snapshot.sortedFlags(environment)) {
                Evaluation<Object> result = results.get(flag.key());
                if (result != null && !result.isError()) {
                    metrics.evaluated(environment, flag.key(), result);
                    gen.writeFieldName(flag.key());
                    writeValue(gen, result.value());
                }
            }
            gen.writeEndObject();
            gen.writeEndObject();
        }));
    }

    /** On for a boolean that says true; for other types, serving anything but the off variant. */
    private static boolean enabled(Flag flag, Evaluation<Object> result) {
        if (result.value() instanceof Boolean b) {
            return b;
        }
        return flag != null && result.variant() != null && !result.variant().equals(flag.offVariantKey());
    }

    /**
     * The context of a REST call: a POST body like OFREP's ({@code {"context": {...}}}), or query
     * parameters ({@code ?userId=user123&role=CUSTOMER}: {@code userId} or {@code targetingKey} is
     * the targeting key, every other parameter an attribute).
     */
    private EvaluationContext restContext(Context ctx) {
        if (ctx.method().name().equals("POST")) {
            return contexts.parse(ctx.bodyAsBytes());
        }
        String targetingKey = null;
        Map<String, Object> attributes = new HashMap<>();
        for (Map.Entry<String, List<String>> parameter : ctx.queryParamMap().entrySet()) {
            String name = parameter.getKey();
            String value = parameter.getValue().isEmpty() ? null : parameter.getValue().get(0);
            if (name.equals("userId") || name.equals(EvaluationContext.TARGETING_KEY)) {
                targetingKey = value;
            } else if (!name.equals("environment") && value != null) {
                attributes.put(name, parameter.getValue().size() == 1 ? value : List.copyOf(parameter.getValue()));
            }
        }
        return EvaluationContext.of(targetingKey, attributes);
    }

    // ------------------------------------------------------------------ status

    private void status(Context ctx) {
        LiveRuleset.Status status = ruleset.status();
        Instant last = ruleset.tail().lastEventTime();
        ctx.status(200).contentType("application/json").result(render(gen -> {
            gen.writeStartObject();
            gen.writeBooleanField("ready", status.ready());
            gen.writeBooleanField("caughtUp", status.caughtUp());
            gen.writeBooleanField("fromSnapshot", status.fromSnapshot());
            gen.writeBooleanField("stale", status.stale());
            gen.writeStringField("staleSince", status.staleSince() == null ? null : status.staleSince().toString());
            gen.writeNumberField("tailRestarts", status.tailRestarts());
            gen.writeStringField("lastTailFailure", status.lastTailFailure());
            gen.writeNumberField("consumerLag", status.lag());
            gen.writeNumberField("flags", status.flags());
            gen.writeNumberField("generation", ruleset.current().generation());
            gen.writeStringField("lastChangeAt", last == null ? null : last.toString());
            gen.writeArrayFieldStart("environments");
            for (String environment : servedEnvironments()) {
                gen.writeString(environment);
            }
            gen.writeEndArray();
            gen.writeNumberField("changeStreams", feed.connections());
            gen.writeEndObject();
        }));
    }

    // ------------------------------------------------------------------ rendering

    private interface Writer {
        void write(JsonGenerator gen) throws IOException;
    }

    private static byte[] render(Writer writer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator gen = FACTORY.createGenerator(out)) {
            writer.write(gen);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render a response", e);
        }
        return out.toByteArray();
    }

    private static void raw(Context ctx, int status, String json) {
        ctx.status(status).contentType("application/json").result(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String baseUrl(Context ctx) {
        String host = ctx.header("Host");
        return ctx.scheme() + "://" + (host == null || host.isBlank() ? ctx.host() : host);
    }

    /** A strong validator of the body itself: every node that would send the same bytes sends the same ETag. */
    static String etagOf(byte[] body) {
        long h = 0xcbf29ce484222325L;
        for (byte b : body) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return "\"" + Long.toHexString(h) + "-" + Integer.toHexString(body.length) + "\"";
    }

    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.trim();
            if (tag.startsWith("W/")) {
                tag = tag.substring(2);
            }
            if (tag.equals(etag) || tag.equals("*")) {
                return true;
            }
        }
        return false;
    }
}
