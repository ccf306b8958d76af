package io.flagplane.command.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.auth.Principal;
import io.flagplane.auth.Role;
import io.flagplane.avro.ChangeRequestState;
import io.flagplane.avro.ChangeRequestStatus;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.log.CommandResult;
import io.flagplane.command.log.WriteModel;
import io.flagplane.contract.ChangeRequestRef;
import io.flagplane.contract.json.StateJson;
import io.flagplane.http.Instants;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Change requests (four eyes): open, read, list (the reviewer's inbox: {@code ?state=IN_REVIEW}),
 * edit, and each review step. Every step is a command on the request, decided by
 * {@code ChangeRequestDecider}; who asks comes from the credentials, never from a body.
 */
final class ChangeRequestRoutes {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Map<String, Command.Kind> STEPS = Map.of(
            "submit", Command.Kind.SUBMIT_CHANGE_REQUEST, "approve", Command.Kind.APPROVE_CHANGE_REQUEST,
            "reject", Command.Kind.REJECT_CHANGE_REQUEST, "comment", Command.Kind.COMMENT_CHANGE_REQUEST,
            "cancel", Command.Kind.CANCEL_CHANGE_REQUEST, "schedule", Command.Kind.SCHEDULE_CHANGE_REQUEST,
            "apply", Command.Kind.APPLY_CHANGE_REQUEST);
    /** Approving, rejecting and commenting need only to read the environment: the decider checks the policy's role. */
    private static final Set<Command.Kind> FOR_VIEWERS = Set.of(Command.Kind.APPROVE_CHANGE_REQUEST,
            Command.Kind.REJECT_CHANGE_REQUEST, Command.Kind.COMMENT_CHANGE_REQUEST, Command.Kind.CANCEL_CHANGE_REQUEST);

    private final WriteModel model;
    private final Submission submission;

    ChangeRequestRoutes(WriteModel model, Submission submission) {
        this.model = model;
        this.submission = submission;
    }

    void register(RoutesConfig routes, String env) {
        String requests = env + "/change-requests";
        String one = requests + "/{id}";
        routes.post(requests, this::open);
        routes.get(requests, this::list);
        routes.get(one, this::read);
        routes.put(one, this::edit);
        for (Map.Entry<String, Command.Kind> step : STEPS.entrySet()) {
            routes.post(one + "/" + step.getKey(), ctx -> step(ctx, step.getValue()));
        }
    }

    private record Content(String title, String reason, String commandsJson, List<Command> commands) {
    }

    /**
     * Title, reason and commands from a body; each command's environment defaults to the path's, and
     * a plan drafted from a tag or a preset is kept explicit ({@link PlanJson#resolve}), so reviewers
     * approve exactly the commands it will apply.
     */
    private Content content(JsonNode body, String environment) {
        String title = Json.requiredText(body, "title", "title");
        String reason = Json.requiredText(body, "reason", "reason");
        JsonNode commands = body.get("commands");
        if (commands == null || !commands.isArray() || commands.isEmpty()) {
            throw CommandException.invalid("commands", "a change request needs a non-empty \"commands\" array");
        }
        if (commands.size() > WriteRoutes.MAX_CHANGE_SET) {
            throw CommandException.invalid("commands", "a change request holds at most " + WriteRoutes.MAX_CHANGE_SET + " commands");
        }
        List<Command> parsed = new ArrayList<>();
        for (int i = 0; i < commands.size(); i++) {
            if (!commands.get(i).isObject()) {
                throw CommandException.invalid("commands[" + i + "]", "each command is an object with an \"action\"");
            }
            ObjectNode command = (ObjectNode) commands.get(i);
            if (!command.has("environment")) {
                command.put("environment", environment);
            }
            try {
                PlanJson.resolve(model, command);
                parsed.add(CommandJson.parse(command));
            } catch (CommandException e) {
                throw e.under("commands[" + i + "]");
            }
        }
        return new Content(title, reason, commands.toString(), parsed);
    }

    private void open(Context ctx) {
        String environment = Requests.environment(ctx);
        Requests.requireDeclared(model, environment);
        Requests.require(ctx, Role.EDITOR, environment);
        JsonNode body = Json.parse(ctx.bodyAsBytes(), true);
        Json.allowOnly(body, "", Set.of("title", "reason", "commands", "submit"));
        Content content = content(body, environment);
        ChangeRequestRef ref = new ChangeRequestRef(environment, "cr-" + HexFormat.of().formatHex(randomBytes()));
        Principal by = Requests.principal(ctx);
        CommandResult result = submission.execute(ctx, List.of(new Command.OpenChangeRequest(ref, by.actor(), content.title(),
                content.reason(), content.commandsJson(), content.commands(), Json.optionalBoolean(body, "submit", "submit", false))),
                null);
        ctx.header("Location", "/api/v1/environments/" + environment + "/change-requests/" + ref.id());
        CommandErrors.json(ctx, result.replayed() ? 200 : 201, ResultJson.single(result));
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[6];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private void list(Context ctx) {
        String environment = Requests.environment(ctx);
        Requests.requireDeclared(model, environment);
        Requests.require(ctx, Role.VIEWER, environment);
        String wanted = ctx.queryParam("state");
        ChangeRequestStatus status = null;
        if (wanted != null) {
            try {
                status = ChangeRequestStatus.valueOf(wanted.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw CommandException.invalid("state", "state must be one of draft, in_review, approved, scheduled, applied,"
                        + " rejected, cancelled");
            }
        }
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode items = body.putArray("changeRequests");
        for (Object state : model.all(ChangeRequestRef.class, environment)) {
            ChangeRequestState request = (ChangeRequestState) state;
            if (status == null || request.getStatus() == status) {
                items.add(StateJson.changeRequest(request));
            }
        }
        CommandErrors.json(ctx, 200, body);
    }

    private ChangeRequestState existing(Context ctx) {
        String environment = Requests.environment(ctx);
        Requests.requireDeclared(model, environment);
        ChangeRequestRef ref = new ChangeRequestRef(environment, ctx.pathParam("id"));
        ChangeRequestState state = (ChangeRequestState) model.state(ref);
        if (state == null) {
            throw new CommandException(ErrorCode.CHANGE_REQUEST_NOT_FOUND, null, ref.describe() + " does not exist");
        }
        return state;
    }

    private void read(Context ctx) {
        Requests.require(ctx, Role.VIEWER, Requests.environment(ctx));
        ChangeRequestState state = existing(ctx);
        ctx.header("ETag", "\"" + state.getVersion() + "\"");
        CommandErrors.json(ctx, 200, StateJson.changeRequest(state));
    }

    private void edit(Context ctx) {
        String environment = Requests.environment(ctx);
        Requests.require(ctx, Role.EDITOR, environment);
        ChangeRequestState state = existing(ctx);
        JsonNode body = Json.parse(ctx.bodyAsBytes(), true);
        Json.allowOnly(body, "", Set.of("title", "reason", "commands", "expectedVersion"));
        Content content = content(body, environment);
        CommandResult result = submission.execute(ctx, List.of(new Command.EditChangeRequest(
                new ChangeRequestRef(environment, state.getId()), Requests.principal(ctx).actor(), content.title(), content.reason(),
                content.commandsJson(), content.commands(), Requests.expectedVersion(ctx, body))), null);
        CommandErrors.json(ctx, 200, ResultJson.single(result));
    }

    private void step(Context ctx, Command.Kind kind) {
        String environment = Requests.environment(ctx);
        Principal by = Requests.principal(ctx);
        Requests.require(ctx, FOR_VIEWERS.contains(kind) ? Role.VIEWER : Role.EDITOR, environment);
        ChangeRequestState state = existing(ctx);
        JsonNode body = Json.parse(ctx.bodyAsBytes(), false);
        Json.allowOnly(body, "", Set.of("comment", "applyAt", "expectedVersion", "reason"));
        String applyAt = Json.optionalText(body, "applyAt", "applyAt", null);
        Command.ReviewChangeRequest review = new Command.ReviewChangeRequest(kind, new ChangeRequestRef(environment, state.getId()),
                by.actor(), by.roleIn(environment).orElse(null), Json.optionalText(body, "comment", "comment", null),
                applyAt == null ? null : Instants.parse(applyAt, "applyAt"), Requests.expectedVersion(ctx, body));
        String reason = Json.optionalText(body, "reason", "reason", null);
        if (kind == Command.Kind.APPLY_CHANGE_REQUEST) {
            var request = ChangeRequestApply.request(model, state, by.actor(), reason);
            List<Command> commands = new ArrayList<>(request.commands());
            commands.set(0, review);
            CommandResult result = submission.execute(ctx, commands, request.reason());
            CommandErrors.json(ctx, 200, ResultJson.changeSet(result));
            return;
        }
        CommandErrors.json(ctx, 200, ResultJson.single(submission.execute(ctx, List.of(review), reason)));
    }
}
