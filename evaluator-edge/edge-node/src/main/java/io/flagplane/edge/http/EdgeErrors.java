package io.flagplane.edge.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.auth.Authenticator;
import io.flagplane.evaluation.ErrorCode;
import io.flagplane.evaluation.Evaluation;
import io.flagplane.http.ErrorBodies;
import io.flagplane.http.HttpErrors;
import io.flagplane.http.HttpHardening;
import io.flagplane.http.JsonInputException;
import io.flagplane.http.StrictJson;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place the edge node turns a failure into a status and a body. Two shapes, picked by
 * path: OFREP routes ({@code /ofrep/...}) answer {@code {"key"?, "errorCode", "errorDetails"}} with
 * an OpenFeature error code, every other route the platform's {@code {"error": {"code", "message"}}}.
 * HTTP's own errors (no route, wrong method, body too large, and what Jetty refuses before the app
 * runs) use the shared sentences; anything unexpected is a 500 with an id that is in the log. No
 * message names a class or repeats a library's text.
 */
final class EdgeErrors {

    private static final Logger LOG = LoggerFactory.getLogger(EdgeHttpApi.class);
    private static final String OFREP = "/ofrep/";
    private static final String BULK = "/ofrep/v1/evaluate/flags";

    /**
     * Bodies for errors Jetty raises itself. When the path is unknown (the request could not be
     * parsed), an OFREP provider and a REST client are equally likely to be reading, and each
     * looks only for its own keys: the body carries both shapes so that either finds its error.
     */
    static final ErrorBodies BODIES = (path, status, code, message) -> {
        if (path == null) {
            ObjectNode body = StrictJson.MAPPER.createObjectNode();
            body.putObject("error").put("code", code).put("message", message);
            body.put("errorCode", ErrorCode.GENERAL.name()).put("errorDetails", message);
            return bytes(body);
        }
        return path.startsWith(OFREP) ? ErrorBodies.ofrep(ErrorCode.GENERAL.name(), message) : ErrorBodies.api(code, message, null);
    };

    private EdgeErrors() {
    }

    static void install(JavalinConfig config) {
        HttpHardening.apply(config, BODIES);
        config.http.prefer405over404 = true;
        config.router.javaLangErrorHandler((response, error) -> {
            byte[] body = BODIES.render(null, 500, "INTERNAL", HttpErrors.internal(LOG, "?", "?", error));
            response.setStatus(500);
            response.setContentType("application/json");
            try {
                response.getOutputStream().write(body);
            } catch (IOException | IllegalStateException e) {
                LOG.debug("the error body could not be written: {}", e.toString());
            }
        });
        var routes = config.routes;
        routes.exception(OfrepError.class, EdgeErrors::render);
        routes.exception(Authenticator.Unauthenticated.class, (e, ctx) -> {
            ctx.header("WWW-Authenticate", e.challenge());
            render(new OfrepError(401, ErrorCode.GENERAL, "UNAUTHENTICATED", e.getMessage()), ctx);
        });
        routes.exception(Authenticator.Forbidden.class, (e, ctx) ->
                render(new OfrepError(403, ErrorCode.GENERAL, "FORBIDDEN", e.getMessage()), ctx));
        routes.exception(JsonInputException.class, (e, ctx) ->
                render(new OfrepError(400, ErrorCode.PARSE_ERROR, e.getMessage()), ctx));
        routes.exception(HttpResponseException.class, (e, ctx) -> render(new OfrepError(e.getStatus(), ErrorCode.GENERAL,
                HttpErrors.sentenceOf(e.getStatus())), ctx));
        routes.exception(Exception.class, (e, ctx) -> {
            int clientStatus = HttpErrors.clientStatus(e);   // e.g. a bad chunk size met while reading the body
            render(clientStatus != 0 ? new OfrepError(clientStatus, ErrorCode.PARSE_ERROR, HttpErrors.sentenceOf(clientStatus))
                    : new OfrepError(500, ErrorCode.GENERAL, "INTERNAL", HttpErrors.internal(LOG, ctx.method().name(), ctx.path(), e)),
                    ctx);
        });
        routes.error(404, ctx -> {
            if (ctx.result() == null) {
                render(new OfrepError(404, ErrorCode.GENERAL, HttpErrors.sentenceOf(404)), ctx);
            }
        });
    }

    /** The HTTP status of an evaluation that failed. */
    static int statusOf(ErrorCode code) {
        return code == ErrorCode.FLAG_NOT_FOUND ? 404 : 400;
    }

    /** The error a failed evaluation of one flag is answered with. */
    static OfrepError evaluationFailed(String key, Evaluation<?> result) {
        return new OfrepError(statusOf(result.errorCode()), result.errorCode(), detailsOf(key, result));
    }

    /**
     * What to tell the caller about a failed evaluation: the engine's sentence, except for
     * {@code GENERAL}, which wraps an unexpected exception; that one is logged, never sent.
     */
    static String detailsOf(String key, Evaluation<?> result) {
        if (result.errorCode() != ErrorCode.GENERAL) {
            return result.errorMessage();
        }
        LOG.warn("an evaluation failed inside the engine: {}", result.errorMessage());
        return "flag '" + key + "' could not be evaluated; the node logged the cause";
    }

    /** A value a client sent, short enough to quote back. */
    static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }

    private static void render(OfrepError error, Context ctx) {
        String path = ctx.path();
        ObjectNode body = StrictJson.MAPPER.createObjectNode();
        if (path.startsWith(OFREP)) {
            String key = ctx.pathParamMap().get("key");
            if (key != null && !path.equals(BULK)) {
                body.put("key", key);
            }
            body.put("errorCode", error.code.name()).put("errorDetails", error.getMessage());
        } else {
            ObjectNode fields = body.putObject("error").put("code", restCode(error));
            if (error.field != null) {
                fields.put("field", error.field);
            }
            fields.put("message", error.getMessage());
        }
        ctx.status(error.status).contentType("application/json").result(bytes(body));
    }

    private static String restCode(OfrepError error) {
        if (error.restCode != null) {
            return error.restCode;
        }
        return error.code == ErrorCode.GENERAL ? HttpErrors.codeOf(error.status) : error.code.name();
    }

    private static byte[] bytes(ObjectNode body) {
        try {
            return StrictJson.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an error body cannot be written", e);
        }
    }
}
