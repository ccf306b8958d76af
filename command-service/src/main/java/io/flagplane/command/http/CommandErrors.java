package io.flagplane.command.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.auth.Authenticator;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.http.ErrorBodies;
import io.flagplane.http.HttpErrors;
import io.flagplane.http.HttpHardening;
import io.flagplane.http.JsonInputException;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place the command API turns failures into a status and a body:
 * {@code {"error": {"code", "field", "message", "currentVersion", "details"}}}. Typed refusals
 * ({@link CommandException}, the authenticator's), unreadable input, errors Jetty and Javalin raise
 * themselves, and anything unexpected ({@code 500 INTERNAL} with an id that is in the log).
 */
final class CommandErrors {

    private static final Logger LOG = LoggerFactory.getLogger(CommandHttpApi.class);

    private CommandErrors() {
    }

    static void install(JavalinConfig config, long maxBodyBytes) {
        HttpHardening.apply(config, ErrorBodies.API);
        var routes = config.routes;
        routes.exception(CommandException.class, (e, ctx) -> render(ctx, e));
        routes.exception(Authenticator.Unauthenticated.class, (e, ctx) -> {
            ctx.header("WWW-Authenticate", e.challenge());
            render(ctx, new CommandException(ErrorCode.UNAUTHENTICATED, null, e.getMessage()));
        });
        routes.exception(Authenticator.Forbidden.class, (e, ctx) -> render(ctx,
                new CommandException(ErrorCode.FORBIDDEN, null, e.getMessage())));
        routes.exception(JsonInputException.class, (e, ctx) -> render(ctx,
                new CommandException(ErrorCode.MALFORMED_REQUEST, e.field(), e.getMessage())));
        routes.exception(HttpResponseException.class, (e, ctx) -> render(ctx, switch (e.getStatus()) {
            case 404 -> noRoute(ctx);
            case 413 -> new CommandException(ErrorCode.BODY_TOO_LARGE, null, "the request body is larger than "
                    + maxBodyBytes / 1024 + " KiB");
            default -> new CommandException(ErrorCode.MALFORMED_REQUEST, null, HttpErrors.sentenceOf(e.getStatus()));
        }, e.getStatus() >= 500 ? 500 : e.getStatus()));
        routes.exception(Exception.class, (e, ctx) -> {
            int clientStatus = HttpErrors.clientStatus(e);   // e.g. a bad chunk size met while reading the body
            if (clientStatus != 0) {
                render(ctx, new CommandException(ErrorCode.MALFORMED_REQUEST, null, HttpErrors.sentenceOf(clientStatus)),
                        clientStatus);
            } else {
                render(ctx, internal(ctx, e), 500);
            }
        });
        routes.error(404, ctx -> {
            if (ctx.result() == null) {
                render(ctx, noRoute(ctx), 404);
            }
        });
    }

    /** An unexpected failure, logged with a fresh id. */
    static CommandException internal(Context ctx, Throwable failure) {
        return new CommandException(ErrorCode.INTERNAL, null, HttpErrors.internal(LOG, ctx.method().name(), ctx.path(), failure));
    }

    static int statusOf(ErrorCode code) {
        return switch (code) {
            case MALFORMED_REQUEST -> 400;
            case INVALID_FIELD, INVALID_FLAG_KEY, INVALID_ENVIRONMENT, PREREQUISITE_NOT_FOUND, PREREQUISITE_CYCLE -> 422;
            case UNAUTHENTICATED -> 401;
            case FORBIDDEN, CHANGE_REQUEST_REQUIRED, APPROVAL_NOT_ALLOWED -> 403;
            case FLAG_NOT_FOUND, SEGMENT_NOT_FOUND, NO_MATCHING_FLAGS, NOT_FOUND, ENVIRONMENT_NOT_FOUND,
                    CHANGE_REQUEST_NOT_FOUND, EXPERIMENT_NOT_FOUND, PLAN_NOT_FOUND, SCHEDULE_NOT_FOUND -> 404;
            case FLAG_ALREADY_EXISTS, SEGMENT_ALREADY_EXISTS, SEGMENT_IN_USE, VERSION_CONFLICT, INVALID_STATE,
                    ENVIRONMENT_ALREADY_EXISTS, ENVIRONMENT_IN_USE, REBASE_REQUIRED, EXPERIMENT_ALREADY_EXISTS, EXPERIMENT_NOT_DRAFT,
                    EXPERIMENT_NOT_RUNNING, EXPERIMENT_STOPPED, EXPERIMENT_ALREADY_RUNNING, EXPERIMENT_RUNNING,
                    EXPERIMENT_SPLIT_INVALID, PLAN_ALREADY_EXISTS, PLAN_ALREADY_RUNNING, MOVED_SINCE_SCHEDULED,
                    FLAG_HAS_DEPENDANTS -> 409;
            case IDEMPOTENCY_KEY_REUSED -> 422;
            case BODY_TOO_LARGE -> 413;
            case WRITER_FENCED, WRITER_STANDBY, UNAVAILABLE, NOT_READY -> 503;
            case INTERNAL -> 500;
        };
    }

    private static CommandException noRoute(Context ctx) {
        return new CommandException(ErrorCode.NOT_FOUND, null, "no such route: " + ctx.method() + " " + ctx.path());
    }

    private static void render(Context ctx, CommandException e) {
        // a reference to a missing segment inside a definition is a field error, not a missing resource
        int status = e.code() == ErrorCode.SEGMENT_NOT_FOUND && e.field() != null ? 422 : statusOf(e.code());
        render(ctx, e, status);
    }

    private static void render(Context ctx, CommandException e, int status) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("code", e.code().name());
        if (e.field() != null) {
            error.put("field", e.field());
        }
        error.put("message", e.getMessage());
        if (e.currentVersion() != null) {
            error.put("currentVersion", e.currentVersion());
        }
        if (!e.details().isEmpty()) {
            e.details().forEach(error.putArray("details")::add);
        }
        if (status == 503) {
            ctx.header("Retry-After", "1");
        }
        json(ctx, status, body);
    }

    /** Any JSON answer of the API. */
    static void json(Context ctx, int status, Object body) {
        try {
            ctx.status(status).contentType("application/json").result(Json.MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render a response", e);
        }
    }
}
