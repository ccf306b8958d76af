package io.flagplane.edge.http;

import static io.flagplane.edge.http.EdgeAdmission.environment;
import static io.flagplane.edge.http.JsonResponses.json;
import static io.flagplane.edge.http.JsonResponses.render;
import static io.flagplane.edge.http.JsonResponses.writeValue;

import io.flagplane.edge.EdgeMetrics;
import io.flagplane.evaluation.Enabled;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Simple REST in the seeds' shapes: {@code /api/v1/check/{key}} and {@code /api/v1/features}, and
 * seed 001's {@code /api/feature-flags/check/{name}} and {@code /api/feature-flags/user/features}.
 * Whether a flag is on for the user is the engine's {@link Enabled} rule, the one the SDK's
 * {@code isEnabled} applies too. Runs after {@link EdgeAdmission}. Results from a running
 * experiment's split are logged as exposures, as on the OFREP routes.
 */
final class RestRoutes {

    private final LiveRuleset ruleset;
    private final EdgeMetrics metrics;
    private final ContextParser contexts;
    private final ExposureLog exposures;

    RestRoutes(LiveRuleset ruleset, EdgeMetrics metrics, ContextParser contexts, ExposureLog exposures) {
        this.ruleset = ruleset;
        this.metrics = metrics;
        this.contexts = contexts;
        this.exposures = exposures;
    }

    void register(RoutesConfig routes) {
        routes.get("/api/v1/check/{key}", this::check);
        routes.post("/api/v1/check/{key}", this::check);
        routes.get("/api/v1/features", this::features);
        routes.post("/api/v1/features", this::features);
        routes.get("/api/feature-flags/check/{key}", this::check);
        routes.get("/api/feature-flags/user/features", this::features);
    }

    /**
     * One flag for one user: {@code {"key", "environment", "enabled", "value", "variant", "reason",
     * "flagVersion", "metadata"}}; a flag serving the caller's default (no off variant, off) has
     * value and variant null and is not enabled.
     */
    private void check(Context ctx) {
        String key = ctx.pathParam("key");
        String environment = environment(ctx);
        EvaluationContext context = restContext(ctx);
        Ruleset snapshot = ruleset.current();
        RulesetView view = snapshot.view(environment);
        Evaluation<Object> result = Evaluator.evaluate(view, key, null, null, context);
        if (result.isError()) {
            metrics.failed(result.errorCode().name());
            throw EdgeErrors.evaluationFailed(key, result);
        }
        metrics.evaluated(environment, key, result);
        exposures.log(environment, key, result, context.targetingKey());
        boolean enabled = Enabled.of(snapshot.flag(environment, key), result);
        json(ctx, 200, render(gen -> {
            gen.writeStartObject();
            gen.writeStringField("key", key);
            gen.writeStringField("environment", environment);
            gen.writeBooleanField("enabled", enabled);
            gen.writeFieldName("value");
            writeValue(gen, result.value());
            gen.writeStringField("variant", result.variant());
            gen.writeStringField("reason", result.reason().name());
            gen.writeNumberField("flagVersion", result.flagVersion());
            gen.writeObjectFieldStart("metadata");
            JsonResponses.writeFlagMetadata(gen, result.flagMetadata(), Set.of());
            gen.writeEndObject();
            gen.writeEndObject();
        }));
    }

    /** Every flag for one user (seed 003's boot-time getAllFlags, seed 001's user/features). */
    private void features(Context ctx) {
        String environment = environment(ctx);
        EvaluationContext context = restContext(ctx);
        Ruleset snapshot = ruleset.current();
        RulesetView view = snapshot.view(environment);
        Map<String, Evaluation<Object>> results = new HashMap<>();
        for (Flag flag : snapshot.sortedFlags(environment)) {
            if (!flag.archived()) {
                Evaluation<Object> result = Evaluator.evaluate(view, flag.key(), null, null, context);
                exposures.log(environment, flag.key(), result, context.targetingKey());
                results.put(flag.key(), result);
            }
        }
        json(ctx, 200, render(gen -> {
            gen.writeStartObject();
            gen.writeStringField("environment", environment);
            gen.writeStringField("userId", context.targetingKey());
            gen.writeArrayFieldStart("enabled");
            for (Flag flag : snapshot.sortedFlags(environment)) {
                Evaluation<Object> result = results.get(flag.key());
                if (result != null && Enabled.of(flag, result)) {
                    gen.writeString(flag.key());
                }
            }
            gen.writeEndArray();
            gen.writeObjectFieldStart("flags");
            for (Flag flag : snapshot.sortedFlags(environment)) {
                Evaluation<Object> result = results.get(flag.key());
                if (result != null && !result.isError() && !result.isCodeDefault()) {   // no value: the caller's default
                    metrics.evaluated(environment, flag.key(), result);
                    gen.writeFieldName(flag.key());
                    writeValue(gen, result.value());
                }
            }
            gen.writeEndObject();
            gen.writeEndObject();
        }));
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
}
