package io.flagplane.command.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.auth.Role;
import io.flagplane.avro.Experiment;
import io.flagplane.avro.ExperimentStatus;
import io.flagplane.avro.FlagState;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ExperimentRules;
import io.flagplane.command.domain.Names;
import io.flagplane.command.log.CommandResult;
import io.flagplane.command.log.WriteModel;
import io.flagplane.contract.ExperimentFold;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.json.StateJson;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Experiments (seed 003) under {@code /api/v1/environments/{env}/experiments}: create (on a flag's
 * split, or seed 003's standalone shape, which creates the flag too), update a draft, launch, pause,
 * resume and stop, and reads from the service's consistent view. Each write is a flag-aggregate
 * command, with the flag routes' conventions: the editor role, the approval policy of the flag it
 * runs on, {@code Idempotency-Key}, and {@code If-Match} with the flag's version (an experiment's
 * {@code ETag}). The body of each route is the matching change-set action's, so an experiment
 * command means the same on its own, in a change set and in a change request.
 */
final class ExperimentRoutes {

    private static final Map<String, String> STEPS = Map.of("launch", "launchExperiment", "pause", "pauseExperiment",
            "resume", "resumeExperiment", "stop", "stopExperiment");

    private final WriteModel model;
    private final Submission submission;

    ExperimentRoutes(WriteModel model, Submission submission) {
        this.model = model;
        this.submission = submission;
    }

    void register(RoutesConfig routes, String env) {
        String experiments = env + "/experiments";
        String one = experiments + "/{key}";
        routes.post(experiments, this::create);
        routes.get(experiments, this::list);
        routes.get(one, this::read);
        routes.put(one, ctx -> change(ctx, "updateExperiment"));
        for (Map.Entry<String, String> step : STEPS.entrySet()) {
            routes.post(one + "/" + step.getKey(), ctx -> change(ctx, step.getValue()));
        }
    }

    private void create(Context ctx) {
        WriteRoutes.Parsed parsed = WriteRoutes.parse(model, ctx, "createExperiment", null);
        Command.CreateExperiment create = (Command.CreateExperiment) parsed.command();
        CommandResult result = execute(ctx, parsed);
        ctx.header("Location", "/api/v1/environments/" + create.environment() + "/experiments/" + create.experimentKey());
        CommandErrors.json(ctx, result.replayed() ? 200 : 201, ResultJson.experiment(result, create.experimentKey()));
    }

    private void change(Context ctx, String action) {
        WriteRoutes.Parsed parsed = WriteRoutes.parse(model, ctx, action, "experiment");
        CommandResult result = execute(ctx, parsed);
        CommandErrors.json(ctx, 200, ResultJson.experiment(result, ((Command.OnExperiment) parsed.command()).experimentKey()));
    }

    private CommandResult execute(Context ctx, WriteRoutes.Parsed parsed) {
        Command command = parsed.command();
        Requests.require(ctx, Role.EDITOR, command.environment());
        return submission.execute(ctx, List.of(command), parsed.reason(),
                ApprovalGate.check(model, Requests.principal(ctx), List.of(command)));
    }

    private String readableEnvironment(Context ctx) {
        String environment = Requests.environment(ctx);
        Requests.require(ctx, Role.VIEWER, environment);
        Requests.requireDeclared(model, environment);
        return environment;
    }

    /** Every experiment of the environment (on archived flags too), by key; {@code ?status=running} keeps one status. */
    private void list(Context ctx) {
        String environment = readableEnvironment(ctx);
        String wanted = ctx.queryParam("status");
        ExperimentStatus status = null;
        if (wanted != null) {
            try {
                status = ExperimentStatus.valueOf(wanted.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw CommandException.invalid("status", "status must be one of draft, running, paused, stopped");
            }
        }
        record Found(FlagState flag, Experiment experiment) {
        }
        ExperimentStatus only = status;
        List<Found> found = model.flags(environment).stream()
                .flatMap(flag -> flag.getExperiments().stream().map(e -> new Found(flag, e)))
                .filter(f -> only == null || f.experiment().getStatus() == only)
                .sorted(Comparator.comparing(f -> f.experiment().getKey()))
                .toList();
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode items = body.putArray("experiments");
        found.forEach(f -> items.add(StateJson.experiment(f.flag(), f.experiment())));
        CommandErrors.json(ctx, 200, body);
    }

    private void read(Context ctx) {
        String environment = readableEnvironment(ctx);
        String key = ctx.pathParam("key");
        Names.checkExperimentKey(key, "key");
        FlagRef ref = ExperimentRules.locate(model, environment, key);
        FlagState flag = model.flag(ref.environment(), ref.key());
        Experiment experiment = ExperimentFold.named(flag.getExperiments(), key).orElseThrow();
        ctx.header("ETag", "\"" + flag.getVersion() + "\"");
        CommandErrors.json(ctx, 200, StateJson.experiment(flag, experiment));
    }
}
