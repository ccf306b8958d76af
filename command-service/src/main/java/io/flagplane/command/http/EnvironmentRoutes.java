package io.flagplane.command.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.auth.Role;
import io.flagplane.avro.EnvironmentState;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.domain.Names;
import io.flagplane.command.log.CommandResult;
import io.flagplane.command.log.WriteModel;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Set;

/** Declared environments: list, read, declare (admin), archive (admin, only without live flags). */
final class EnvironmentRoutes {

    private final WriteModel model;
    private final Submission submission;

    EnvironmentRoutes(WriteModel model, Submission submission) {
        this.model = model;
        this.submission = submission;
    }

    void register(RoutesConfig routes, String env) {
        routes.get("/api/v1/environments", this::list);
        routes.post("/api/v1/environments", this::create);
        routes.get(env, this::read);
        routes.post(env + "/archive", this::archive);
    }

    private void list(Context ctx) {
        Requests.principal(ctx);
        boolean archived = Boolean.parseBoolean(ctx.queryParam("includeArchived"));
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode items = body.putArray("environments");
        for (EnvironmentState state : model.environments()) {
            if (archived || !state.getArchived()) {
                items.add(ResultJson.environment(state));
            }
        }
        CommandErrors.json(ctx, 200, body);
    }

    private void read(Context ctx) {
        String environment = Requests.environment(ctx);
        Requests.require(ctx, Role.VIEWER, environment);
        EnvironmentState state = model.environment(environment);
        if (state == null) {
            throw new CommandException(ErrorCode.ENVIRONMENT_NOT_FOUND, null, "environment '" + environment
                    + "' is not declared");
        }
        ctx.header("ETag", "\"" + state.getVersion() + "\"");
        CommandErrors.json(ctx, 200, ResultJson.environment(state));
    }

    private void create(Context ctx) {
        JsonNode body = Json.parse(ctx.bodyAsBytes(), true);
        Json.allowOnly(body, "", Set.of("name", "description", "reason"));
        String name = Json.requiredText(body, "name", "name");
        Names.checkEnvironment(name);
        Requests.require(ctx, Role.ADMIN, name);
        Command command = new Command.CreateEnvironment(name, Json.optionalText(body, "description", "description", null));
        CommandResult result = submission.execute(ctx, List.of(command), Json.optionalText(body, "reason", "reason", null));
        ctx.header("Location", "/api/v1/environments/" + name);
        CommandErrors.json(ctx, result.replayed() ? 200 : 201, ResultJson.single(result));
    }

    private void archive(Context ctx) {
        String environment = Requests.environment(ctx);
        Requests.require(ctx, Role.ADMIN, environment);
        JsonNode body = Json.parse(ctx.bodyAsBytes(), false);
        Json.allowOnly(body, "", Set.of("reason", "expectedVersion"));
        Long expected = Json.optionalVersion(body, "expectedVersion", "expectedVersion");
        CommandResult result = submission.execute(ctx, List.of(new Command.ArchiveEnvironment(environment, expected)),
                Json.optionalText(body, "reason", "reason", null));
        CommandErrors.json(ctx, 200, ResultJson.single(result));
    }
}
