package io.flagplane.command.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.auth.Authenticator;
import io.flagplane.auth.Principal;
import io.flagplane.auth.Role;
import io.flagplane.auth.TokenRegistry;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.SegmentState;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.domain.Names;
import io.flagplane.command.log.WriteModel;
import io.flagplane.contract.json.StateJson;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Locale;
import java.util.TreeMap;

/**
 * Reads of the write model: what the service itself will decide against (read-your-writes), with
 * the version as an {@code ETag} to send back as {@code If-Match}. History and time travel are the
 * projection's.
 */
final class ReadRoutes {

    private final WriteModel model;
    private final Authenticator authenticator;

    ReadRoutes(WriteModel model, Authenticator authenticator) {
        this.model = model;
        this.authenticator = authenticator;
    }

    void register(RoutesConfig routes, String env) {
        routes.get(env + "/flags", this::listFlags);
        routes.get(env + "/flags/{key}", this::readFlag);
        routes.get(env + "/segments", this::listSegments);
        routes.get(env + "/segments/{key}", this::readSegment);
        routes.get("/api/v1/tokens", this::listTokens);
        routes.get("/api/v1/whoami", this::whoami);
    }

    private String readableEnvironment(Context ctx) {
        String environment = Requests.environment(ctx);
        Requests.require(ctx, Role.VIEWER, environment);
        Requests.requireDeclared(model, environment);
        return environment;
    }

    private void listFlags(Context ctx) {
        String environment = readableEnvironment(ctx);
        String tag = ctx.queryParam("tag");
        boolean archived = Boolean.parseBoolean(ctx.queryParam("includeArchived"));
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode items = body.putArray("flags");
        for (FlagState state : model.flags(environment)) {
            if ((archived || !state.getArchived()) && (tag == null || state.getDefinition().getTags().contains(tag))) {
                items.add(StateJson.flag(state));
            }
        }
        CommandErrors.json(ctx, 200, body);
    }

    private void readFlag(Context ctx) {
        String environment = readableEnvironment(ctx);
        String key = ctx.pathParam("key");
        Names.checkFlagKey(key, "key");
        FlagState state = model.flag(environment, key);
        if (state == null) {
            throw new CommandException(ErrorCode.FLAG_NOT_FOUND, null, "flag '" + key + "' does not exist in environment '"
                    + environment + "'");
        }
        ctx.header("ETag", "\"" + state.getVersion() + "\"");
        CommandErrors.json(ctx, 200, StateJson.flag(state));
    }

    private void listSegments(Context ctx) {
        String environment = readableEnvironment(ctx);
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode items = body.putArray("segments");
        model.segments(environment).forEach(s -> items.add(StateJson.segment(s)));
        CommandErrors.json(ctx, 200, body);
    }

    private void readSegment(Context ctx) {
        String environment = readableEnvironment(ctx);
        String key = ctx.pathParam("key");
        Names.checkSegmentKey(key, "key");
        SegmentState state = model.segment(environment, key);
        if (state == null) {
            throw new CommandException(ErrorCode.SEGMENT_NOT_FOUND, null, "segment '" + key + "' does not exist in environment '"
                    + environment + "'");
        }
        ctx.header("ETag", "\"" + state.getVersion() + "\"");
        CommandErrors.json(ctx, 200, StateJson.segment(state));
    }

    /** Who the request's credentials are (any authenticated principal): id, kind and grants, never the token. */
    private void whoami(Context ctx) {
        Principal p = Requests.principal(ctx);
        ObjectNode body = Json.MAPPER.createObjectNode().put("id", p.id()).put("kind", p.kind().name());
        ObjectNode grants = body.putObject("grants");
        new TreeMap<>(p.grants()).forEach((env, role) -> grants.put(env, role.name().toLowerCase(Locale.ROOT)));
        CommandErrors.json(ctx, 200, body);
    }

    private void listTokens(Context ctx) {
        Authenticator.requireAdminAnywhere(Requests.principal(ctx), "listing tokens");
        TokenRegistry tokens = authenticator.tokens();
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode items = body.putArray("tokens");
        if (tokens != null) {
            for (Principal p : tokens.principals()) {
                ObjectNode item = items.addObject().put("id", p.id()).put("kind", p.kind().name());
                ObjectNode grants = item.putObject("grants");
                p.grants().forEach((env, role) -> grants.put(env, role.name().toLowerCase(Locale.ROOT)));
            }
        }
        CommandErrors.json(ctx, 200, body);
    }
}
