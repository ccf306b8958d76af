package io.flagplane.projection.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagplane.auth.Authenticator;
import io.flagplane.auth.Principal;
import io.flagplane.auth.Role;
import io.flagplane.projection.query.QueryErrorCode;
import io.flagplane.projection.query.QueryException;
import io.javalin.http.Context;
import java.util.function.Predicate;

/** Who is asking and what they may read, and how a JSON answer is written: shared by every route class of the projection. */
final class HttpAccess {

    static final String PRINCIPAL = "flagplane.principal";
    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpAccess() {
    }

    static Principal principal(Context ctx) {
        Principal principal = ctx.attribute(PRINCIPAL);
        if (principal == null) {
            throw new QueryException(QueryErrorCode.UNAUTHENTICATED, null, "send an API token: Authorization: Bearer <token>");
        }
        return principal;
    }

    static void requireViewer(Context ctx, String environment) {
        Authenticator.require(principal(ctx), Role.VIEWER, environment);
    }

    /** The environments the caller may read. */
    static Predicate<String> readable(Context ctx) {
        Principal principal = principal(ctx);
        return environment -> principal.may(Role.VIEWER, environment);
    }

    static void render(Context ctx, int status, JsonNode body) {
        try {
            ctx.status(status).contentType("application/json").result(JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render a response", e);
        }
    }
}
