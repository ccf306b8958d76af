package io.flagplane.projection.http;

import io.flagplane.auth.Authenticator;
import io.flagplane.http.ErrorBodies;
import io.flagplane.http.HttpErrors;
import io.flagplane.http.HttpHardening;
import io.flagplane.http.JsonInputException;
import io.flagplane.projection.query.QueryErrorCode;
import io.flagplane.projection.query.QueryException;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place the projection's HTTP API turns a failure into a status and a body, always
 * {@code {"error": {"code", "message", "field"?}}}: typed refusals by their code, unreadable input
 * as 400, HTTP's own errors (no route, wrong method, body too large, and what Jetty refuses before
 * the app runs) with the shared sentences, and anything unexpected as {@code 500 INTERNAL} with an
 * id that is in the log. No message names a class or repeats a library's text.
 */
final class ProjectionErrors {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectionHttpApi.class);

    private ProjectionErrors() {
    }

    static void install(JavalinConfig config) {
        HttpHardening.apply(config, ErrorBodies.API);
        config.http.prefer405over404 = true;
        config.router.javaLangErrorHandler((response, error) -> {
            byte[] body = ErrorBodies.api("INTERNAL", HttpErrors.internal(LOG, "?", "?", error), null);
            response.setStatus(500);
            response.setContentType("application/json");
            try {
                response.getOutputStream().write(body);
            } catch (IOException | IllegalStateException e) {
                LOG.debug("the error body could not be written: {}", e.toString());
            }
        });
        var routes = config.routes;
        routes.exception(Authenticator.Unauthenticated.class, (e, ctx) -> {
            ctx.header("WWW-Authenticate", e.challenge());
            render(ctx, 401, QueryErrorCode.UNAUTHENTICATED.name(), null, e.getMessage());
        });
        routes.exception(Authenticator.Forbidden.class, (e, ctx) ->
                render(ctx, 403, QueryErrorCode.FORBIDDEN.name(), null, e.getMessage()));
        routes.exception(QueryException.class, (e, ctx) -> render(ctx, statusOf(e.code()), e.code().name(), e.field(),
                e.getMessage()));
        routes.exception(JsonInputException.class, (e, ctx) -> render(ctx, 400, e.field() == null
                ? QueryErrorCode.MALFORMED_REQUEST.name() : QueryErrorCode.INVALID_PARAMETER.name(), e.field(), e.getMessage()));
        routes.exception(HttpResponseException.class, (e, ctx) -> render(ctx, e.getStatus(), HttpErrors.codeOf(e.getStatus()),
                null, HttpErrors.sentenceOf(e.getStatus())));
        routes.exception(Exception.class, (e, ctx) -> {
            int clientStatus = HttpErrors.clientStatus(e);   // e.g. a bad chunk size met while reading the body
            if (clientStatus != 0) {
                render(ctx, clientStatus, HttpErrors.codeOf(clientStatus), null, HttpErrors.sentenceOf(clientStatus));
            } else {
                render(ctx, 500, "INTERNAL", null, HttpErrors.internal(LOG, ctx.method().name(), ctx.path(), e));
            }
        });
        routes.error(404, ctx -> {
            if (ctx.result() == null) {
                render(ctx, 404, HttpErrors.codeOf(404), null, HttpErrors.sentenceOf(404));
            }
        });
    }

    static int statusOf(QueryErrorCode code) {
        return switch (code) {
            case INVALID_PARAMETER, MALFORMED_REQUEST, INVALID_ENVIRONMENT, INVALID_FLAG_KEY, INVALID_SEGMENT_KEY, INVALID_EXPERIMENT_KEY,
                 INVALID_PLAN_KEY, INVALID_CONTEXT, AS_OF_IN_FUTURE -> 400;
            case UNAUTHENTICATED -> 401;
            case FORBIDDEN -> 403;
            case FLAG_NOT_FOUND, SEGMENT_NOT_FOUND, EXPERIMENT_NOT_FOUND, PLAN_NOT_FOUND, VERSION_NOT_FOUND -> 404;
            case UNAVAILABLE -> 503;
        };
    }

    private static void render(Context ctx, int status, String code, String field, String message) {
        ctx.status(status).contentType("application/json").result(ErrorBodies.api(code, message, field));
    }
}
