package io.flagplane.edge.http;

import static io.flagplane.edge.http.EdgeAdmission.environment;
import static io.flagplane.edge.http.JsonResponses.json;
import static io.flagplane.edge.http.JsonResponses.raw;
import static io.flagplane.edge.http.JsonResponses.render;
import static io.flagplane.edge.http.JsonResponses.writeValue;

import com.fasterxml.jackson.core.JsonGenerator;
import io.flagplane.edge.EdgeMetrics;
import io.flagplane.edge.stream.ChangeFeed;
import io.flagplane.evaluation.Evaluation;
import io.flagplane.evaluation.EvaluationContext;
import io.flagplane.evaluation.Evaluator;
import io.flagplane.evaluation.Flag;
import io.flagplane.reporting.exposure.ExposureLog;
import io.flagplane.ruleset.LiveRuleset;
import io.flagplane.ruleset.Ruleset;
import io.flagplane.ruleset.RulesetView;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * OFREP: {@code POST /ofrep/v1/evaluate/flags/{key}}, the bulk {@code POST /ofrep/v1/evaluate/flags}
 * (with an {@code ETag} and {@code 304} for a matching {@code If-None-Match}, and an
 * {@code eventStreams} entry pointing at the change stream), {@code GET /ofrep/v1/configuration}
 * and the change stream {@code GET /ofrep/v1/events}. Runs after {@link EdgeAdmission}. Every result
 * from a running experiment's split, single or in the bulk answer, is logged as an exposure (the
 * bulk answer is what a client-side SDK serves from, so it counts: every arm is diluted alike).
 */
final class OfrepRoutes {

    private static final String CONFIGURATION = "{\"name\":\"Flagplane\",\"capabilities\":{\"cacheInvalidation\":{\"polling\":"
            + "{\"enabled\":true,\"minPollingIntervalMs\":1000}},\"flagEvaluation\":{\"supportedTypes\":"
            + "[\"boolean\",\"string\",\"int\",\"float\",\"object\"]}}}";

    private final LiveRuleset ruleset;
    private final EdgeMetrics metrics;
    private final ChangeFeed feed;
    private final ContextParser contexts;
    private final ExposureLog exposures;

    OfrepRoutes(LiveRuleset ruleset, EdgeMetrics metrics, ChangeFeed feed, ContextParser contexts, ExposureLog exposures) {
        this.ruleset = ruleset;
        this.metrics = metrics;
        this.feed = feed;
        this.contexts = contexts;
        this.exposures = exposures;
    }

    void register(RoutesConfig routes) {
        routes.post("/ofrep/v1/evaluate/flags/{key}", this::evaluateOne);
        routes.post("/ofrep/v1/evaluate/flags", this::evaluateAll);
        routes.get("/ofrep/v1/configuration", this::configuration);
        routes.sse("/ofrep/v1/events", this::stream);
    }

    private void evaluateOne(Context ctx) {
        String key = ctx.pathParam("key");
        String environment = environment(ctx);
        EvaluationContext context = parse(ctx);
        RulesetView view = ruleset.current().view(environment);
        Evaluation<Object> result = Evaluator.evaluate(view, key, null, null, context);
        if (result.isError()) {
            metrics.failed(result.errorCode().name());
            throw EdgeErrors.evaluationFailed(key, result);
        }
        metrics.evaluated(environment, key, result);
        exposures.log(environment, key, result, context.targetingKey());
        json(ctx, 200, render(gen -> writeSuccess(gen, key, result, environment)));
    }

    private void evaluateAll(Context ctx) {
        String environment = environment(ctx);
        EvaluationContext context = parse(ctx);
        Ruleset snapshot = ruleset.current();
        RulesetView view = snapshot.view(environment);
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
                    exposures.log(environment, flag.key(), result, context.targetingKey());
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
        json(ctx, 200, body);
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

    /** The request's context; a body that does not parse is counted as a failed evaluation. */
    private EvaluationContext parse(Context ctx) {
        try {
            return contexts.parse(ctx.bodyAsBytes());
        } catch (OfrepError e) {
            metrics.failed(e.code.name());
            throw e;
        }
    }

    /** Written by the node into every answer's metadata, so never taken from a flag's own. */
    private static final Set<String> NODE_METADATA = Set.of("flagVersion", "environment");

    /**
     * A successful evaluation. A flag without an off variant that is off answers OFREP's code
     * default: no value and no variant, reason DISABLED, so the caller uses its own default.
     */
    private static void writeSuccess(JsonGenerator gen, String key, Evaluation<Object> result, String environment)
            throws IOException {
        gen.writeStartObject();
        gen.writeStringField("key", key);
        if (!result.isCodeDefault()) {
            gen.writeFieldName("value");
            writeValue(gen, result.value());
        }
        gen.writeStringField("reason", result.reason().name());
        if (!result.isCodeDefault()) {
            gen.writeStringField("variant", result.variant());
        }
        gen.writeObjectFieldStart("metadata");
        JsonResponses.writeFlagMetadata(gen, result.flagMetadata(), NODE_METADATA);
        gen.writeNumberField("flagVersion", result.flagVersion());
        gen.writeStringField("environment", environment);
        gen.writeEndObject();
        gen.writeEndObject();
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
