package io.flagplane.command.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.auth.Principal;
import io.flagplane.auth.Role;
import io.flagplane.avro.PlanStatus;
import io.flagplane.avro.RollbackAction;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.domain.Names;
import io.flagplane.command.log.CommandResult;
import io.flagplane.command.log.WriteModel;
import io.flagplane.contract.PlanRef;
import io.flagplane.contract.json.StateJson;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Rollout plans under {@code /api/v1/environments/{env}/plans}: draft (from explicit steps or a
 * seed's preset), edit a draft, start, approve the current step (go, or no-go with
 * {@code "approved": false}), pause, resume, roll back by hand, cancel; and reads from the
 * service's consistent view. Each write is a plan command with the flag routes' conventions: the
 * editor role, {@code Idempotency-Key}, {@code If-Match} with the plan's version (its
 * {@code ETag}), and the approval policy of the flags the plan changes (drafting, editing or
 * starting a plan on a protected flag needs a change request). The body of each route is the
 * matching change-set action's ({@code createPlan}, {@code updatePlan}, ...), so a plan command
 * means the same on its own, in a change set and in a change request.
 */
final class PlanRoutes {

    private final WriteModel model;
    private final Submission submission;

    PlanRoutes(WriteModel model, Submission submission) {
        this.model = model;
        this.submission = submission;
    }

    void register(RoutesConfig routes, String env) {
        String plans = env + "/plans";
        String one = plans + "/{key}";
        routes.post(plans, this::create);
        routes.get(plans, this::list);
        routes.get(one, this::read);
        routes.put(one, ctx -> change(ctx, "updatePlan"));
        routes.post(one + "/start", ctx -> change(ctx, "startPlan"));
        routes.post(one + "/pause", ctx -> change(ctx, "pausePlan"));
        routes.post(one + "/resume", ctx -> change(ctx, "resumePlan"));
        routes.post(one + "/rollback", ctx -> change(ctx, "rollBackPlan"));
        routes.post(one + "/cancel", ctx -> change(ctx, "cancelPlan"));
        routes.post(one + "/approve", this::approve);
    }

    private void create(Context ctx) {
        WriteRoutes.Parsed parsed = WriteRoutes.parse(model, ctx, "createPlan", null);
        Command.CreatePlan create = (Command.CreatePlan) parsed.command();
        CommandResult result = execute(ctx, create, parsed.reason());
        ctx.header("Location", "/api/v1/environments/" + create.environment() + "/plans/" + create.plan().key());
        CommandErrors.json(ctx, result.replayed() ? 200 : 201, ResultJson.plan(result, create.plan()));
    }

    private void change(Context ctx, String action) {
        WriteRoutes.Parsed parsed = WriteRoutes.parse(model, ctx, action, "plan");
        Command command = withWhy(parsed.command(), Requests.principal(ctx), parsed.reason());
        CommandResult result = execute(ctx, command, parsed.reason());
        CommandErrors.json(ctx, 200, ResultJson.plan(result, ((Command.OnPlan) command).plan()));
    }

    /** A pause or a rollback by hand says who did it (and why, when the request says) unless its body says why. */
    private static Command withWhy(Command command, Principal by, String reason) {
        String who = by.actor().getId() + (reason == null ? "" : ": " + reason);
        if (command instanceof Command.PausePlan pause && pause.why() == null) {
            return new Command.PausePlan(pause.plan(), "paused by " + who, pause.expectedVersion());
        }
        if (command instanceof Command.RollBackPlan rollBack && rollBack.why() == null) {
            RollbackAction action = rollBack.action();
            return new Command.RollBackPlan(rollBack.plan(), action, null, "rolled back by " + who
                    + (action == null ? "" : " (" + action.name().toLowerCase(Locale.ROOT) + ")"), rollBack.expectedVersion(), null);
        }
        return command;
    }

    private CommandResult execute(Context ctx, Command command, String reason) {
        Requests.require(ctx, Role.EDITOR, command.environment());
        return submission.execute(ctx, List.of(command), reason, ApprovalGate.check(model, Requests.principal(ctx), List.of(command)));
    }

    /**
     * A person's go (or no-go, {@code "approved": false}) for the plan's current step, or for
     * {@code step} when the body names it (refused unless it is still the current one).
     */
    private void approve(Context ctx) {
        String environment = Requests.environment(ctx);
        Requests.requireDeclared(model, environment);
        Requests.require(ctx, Role.EDITOR, environment);
        RolloutPlanState state = existing(environment, ctx.pathParam("key"));
        JsonNode body = Json.parse(ctx.bodyAsBytes(), false);
        Json.allowOnly(body, "", Set.of("step", "approved", "comment", "reason", "expectedVersion"));
        JsonNode step = Json.present(body, "step", "step");
        if (step != null && (!step.isIntegralNumber() || !step.canConvertToInt() || step.intValue() < 0)) {
            throw CommandException.invalid("step", "step is the index of the step approved (0 for the first)");
        }
        Principal by = Requests.principal(ctx);
        PlanRef ref = new PlanRef(environment, state.getKey());
        Command command = new Command.ApprovePlanStep(ref, by.actor(), step == null ? state.getCurrentStep() : step.intValue(),
                Json.optionalBoolean(body, "approved", "approved", true), Json.optionalText(body, "comment", "comment", null),
                Requests.expectedVersion(ctx, body));
        CommandResult result = execute(ctx, command, Json.optionalText(body, "reason", "reason", null));
        CommandErrors.json(ctx, 200, ResultJson.plan(result, ref));
    }

    private RolloutPlanState existing(String environment, String key) {
        Names.checkPlanKey(key, "key");
        PlanRef ref = new PlanRef(environment, key);
        RolloutPlanState state = (RolloutPlanState) model.state(ref);
        if (state == null) {
            throw new CommandException(ErrorCode.PLAN_NOT_FOUND, null, ref.describe() + " does not exist");
        }
        return state;
    }

    private String readableEnvironment(Context ctx) {
        String environment = Requests.environment(ctx);
        Requests.require(ctx, Role.VIEWER, environment);
        Requests.requireDeclared(model, environment);
        return environment;
    }

    /** Every plan of the environment, by key; {@code ?status=running} keeps one status. */
    private void list(Context ctx) {
        String environment = readableEnvironment(ctx);
        String wanted = ctx.queryParam("status");
        PlanStatus status = null;
        if (wanted != null) {
            try {
                status = PlanStatus.valueOf(wanted.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw CommandException.invalid("status", "status must be one of draft, running, paused, completed, rolled_back,"
                        + " cancelled");
            }
        }
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode items = body.putArray("plans");
        for (Object state : model.all(PlanRef.class, environment)) {
            RolloutPlanState plan = (RolloutPlanState) state;
            if (status == null || plan.getStatus() == status) {
                items.add(StateJson.plan(plan));
            }
        }
        CommandErrors.json(ctx, 200, body);
    }

    private void read(Context ctx) {
        String environment = readableEnvironment(ctx);
        RolloutPlanState state = existing(environment, ctx.pathParam("key"));
        ctx.header("ETag", "\"" + state.getVersion() + "\"");
        CommandErrors.json(ctx, 200, StateJson.plan(state));
    }
}
