package io.flagplane.command.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.auth.Role;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.Names;
import io.flagplane.command.log.WriteModel;
import io.flagplane.command.release.FuturePreview;
import io.flagplane.contract.FlagRef;
import io.flagplane.evaluation.EvaluationContext;
import io.flagplane.http.Instants;
import io.flagplane.http.JsonInputException;
import io.flagplane.http.StrictJson;
import io.flagplane.mapping.ContextJson;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;

/**
 * The preview of the future: {@code POST …/flags/{key}/evaluate?asOf=<instant>} answers what a
 * context will be served then, with the pending scheduled changes (and plan steps) due by then
 * applied, as {@link FuturePreview} works it out. The body and the answer have the projection's
 * time-travel shape ({@code {"context": {…}}} in; value, variant, reason, flagVersion out), plus
 * what was assumed and what would be skipped. Past instants are the projection's to answer.
 */
final class PreviewRoutes {

    private final WriteModel model;
    private final Clock clock;

    PreviewRoutes(WriteModel model, Clock clock) {
        this.model = model;
        this.clock = clock;
    }

    void register(RoutesConfig routes, String env) {
        routes.post(env + "/flags/{key}/evaluate", this::evaluate);
    }

    private void evaluate(Context ctx) {
        String environment = Requests.environment(ctx);
        Requests.require(ctx, Role.VIEWER, environment);
        Requests.requireDeclared(model, environment);
        String key = ctx.pathParam("key");
        Names.checkFlagKey(key, "key");
        String asOfText = ctx.queryParam("asOf");
        Instant asOf = asOfText == null || asOfText.isBlank() ? null : Instants.parse(asOfText.strip(), "asOf");
        EvaluationContext context = context(ctx.bodyAsBytes());
        FuturePreview.Answer answer = FuturePreview.evaluate(model, new FlagRef(environment, key), clock.instant(), asOf, context);
        CommandErrors.json(ctx, 200, json(answer));
    }

    /** {@code {"context": {"targetingKey": "user-1", ...}}}, read strictly; an empty body is an empty context. */
    private static EvaluationContext context(byte[] body) {
        JsonNode root = Json.parse(body, false);
        Json.allowOnly(root, "", Set.of("context"));
        JsonNode context = Json.present(root, "context", "context");
        try {
            if (context != null) {
                StrictJson.requireFiniteNumbers(context, "context");
            }
            return ContextJson.fromJson(context);
        } catch (JsonInputException e) {
            throw CommandException.invalid(e.field(), e.getMessage());
        } catch (IllegalArgumentException e) {
            throw CommandException.invalid("context", e.getMessage());   // ContextJson's sentences name the field
        }
    }

    static ObjectNode json(FuturePreview.Answer answer) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("environment", answer.environment());
        body.put("key", answer.key());
        body.put("asOf", answer.asOf().toString());
        body.put("flagVersion", answer.flagVersion());
        body.putPOJO("value", answer.value());
        body.put("variant", answer.variant());
        body.put("reason", answer.reason().name());
        if (answer.errorCode() != null) {
            body.put("errorCode", answer.errorCode().name());
            body.put("errorMessage", answer.errorMessage());
        }
        ArrayNode assumed = body.putArray("assumed");
        for (FuturePreview.Assumed item : answer.assumed()) {
            assumed.addObject().put("kind", item.kind()).put("id", item.id()).put("at", item.at().toString());
        }
        ArrayNode skipped = body.putArray("skipped");
        for (FuturePreview.Skipped item : answer.skipped()) {
            skipped.addObject().put("kind", item.kind()).put("id", item.id()).put("at", item.at().toString())
                    .put("code", item.code().name()).put("message", item.message());
        }
        return body;
    }
}
