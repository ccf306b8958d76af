package io.flagplane.command.http;

import io.flagplane.avro.Actor;
import io.flagplane.avro.FlagSnapshot;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.RollbackAction;
import io.flagplane.avro.RolloutPlanDefinition;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.domain.ReadModel;
import io.flagplane.command.log.CommandRequest;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.PlanRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a plan's moves write, as one change set each: the plan's command first (its decider checks
 * the lifecycle and writes the plan's event and its flags' markers), then the flag commands that
 * carry the change, decided by the flag decider against the flags as the plan's event leaves them.
 * A step's commands are parsed again from the JSON the plan keeps, with the same parser a change
 * request's are ({@link CommandJson#parseArray}); a rollback's are built from the snapshots the plan
 * took (KILL kills each flag; RESTORE puts back each flag's definition and on/off switch from
 * before the plan; PREVIOUS_STEP from before the current step; a kill is never undone by a
 * rollback, and archived flags are left alone).
 *
 * <p>Used by the plan routes, by change sets and change requests that hold plan commands
 * ({@link #expand}), and by the release controller, so a person and the controller move a plan the
 * same way. Each command carries the plan version it was built against, so a step prepared from an
 * older plan (a retry, a second controller) is refused, never applied twice.
 */
public final class PlanChangeSets {

    private PlanChangeSets() {
    }

    /** Start a draft at its first step. */
    public static CommandRequest start(RolloutPlanState state, Actor by, String reason) {
        List<Command> step = stepCommands(state, 0);
        List<Command> commands = new ArrayList<>();
        commands.add(new Command.StartPlan(ref(state), state.getVersion(), step.size()));
        commands.addAll(step);
        return request(commands, by, reason);
    }

    /** Move a running plan from its current step to the next. */
    public static CommandRequest advance(RolloutPlanState state, Actor by, String reason) {
        List<Command> step = stepCommands(state, state.getCurrentStep() + 1);
        List<Command> commands = new ArrayList<>();
        commands.add(new Command.AdvancePlan(ref(state), state.getCurrentStep(), state.getVersion(), step.size()));
        commands.addAll(step);
        return request(commands, by, reason);
    }

    /** Complete a plan at its last step (its flags keep the last step's targeting). */
    public static CommandRequest complete(RolloutPlanState state, String summary, Actor by, String reason) {
        return request(List.of(new Command.CompletePlan(ref(state), state.getCurrentStep(), summary, state.getVersion())), by, reason);
    }

    /** Say the current step's gates passed and it waits for a person's go. */
    public static CommandRequest awaitApproval(RolloutPlanState state, String summary, Actor by, String reason) {
        return request(List.of(new Command.AwaitPlanApproval(ref(state), state.getCurrentStep(), summary, state.getVersion())), by,
                reason);
    }

    /** Pause a running plan. */
    public static CommandRequest pause(RolloutPlanState state, String why, Actor by, String reason) {
        return request(List.of(new Command.PausePlan(ref(state), why, state.getVersion())), by, reason);
    }

    /**
     * Roll a running or paused plan back with {@code action} (null: the plan's own), {@code guardrail}
     * naming a breach (null by hand) and {@code why} in words.
     */
    public static CommandRequest rollBack(ReadModel model, RolloutPlanState state, RollbackAction action, String guardrail,
                                          String why, Actor by, String reason) {
        RollbackAction chosen = action != null ? action : state.getDefinition().getRollbackAction();
        List<Command> change = rollbackCommands(model, state, chosen);
        List<Command> commands = new ArrayList<>();
        commands.add(new Command.RollBackPlan(ref(state), chosen, guardrail, why, state.getVersion(), change.size()));
        commands.addAll(change);
        return request(commands, by, reason);
    }

    /**
     * Puts each plan command's change after it: a start's first step (from the plan as it is, or as a
     * createPlan or updatePlan earlier in the same list defines it), a rollback's commands. A command
     * already followed by its change is left as it is, so expanding twice changes nothing; one whose
     * plan is not found is left for its decider to refuse.
     */
    public static List<Command> expand(ReadModel model, List<Command> commands) {
        if (commands.stream().noneMatch(c -> c instanceof Command.StartPlan || c instanceof Command.RollBackPlan)) {
            return commands;
        }
        Map<PlanRef, List<List<Command>>> drafted = new HashMap<>();
        List<Command> out = new ArrayList<>();
        for (Command command : commands) {
            if (command instanceof Command.CreatePlan create) {
                drafted.put(create.plan(), create.stepCommands());
            } else if (command instanceof Command.UpdatePlan update) {
                drafted.put(update.plan(), update.stepCommands());
            }
            if (command instanceof Command.StartPlan start && start.stepCommands() == null) {
                List<Command> step = null;
                Long expected = start.expectedVersion();
                if (drafted.containsKey(start.plan())) {
                    step = drafted.get(start.plan()).get(0);
                } else if (model.state(start.plan()) instanceof RolloutPlanState state) {
                    step = stepCommands(state, 0);
                    expected = expected != null ? expected : state.getVersion();
                }
                if (step != null) {
                    out.add(new Command.StartPlan(start.plan(), expected, step.size()));
                    out.addAll(step);
                    continue;
                }
            } else if (command instanceof Command.RollBackPlan rollBack && rollBack.rollbackCommands() == null
                    && model.state(rollBack.plan()) instanceof RolloutPlanState state) {
                RollbackAction action = rollBack.action() != null ? rollBack.action() : state.getDefinition().getRollbackAction();
                List<Command> change = rollbackCommands(model, state, action);
                out.add(new Command.RollBackPlan(rollBack.plan(), action, rollBack.guardrail(), rollBack.why(),
                        rollBack.expectedVersion() != null ? rollBack.expectedVersion() : state.getVersion(), change.size()));
                out.addAll(change);
                continue;
            }
            out.add(command);
        }
        return out;
    }

    /**
     * A draft keeps its definition but loses its {@code startAt} (it could not start then), with
     * {@code why} as the reason: the plan shows it is no longer scheduled, and its history says why.
     */
    public static CommandRequest unschedule(RolloutPlanState draft, Actor by, String why) {
        RolloutPlanDefinition unscheduled = RolloutPlanDefinition.newBuilder(draft.getDefinition()).setStartAt(null).build();
        List<List<Command>> steps = new ArrayList<>();
        for (int i = 0; i < unscheduled.getSteps().size(); i++) {
            steps.add(stepCommands(draft, i));
        }
        return request(List.of(new Command.UpdatePlan(ref(draft), unscheduled, steps, draft.getVersion())), by, why);
    }

    /** A step's commands, parsed from the JSON the plan keeps. */
    static List<Command> stepCommands(RolloutPlanState state, int step) {
        if (step < 0 || step >= state.getDefinition().getSteps().size()) {
            throw new CommandException(ErrorCode.INVALID_STATE, null, "rollout plan '" + state.getKey() + "' has no step " + step,
                    state.getVersion());
        }
        try {
            return CommandJson.parseArray(state.getDefinition().getSteps().get(step).getCommandsJson());
        } catch (CommandException e) {
            throw new CommandException(ErrorCode.INVALID_STATE, "steps[" + step + "].commands", "rollout plan '" + state.getKey()
                    + "' holds commands this service no longer reads (" + (e.field() == null ? "" : e.field() + ": ")
                    + e.getMessage() + ")", state.getVersion());
        }
    }

    /** What a rollback with {@code action} does to the plan's live flags. */
    static List<Command> rollbackCommands(ReadModel model, RolloutPlanState state, RollbackAction action) {
        List<Command> commands = new ArrayList<>();
        String environment = state.getEnvironment();
        if (action == RollbackAction.KILL) {
            for (String key : state.getDefinition().getFlagKeys()) {
                if (live(model.flag(environment, key))) {
                    commands.add(new Command.Kill(new FlagRef(environment, key), null));
                }
            }
            return commands;
        }
        List<FlagSnapshot> snapshots = action == RollbackAction.RESTORE ? state.getBeforePlan() : state.getBeforeStep();
        for (FlagSnapshot snapshot : snapshots) {
            FlagRef flag = new FlagRef(environment, snapshot.getFlagKey());
            if (!live(model.flag(environment, snapshot.getFlagKey()))) {
                continue;
            }
            if (snapshot.getDefinition() != null) {
                commands.add(new Command.ReplaceDefinition(flag, snapshot.getDefinition(), null));
            }
            commands.add(snapshot.getEnabled() ? new Command.Enable(flag, null) : new Command.Disable(flag, null));
        }
        return commands;
    }

    private static boolean live(FlagState flag) {
        return flag != null && !flag.getArchived();
    }

    private static PlanRef ref(RolloutPlanState state) {
        return new PlanRef(state.getEnvironment(), state.getKey());
    }

    private static CommandRequest request(List<Command> commands, Actor by, String reason) {
        return new CommandRequest(commands, by, reason, null, null, false);
    }
}
