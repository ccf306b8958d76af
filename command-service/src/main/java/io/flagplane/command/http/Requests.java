package io.flagplane.command.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.auth.Authenticator;
import io.flagplane.auth.Principal;
import io.flagplane.auth.Role;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.domain.Names;
import io.flagplane.command.log.WriteModel;
import io.javalin.http.Context;

/** What every handler reads off a request the same way: the caller, its role, the environment in the path. */
final class Requests {

    static final String PRINCIPAL = "flagplane.principal";

    private Requests() {
    }

    static Principal principal(Context ctx) {
        Principal principal = ctx.attribute(PRINCIPAL);
        if (principal == null) {
            throw new CommandException(ErrorCode.UNAUTHENTICATED, null, "send an API token: Authorization: Bearer <token>");
        }
        return principal;
    }

    static void require(Context ctx, Role role, String environment) {
        Authenticator.require(principal(ctx), role, environment);
    }

    /** The environment in the path, checked as a name. */
    static String environment(Context ctx) {
        String environment = ctx.pathParam("env");
        Names.checkEnvironment(environment);
        return environment;
    }

    /** Requests in an environment nobody declared are refused, reads too, so a typo is noticed. */
    static void requireDeclared(WriteModel model, String environment) {
        if (model.environment(environment) == null) {
            throw new CommandException(ErrorCode.ENVIRONMENT_NOT_FOUND, null, "environment '" + environment
                    + "' is not declared (GET /api/v1/environments lists the declared ones)");
        }
    }

    /** The version a body ({@code expectedVersion}) or an {@code If-Match} header expects; they must agree when both are sent. */
    static Long expectedVersion(Context ctx, JsonNode body) {
        Long fromBody = Json.optionalVersion(body, "expectedVersion", "expectedVersion");
        String ifMatch = ctx.header("If-Match");
        if (ifMatch == null || ifMatch.isBlank()) {
            return fromBody;
        }
        try {
            long fromHeader = Long.parseLong(ifMatch.strip().replace("\"", "").replace("W/", ""));
            if (fromBody != null && fromBody != fromHeader) {
                throw CommandException.invalid("If-Match", "If-Match (" + fromHeader + ") and expectedVersion (" + fromBody + ") disagree");
            }
            return fromHeader;
        } catch (NumberFormatException e) {
            throw CommandException.invalid("If-Match", "If-Match must be a version such as \"3\"");
        }
    }
}
