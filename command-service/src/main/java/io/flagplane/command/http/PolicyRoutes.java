package io.flagplane.command.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.auth.Role;
import io.flagplane.avro.ApprovalPolicy;
import io.flagplane.avro.EnvironmentState;
import io.flagplane.command.domain.Command;
import io.flagplane.command.log.WriteModel;
import io.flagplane.contract.json.StateJson;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * An environment's approval policy: read it (viewer), set or remove it (admin). Setting it is an
 * event on the environment, so who protected what, and when, is in the audit history.
 */
final class PolicyRoutes {

    private final WriteModel model;
    private final Submission submission;

    PolicyRoutes(WriteModel model, Submission submission) {
        this.model = model;
        this.submission = submission;
    }

    void register(RoutesConfig routes, String env) {
        routes.get(env + "/approval-policy", this::read);
        routes.put(env + "/approval-policy", this::set);
        routes.delete(env + "/approval-policy", this::remove);
    }

    private void read(Context ctx) {
        String environment = Requests.environment(ctx);
        Requests.requireDeclared(model, environment);
        Requests.require(ctx, Role.VIEWER, environment);
        EnvironmentState state = model.environment(environment);
        var body = Json.MAPPER.createObjectNode().put("environment", environment);
        if (state.getApprovalPolicy() == null) {
            body.putNull("approvalPolicy");
        } else {
            body.set("approvalPolicy", StateJson.policy(state.getApprovalPolicy()));
        }
        CommandErrors.json(ctx, 200, body);
    }

    private void set(Context ctx) {
        String environment = Requests.environment(ctx);
        Requests.requireDeclared(model, environment);
        Requests.require(ctx, Role.ADMIN, environment);
        JsonNode body = Json.parse(ctx.bodyAsBytes(), true);
        Json.allowOnly(body, "", Set.of("requiredApprovals", "approverRole", "adminBypass", "tags", "reason", "expectedVersion"));
        JsonNode required = body.get("requiredApprovals");
        if (required != null && !required.canConvertToInt()) {
            throw io.flagplane.command.domain.CommandException.invalid("requiredApprovals", "requiredApprovals must be a whole number");
        }
        List<String> tags = Json.optionalTextList(body, "tags", "tags");
        ApprovalPolicy policy = ApprovalPolicy.newBuilder()
                .setRequiredApprovals(required == null ? 1 : required.asInt())
                .setApproverRole(Json.optionalText(body, "approverRole", "approverRole", "admin").toLowerCase(Locale.ROOT))
                .setAdminBypass(Json.optionalBoolean(body, "adminBypass", "adminBypass", false))
                .setTags(tags == null ? List.of() : tags)
                .build();
        execute(ctx, environment, policy, body);
    }

    private void remove(Context ctx) {
        String environment = Requests.environment(ctx);
        Requests.requireDeclared(model, environment);
        Requests.require(ctx, Role.ADMIN, environment);
        JsonNode body = Json.parse(ctx.bodyAsBytes(), false);
        Json.allowOnly(body, "", Set.of("reason", "expectedVersion"));
        execute(ctx, environment, null, body);
    }

    private void execute(Context ctx, String environment, ApprovalPolicy policy, JsonNode body) {
        Command command = new Command.SetApprovalPolicy(environment, policy, Json.optionalVersion(body, "expectedVersion", "expectedVersion"));
        CommandErrors.json(ctx, 200, ResultJson.single(submission.execute(ctx, List.of(command),
                Json.optionalText(body, "reason", "reason", null))));
    }
}
