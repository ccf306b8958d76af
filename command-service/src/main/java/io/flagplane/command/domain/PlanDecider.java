package io.flagplane.command.domain;

import io.flagplane.avro.ActorKind;
import io.flagplane.avro.FlagPlanSet;
import io.flagplane.avro.FlagSnapshot;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.PlanCancelled;
import io.flagplane.avro.PlanCompleted;
import io.flagplane.avro.PlanCreated;
import io.flagplane.avro.PlanPaused;
import io.flagplane.avro.PlanResumed;
import io.flagplane.avro.PlanRolledBack;
import io.flagplane.avro.PlanStarted;
import io.flagplane.avro.PlanStatus;
import io.flagplane.avro.PlanStep;
import io.flagplane.avro.PlanStepApproved;
import io.flagplane.avro.PlanStepAwaitingApproval;
import io.flagplane.avro.PlanStepStarted;
import io.flagplane.avro.PlanUpdated;
import io.flagplane.avro.RollbackAction;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.PlanRef;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Decides what a rollout-plan command becomes: the lifecycle (DRAFT → RUNNING ⇄ PAUSED →
 * COMPLETED | ROLLED_BACK | CANCELLED), the step order, the manual go, and a flag under one plan at
 * a time. Pure: no I/O, no clock (hold times and guardrail verdicts are the release controller's
 * business; what it asks for is checked here again against the plan as it is).
 *
 * <p>Starting, advancing, completing, rolling back and cancelling write the plan's event and the
 * {@code FlagPlanSet} markers of its flags (set while the plan runs, so evaluators log exposures
 * for its guardrails; cleared when it ends). The flag changes a step or a rollback makes are not
 * decided here: they follow in the same change set and are decided by the flag decider, against
 * the flags as the plan's event leaves them, so the step is one transaction and a refusal of any of
 * its commands refuses all of it. Snapshots of the flags before the plan and before each step are
 * taken here, before those commands, for a rollback to restore.
 *
 * <p>A kill is never refused for a plan's sake; a kill of a flag under a running plan pauses the
 * plan in the same change set ({@link #pausedByKills}).
 */
public final class PlanDecider {

    private static final Set<PlanStatus> LIVE = EnumSet.of(PlanStatus.RUNNING, PlanStatus.PAUSED);
    public static final int MAX_COMMENT = 2_000;
    public static final int MAX_WHY = 2_000;

    private PlanDecider() {
    }

    static void precheck(Command.OnPlan command) {
        Names.checkPlanKey(command.plan().key(), "key");
        if (command instanceof Command.CreatePlan create) {
            PlanRules.checkShape(create.definition(), create.stepCommands());
        } else if (command instanceof Command.UpdatePlan update) {
            PlanRules.checkShape(update.definition(), update.stepCommands());
        } else if (command instanceof Command.ApprovePlanStep approve && approve.comment() != null
                && approve.comment().length() > MAX_COMMENT) {
            throw CommandException.invalid("comment", "comment is longer than " + MAX_COMMENT + " characters");
        } else if (command instanceof Command.PausePlan pause && pause.why() != null && pause.why().length() > MAX_WHY) {
            throw CommandException.invalid("why", "why is longer than " + MAX_WHY + " characters");
        } else if (command instanceof Command.RollBackPlan rollBack && rollBack.why() != null && rollBack.why().length() > MAX_WHY) {
            throw CommandException.invalid("why", "why is longer than " + MAX_WHY + " characters");
        }
    }

    static List<Decision> decide(ReadModel model, Command.OnPlan command) {
        // stopping a plan (pause, roll back, cancel) is never refused for the environment's sake
        boolean stopping = command instanceof Command.PausePlan || command instanceof Command.RollBackPlan
                || command instanceof Command.CancelPlan;
        EnvironmentDecider.requireDeclared(model, command.environment(), !stopping);
        PlanRef ref = command.plan();
        RolloutPlanState current = (RolloutPlanState) model.state(ref);
        if (command instanceof Command.CreatePlan create) {
            if (current != null) {
                throw new CommandException(ErrorCode.PLAN_ALREADY_EXISTS, "key", ref.describe() + " already exists",
                        current.getVersion());
            }
            PlanRules.checkAgainst(model, ref, create.definition(), create.stepCommands());
            return List.of(new Decision(ref, new PlanCreated(create.definition())));
        }
        if (current == null) {
            throw new CommandException(ErrorCode.PLAN_NOT_FOUND, null, ref.describe() + " does not exist");
        }
        command.requireVersion(current.getVersion(), ref);
        if (command instanceof Command.UpdatePlan update) {
            requireStatus(current, EnumSet.of(PlanStatus.DRAFT), "edited (only a draft's definition changes)");
            PlanRules.checkAgainst(model, ref, update.definition(), update.stepCommands());
            return List.of(new Decision(ref, update.definition().equals(current.getDefinition()) ? null
                    : new PlanUpdated(update.definition())));
        }
        if (command instanceof Command.StartPlan start) {
            return start(model, current, start);
        }
        if (command instanceof Command.AdvancePlan advance) {
            requireAt(current, advance.fromStep(), false);
            requireExpanded(advance.stepCommands(), advance);
            int next = advance.fromStep() + 1;
            if (next >= current.getDefinition().getSteps().size()) {
                throw new CommandException(ErrorCode.INVALID_STATE, null, ref.describe() + " is at its last step; it completes"
                        + " rather than advancing", current.getVersion());
            }
            requireGo(current);
            requireFlagsLive(model, current, "advance");
            return List.of(new Decision(ref, new PlanStepStarted(next, snapshots(model, current))));
        }
        if (command instanceof Command.CompletePlan complete) {
            requireAt(current, complete.fromStep(), false);
            if (complete.fromStep() != current.getDefinition().getSteps().size() - 1) {
                throw new CommandException(ErrorCode.INVALID_STATE, null, ref.describe() + " is not at its last step",
                        current.getVersion());
            }
            requireGo(current);
            return withMarkersCleared(model, current, new PlanCompleted(complete.summary()));
        }
        if (command instanceof Command.AwaitPlanApproval await) {
            requireAt(current, await.step(), false);
            if (!step(current).getManualApproval()) {
                throw new CommandException(ErrorCode.INVALID_STATE, null, "step '" + step(current).getName()
                        + "' advances by itself (manualApproval is false)", current.getVersion());
            }
            return List.of(new Decision(ref, current.getAwaitingApproval() ? null
                    : new PlanStepAwaitingApproval(await.step(), await.summary())));
        }
        if (command instanceof Command.ApprovePlanStep approve) {
            return List.of(new Decision(ref, approve(current, approve)));
        }
        if (command instanceof Command.PausePlan pause) {
            requireStatus(current, LIVE, "paused");
            return List.of(new Decision(ref, current.getStatus() == PlanStatus.PAUSED ? null
                    : new PlanPaused(pause.why() == null ? "paused by hand" : pause.why())));
        }
        if (command instanceof Command.ResumePlan) {
            requireStatus(current, LIVE, "resumed");
            if (current.getStatus() == PlanStatus.RUNNING) {
                return List.of(new Decision(ref, null));
            }
            requireFlagsLive(model, current, "resume");
            return List.of(new Decision(ref, new PlanResumed()));
        }
        if (command instanceof Command.RollBackPlan rollBack) {
            requireStatus(current, LIVE, "rolled back");
            requireExpanded(rollBack.rollbackCommands(), rollBack);
            RollbackAction action = rollBack.action() != null ? rollBack.action() : current.getDefinition().getRollbackAction();
            String why = rollBack.why() != null ? rollBack.why() : "rolled back by hand ("
                    + action.name().toLowerCase(Locale.ROOT).replace('_', ' ') + ")";
            return withMarkersCleared(model, current, new PlanRolledBack(current.getCurrentStep(), action, rollBack.guardrail(), why));
        }
        if (command instanceof Command.CancelPlan) {
            requireStatus(current, EnumSet.of(PlanStatus.DRAFT, PlanStatus.RUNNING, PlanStatus.PAUSED), "cancelled");
            return withMarkersCleared(model, current, new PlanCancelled());
        }
        throw new IllegalArgumentException("unknown plan command " + command);
    }

    private static List<Decision> start(ReadModel model, RolloutPlanState current, Command.StartPlan start) {
        requireStatus(current, EnumSet.of(PlanStatus.DRAFT), "started (a plan starts once)");
        requireExpanded(start.stepCommands(), start);
        PlanRef ref = start.plan();
        List<FlagSnapshot> before = snapshots(model, current);
        List<String> flags = current.getDefinition().getFlagKeys();
        for (int i = 0; i < flags.size(); i++) {
            FlagState flag = model.flag(ref.environment(), flags.get(i));
            if (flag == null || flag.getArchived()) {
                throw new CommandException(ErrorCode.INVALID_STATE, "flagKeys[" + i + "]", "flag '" + flags.get(i) + "' is "
                        + (flag == null ? "gone" : "archived") + "; edit the plan", current.getVersion());
            }
            PlanRules.requireNoOtherPlan(ref, flag, "flagKeys[" + i + "]");
        }
        requireFlagsLive(model, current, "start");
        List<Decision> decisions = new ArrayList<>();
        decisions.add(new Decision(ref, new PlanStarted(before)));
        for (String key : flags) {
            decisions.add(new Decision(new FlagRef(ref.environment(), key), new FlagPlanSet(ref.key())));
        }
        decisions.add(new Decision(ref, new PlanStepStarted(0, before)));
        return decisions;
    }

    private static Object approve(RolloutPlanState current, Command.ApprovePlanStep approve) {
        requireStatus(current, LIVE, "approved");
        if (approve.by().getKind() != ActorKind.USER) {
            throw new CommandException(ErrorCode.APPROVAL_NOT_ALLOWED, null, "a go or no-go is a person's decision; a "
                    + approve.by().getKind().name().toLowerCase(Locale.ROOT).replace('_', ' ') + " cannot give it");
        }
        requireAt(current, approve.step(), true);
        if (!step(current).getManualApproval()) {
            throw new CommandException(ErrorCode.INVALID_STATE, null, "step '" + step(current).getName() + "' advances by itself"
                    + " (manualApproval is false); pause the plan to hold it", current.getVersion());
        }
        return new PlanStepApproved(approve.step(), approve.approved(), approve.comment());
    }

    /**
     * Pauses, in the same change set, each running plan a kill stops: for every flag the decisions
     * kill that carries a running plan, the plan's {@code PlanPaused} (once per plan, naming every
     * killed flag of it). Never refuses: a kill is never blocked by a plan.
     */
    static List<Decision> pausedByKills(ReadModel model, List<Decision> kills) {
        Map<PlanRef, List<String>> stopped = new LinkedHashMap<>();
        for (Decision kill : kills) {
            if (!(kill.target() instanceof FlagRef flagRef)) {
                continue;
            }
            FlagState flag = model.flag(flagRef.environment(), flagRef.key());
            if (flag == null || flag.getPlan() == null) {
                continue;
            }
            PlanRef plan = new PlanRef(flagRef.environment(), flag.getPlan());
            RolloutPlanState state = (RolloutPlanState) model.state(plan);
            if (state != null && state.getStatus() == PlanStatus.RUNNING) {
                stopped.computeIfAbsent(plan, p -> new ArrayList<>()).add(flagRef.key());
            }
        }
        if (stopped.isEmpty()) {
            return kills;
        }
        List<Decision> decisions = new ArrayList<>(kills);
        stopped.forEach((plan, flags) -> decisions.add(new Decision(plan, new PlanPaused(flags.size() == 1
                ? "flag " + flags.get(0) + " was killed" : "flags " + String.join(", ", flags) + " were killed"))));
        return decisions;
    }

    /** The plan's final (or step) event, then each of its flags' markers cleared. */
    private static List<Decision> withMarkersCleared(ReadModel model, RolloutPlanState current, Object planEvent) {
        PlanRef ref = new PlanRef(current.getEnvironment(), current.getKey());
        List<Decision> decisions = new ArrayList<>();
        decisions.add(new Decision(ref, planEvent));
        for (String key : current.getDefinition().getFlagKeys()) {
            FlagState flag = model.flag(ref.environment(), key);
            if (flag != null && ref.key().equals(flag.getPlan())) {
                decisions.add(new Decision(new FlagRef(ref.environment(), key), new FlagPlanSet(null)));
            }
        }
        return decisions;
    }

    /** The plan's flags as they are now: what a rollback restores. */
    private static List<FlagSnapshot> snapshots(ReadModel model, RolloutPlanState current) {
        List<FlagSnapshot> snapshots = new ArrayList<>();
        for (String key : current.getDefinition().getFlagKeys()) {
            FlagState flag = model.flag(current.getEnvironment(), key);
            snapshots.add(flag == null ? FlagSnapshot.newBuilder().setFlagKey(key).setVersion(0).build()
                    : new FlagSnapshot(key, flag.getVersion(), flag.getDefinition(), flag.getEnabled(), flag.getKilled()));
        }
        return snapshots;
    }

    private static PlanStep step(RolloutPlanState current) {
        return current.getDefinition().getSteps().get(current.getCurrentStep());
    }

    /**
     * The plan is running (or, with {@code pausedToo}, paused) at {@code step}: a command decided
     * against an older step is refused, never applied twice.
     */
    private static void requireAt(RolloutPlanState current, int step, boolean pausedToo) {
        requireStatus(current, pausedToo ? LIVE : EnumSet.of(PlanStatus.RUNNING), "moved on");
        if (current.getCurrentStep() != step) {
            throw new CommandException(ErrorCode.INVALID_STATE, "step", "rollout plan '" + current.getKey() + "' is at step "
                    + current.getCurrentStep() + ", not " + step, current.getVersion());
        }
    }

    /** A manual step advances only after a person's go. */
    private static void requireGo(RolloutPlanState current) {
        if (step(current).getManualApproval() && !current.getStepApproved()) {
            throw new CommandException(ErrorCode.INVALID_STATE, null, "step '" + step(current).getName() + "' of rollout plan '"
                    + current.getKey() + "' waits for a person's go", current.getVersion());
        }
    }

    /** A plan never moves its flags on while one of them is killed: revive it first (the kill paused the plan). */
    private static void requireFlagsLive(ReadModel model, RolloutPlanState current, String verb) {
        for (String key : current.getDefinition().getFlagKeys()) {
            FlagState flag = model.flag(current.getEnvironment(), key);
            if (flag != null && flag.getKilled()) {
                throw new CommandException(ErrorCode.INVALID_STATE, null, "flag '" + key + "' is killed; revive it before you "
                        + verb + " rollout plan '" + current.getKey() + "'", current.getVersion());
            }
        }
    }

    /**
     * Step or rollback commands must follow the plan's command ({@code PlanChangeSets} puts them
     * there); one without them (its plan was created while the request was being prepared) is
     * refused, never decided on its own.
     */
    private static void requireExpanded(Integer following, Command.OnPlan command) {
        if (following == null) {
            throw new CommandException(ErrorCode.INVALID_STATE, null, command.kind().action() + " of " + command.plan().describe()
                    + " came without the commands of its change (the plan changed while the request was prepared); retry");
        }
    }

    private static void requireStatus(RolloutPlanState current, Set<PlanStatus> allowed, String what) {
        if (!allowed.contains(current.getStatus())) {
            throw new CommandException(ErrorCode.INVALID_STATE, null, "rollout plan '" + current.getKey() + "' is "
                    + current.getStatus().name().toLowerCase(Locale.ROOT).replace('_', ' ') + " and cannot be " + what,
                    current.getVersion());
        }
    }

}
