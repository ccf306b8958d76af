package io.flagplane.command.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.auth.Role;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.log.CommandResult;
import io.flagplane.command.log.WriteModel;
import io.flagplane.contract.AggregateRef;
import io.flagplane.contract.FlagRef;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The routes that change flags and segments: one command each (its action named by the route, its
 * target by the path, the rest from the body) or a change set of several, all-or-nothing. A
 * single-command body is read into the same object a change set holds, so a command means the same
 * thing on its own and inside a change set ({@link CommandJson}).
 */
final class WriteRoutes {

    static final int MAX_CHANGE_SET = 500;

    private final WriteModel model;
    private final Submission submission;

    WriteRoutes(WriteModel model, Submission submission) {
        this.model = model;
        this.submission = submission;
    }

    void register(RoutesConfig routes, String env) {
        String flag = env + "/flags/{key}";
        String segment = env + "/segments/{key}";
        routes.post(env + "/flags", ctx -> created(ctx, command(ctx, "createFlag", null)));
        routes.put(flag, ctx -> single(ctx, command(ctx, "replaceFlag", "flag")));
        for (String lifecycle : List.of("enable", "disable", "kill", "revive", "archive", "restore")) {
            routes.post(flag + "/" + lifecycle, ctx -> single(ctx, command(ctx, lifecycle, "flag")));
        }
        routes.patch(flag + "/rollout", ctx -> single(ctx, command(ctx, "setRollout", "flag")));
        routes.post(flag + "/allow-list", ctx -> single(ctx, command(ctx, "allowList", "flag")));
        routes.post(flag + "/deny-list", ctx -> single(ctx, command(ctx, "denyList", "flag")));
        routes.put(flag + "/rules", ctx -> single(ctx, command(ctx, "replaceRules", "flag")));
        routes.put(flag + "/metadata", ctx -> single(ctx, command(ctx, "setMetadata", "flag")));
        routes.post(env + "/kill-by-tag", ctx -> {
            Parsed kill = command(ctx, "killByTag", null);
            changeSet(ctx, List.of(kill.command()), kill.reason());
        });
        routes.post(env + "/segments", ctx -> created(ctx, command(ctx, "createSegment", null)));
        routes.put(segment, ctx -> single(ctx, command(ctx, "replaceSegment", "segment")));
        routes.post(segment + "/archive", ctx -> single(ctx, command(ctx, "archiveSegment", "segment")));
        routes.post("/api/v1/changesets", this::changeSetRequest);
    }

    /** A single-command route's command and the reason its body gave, from one reading of the body. */
    record Parsed(Command command, String reason) {
    }

    private Parsed command(Context ctx, String action, String targetField) {
        return parse(model, ctx, action, targetField);
    }

    /**
     * The command of a single-command route, from its path and body: the body read as the change-set
     * command {@code action}, with the environment and (in {@code targetField}) the path's key put in,
     * {@code If-Match} as the expected version, and {@code reason} taken out.
     */
    static Parsed parse(WriteModel model, Context ctx, String action, String targetField) {
        String environment = Requests.environment(ctx);
        Requests.requireDeclared(model, environment); // before the body: a typo in the path is the first thing to say
        ObjectNode node = (ObjectNode) Json.parse(ctx.bodyAsBytes(), false);
        if (action.equals("replaceFlag") && node.has("key")) {
            // a definition read with GET carries its key: accepted when it is the path's
            JsonNode key = node.remove("key");
            if (!key.isTextual() || !key.textValue().equals(ctx.pathParam("key"))) {
                throw CommandException.invalid("key", "key in the body (" + Json.abbreviate(String.valueOf(key))
                        + ") is not the flag in the path (" + Json.abbreviate(ctx.pathParam("key")) + ")");
            }
        }
        for (String fromPath : targetField == null ? List.of("action", "environment") : List.of("action", "environment", targetField)) {
            if (node.has(fromPath)) {
                throw CommandException.invalid(fromPath, "unknown field '" + fromPath + "'; the route gives it");
            }
        }
        String reason = Json.optionalText(node, "reason", "reason", null);
        node.remove("reason");
        node.put("action", action).put("environment", environment);
        if (targetField != null) {
            node.put(targetField, ctx.pathParam("key"));
        }
        String ifMatch = ctx.header("If-Match");
        if (ifMatch != null && !ifMatch.isBlank()) {
            long fromHeader;
            try {
                fromHeader = Long.parseLong(ifMatch.strip().replace("\"", "").replace("W/", ""));
            } catch (NumberFormatException e) {
                throw CommandException.invalid("If-Match", "If-Match must be a version such as \"3\"");
            }
            Long fromBody = Json.optionalVersion(node, "expectedVersion", "expectedVersion");
            if (fromBody != null && fromBody != fromHeader) {
                throw CommandException.invalid("If-Match", "If-Match (" + fromHeader + ") and expectedVersion ("
                        + fromBody + ") disagree");
            }
            node.put("expectedVersion", fromHeader);
        }
        PlanJson.resolve(model, node);
        return new Parsed(CommandJson.parse(node), reason);
    }

    private void single(Context ctx, Parsed parsed) {
        Requests.require(ctx, Role.EDITOR, parsed.command().environment());
        CommandResult result = submission.execute(ctx, List.of(parsed.command()), parsed.reason(),
                ApprovalGate.check(model, Requests.principal(ctx), List.of(parsed.command())));
        CommandErrors.json(ctx, 200, ResultJson.single(result));
    }

    private void created(Context ctx, Parsed parsed) {
        Requests.require(ctx, Role.EDITOR, parsed.command().environment());
        CommandResult result = submission.execute(ctx, List.of(parsed.command()), parsed.reason(),
                ApprovalGate.check(model, Requests.principal(ctx), List.of(parsed.command())));
        AggregateRef target = result.changes().get(0).target();
        ctx.header("Location", "/api/v1/environments/" + target.environment() + "/"
                + (target instanceof FlagRef ? "flags/" : "segments/") + target.key());
        CommandErrors.json(ctx, result.replayed() ? 200 : 201, ResultJson.single(result));
    }

    private void changeSetRequest(Context ctx) {
        JsonNode body = Json.parse(ctx.bodyAsBytes(), true);
        Json.allowOnly(body, "", Set.of("commands", "reason"));
        JsonNode commands = body.get("commands");
        if (commands == null || !commands.isArray() || commands.isEmpty()) {
            throw CommandException.invalid("commands", "a change set needs a non-empty \"commands\" array");
        }
        if (commands.size() > MAX_CHANGE_SET) {
            throw CommandException.invalid("commands", "a change set holds at most " + MAX_CHANGE_SET + " commands");
        }
        List<Command> parsed = new ArrayList<>();
        for (int i = 0; i < commands.size(); i++) {
            if (!commands.get(i).isObject()) {
                throw CommandException.invalid("commands[" + i + "]", "each command is an object with an \"action\"");
            }
            try {
                PlanJson.resolve(model, (ObjectNode) commands.get(i));
                parsed.add(CommandJson.parse(commands.get(i)));
            } catch (CommandException e) {
                throw e.under("commands[" + i + "]");
            }
        }
        changeSet(ctx, parsed, Json.optionalText(body, "reason", "reason", null));
    }

    private void changeSet(Context ctx, List<Command> commands, String reason) {
        for (Command command : commands) {
            Requests.require(ctx, Role.EDITOR, command.environment());
        }
        CommandResult result = submission.execute(ctx, commands, reason, ApprovalGate.check(model, Requests.principal(ctx), commands));
        CommandErrors.json(ctx, 200, ResultJson.changeSet(result));
    }
}
