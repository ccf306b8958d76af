package io.flagplane.edge.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.edge.EdgeConfig;
import io.flagplane.evaluation.ErrorCode;
import io.flagplane.evaluation.Evaluation;
import io.flagplane.evaluation.EvaluationContext;
import io.flagplane.evaluation.Evaluator;
import io.flagplane.ruleset.Ruleset;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge node's HTTP surface: OFREP evaluation and health. Handlers parse, evaluate against
 * the current snapshot, and render; nothing here decides a flag.
 */
public final class EdgeHttpApi {

    private static final Logger LOG = LoggerFactory.getLogger(EdgeHttpApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final long MAX_BODY_BYTES = 256 * 1024L;

    private EdgeHttpApi() {
    }

    /**
     * @param ruleset the current snapshot (read once per request)
     * @param ready   whether the node has a ruleset to serve from
     */
    public static Javalin create(EdgeConfig config, Supplier<Ruleset> ruleset, BooleanSupplier ready) {
        ContextParser contexts = new ContextParser(JSON);
        return Javalin.create(javalin -> {
            javalin.startup.showJavalinBanner = false;
            javalin.startup.showOldJavalinVersionWarning = false;
            javalin.http.maxRequestSize = MAX_BODY_BYTES;
            var routes = javalin.routes;

            routes.post("/ofrep/v1/evaluate/flags/{key}", ctx -> {
                String key = ctx.pathParam("key");
                String environment = environmentOf(ctx, config, key);
                EvaluationContext context = contexts.parse(ctx.bodyAsBytes());
                Evaluation<Object> result = Evaluator.evaluate(ruleset.get().view(environment), key, null, null, context);
                if (result.isError()) {
                    throw new KeyedError(key, new OfrepError(statusOf(result.errorCode()), result.errorCode(),
                            result.errorMessage()));
                }
                ObjectNode body = JSON.createObjectNode();
                body.put("key", key);
                body.putPOJO("value", result.value());
                body.put("reason", result.reason().name());
                body.put("variant", result.variant());
                body.putObject("metadata").put("flagVersion", result.flagVersion()).put("environment", environment);
                render(ctx, 200, body);
            });

            routes.get("/health/live", ctx -> render(ctx, 200, JSON.createObjectNode().put("status", "UP")));
            routes.get("/health/ready", ctx -> {
                boolean isReady = ready.getAsBoolean();
                render(ctx, isReady ? 200 : 503, JSON.createObjectNode().put("status", isReady ? "READY" : "STARTING")
                        .put("flags", ruleset.get().size()));
            });

            routes.exception(KeyedError.class, (e, ctx) -> renderError(ctx, e.key, e.error));
            routes.exception(OfrepError.class, (e, ctx) -> renderError(ctx, ctx.pathParamMap().get("key"), e));
            routes.exception(HttpResponseException.class, (e, ctx) -> renderError(ctx, ctx.pathParamMap().get("key"),
                    new OfrepError(e.getStatus(), ErrorCode.GENERAL, e.getStatus() == 413
                            ? "request body is larger than " + MAX_BODY_BYTES / 1024 + " KiB" : e.getMessage())));
            routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
                render(ctx, 500, JSON.createObjectNode().put("errorDetails", "internal error: " + e.getClass().getSimpleName()));
            });
        });
    }

    /** An OFREP error that belongs to a flag key. */
    private static final class KeyedError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String key;
        final OfrepError error;

        KeyedError(String key, OfrepError error) {
            super(error.getMessage(), null, false, false);
            this.key = key;
            this.error = error;
        }
    }

    private static String environmentOf(Context ctx, EdgeConfig config, String key) {
        String requested = ctx.header(EdgeConfig.ENVIRONMENT_HEADER);
        if (requested == null || requested.isBlank()) {
            return config.defaultEnvironment();
        }
        if (!config.environments().contains(requested)) {
            throw new KeyedError(key, new OfrepError(400, ErrorCode.GENERAL, "this node does not serve environment '"
                    + requested + "'; it serves " + config.environments()));
        }
        return requested;
    }

    private static int statusOf(ErrorCode code) {
        return code == ErrorCode.FLAG_NOT_FOUND ? 404 : 400;
    }

    private static void renderError(Context ctx, String key, OfrepError error) {
        ObjectNode body = JSON.createObjectNode();
        if (key != null) {
            body.put("key", key);
        }
        body.put("errorCode", error.code.name());
        body.put("errorDetails", error.getMessage());
        render(ctx, error.status, body);
    }

    private static void render(Context ctx, int status, Object body) {
        try {
            ctx.status(status).contentType("application/json").result(JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render a response", e);
        }
    }
}
