package io.flagplane.command.http;

import io.flagplane.auth.Principal;
import io.flagplane.auth.Role;
import io.flagplane.avro.ApprovalPolicy;
import io.flagplane.avro.EnvironmentState;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.domain.ExperimentRules;
import io.flagplane.command.domain.ReadModel;
import io.flagplane.contract.FlagRef;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The approval policy at the door of the direct routes: a change to a protected scope is refused
 * with {@code CHANGE_REQUEST_REQUIRED} (and a sentence saying how to open one), unless an admin
 * may bypass, in which case the change goes through and its events say so ({@code policyBypassed}).
 *
 * <p>Never blocked: a kill and a kill by tag (stopping harm must not wait for a second person).
 * Blocked like any change: revive, since it re-exposes what someone stopped on purpose; and every
 * experiment command, which changes the flag it runs on (what it serves, at launch or at a stop
 * with a winner) — a kill still stops a running experiment's harm at once. A request's
 * own commands, applied after its approvals, do not pass through here. Drafting, editing and
 * starting a rollout plan on a protected flag are protected too; once a plan started (through an
 * approved request), its steps are the release controller's and pass through here no more.
 *
 * <p>This is a check of who may do what, like the role checks beside it, so it sits with them at
 * the HTTP edge rather than in the deciders; the deciders stay about what a change does.
 */
final class ApprovalGate {

    private ApprovalGate() {
    }

    /**
     * @return whether the commands pass only because an admin bypasses the policy
     * @throws CommandException {@code CHANGE_REQUEST_REQUIRED} when a command touches a protected scope
     */
    static boolean check(ReadModel model, Principal principal, List<Command> commands) {
        boolean bypassed = false;
        for (Command command : commands) {
            if (command.kind() == Command.Kind.KILL || command.kind() == Command.Kind.KILL_BY_TAG) {
                continue;
            }
            EnvironmentState environment = model.environment(command.environment());
            ApprovalPolicy policy = environment == null ? null : environment.getApprovalPolicy();
            if (policy == null || !inScope(model, policy, command)) {
                continue;
            }
            if (policy.getAdminBypass() && principal.may(Role.ADMIN, command.environment())) {
                bypassed = true;
                continue;
            }
            String env = command.environment();
            throw new CommandException(ErrorCode.CHANGE_REQUEST_REQUIRED, null, what(command) + " in environment '" + env
                    + "' is protected by its approval policy (" + policy.getRequiredApprovals() + " approval(s) by "
                    + policy.getApproverRole() + "s); open a change request: POST /api/v1/environments/" + env
                    + "/change-requests with {\"title\": …, \"reason\": …, \"commands\": [ … ]}");
        }
        return bypassed;
    }

    /**
     * For commands held to apply later, when nobody is there to answer for them (a scheduled change,
     * when it is created and again when it applies): a command in a protected scope is refused with
     * {@code CHANGE_REQUEST_REQUIRED}, admins included (their bypass is for a change they make now,
     * and is recorded on it); a kill still passes. The way in is a change request, approved, then
     * scheduled with {@code applyAt}.
     */
    static void checkHeld(ReadModel model, List<Command> commands) {
        for (Command command : commands) {
            if (command.kind() == Command.Kind.KILL || command.kind() == Command.Kind.KILL_BY_TAG) {
                continue;
            }
            EnvironmentState environment = model.environment(command.environment());
            ApprovalPolicy policy = environment == null ? null : environment.getApprovalPolicy();
            if (policy != null && inScope(model, policy, command)) {
                String env = command.environment();
                throw new CommandException(ErrorCode.CHANGE_REQUEST_REQUIRED, null, what(command) + " in environment '" + env
                        + "' is protected by its approval policy (" + policy.getRequiredApprovals() + " approval(s) by "
                        + policy.getApproverRole() + "s), so a change to it is not scheduled directly: open a change request"
                        + " (POST /api/v1/environments/" + env + "/change-requests with {\"title\": …, \"reason\": …,"
                        + " \"commands\": [ … ]}) and, once approved, schedule it (POST …/change-requests/{id}/schedule with"
                        + " {\"applyAt\": …})");
            }
        }
    }

    private static boolean inScope(ReadModel model, ApprovalPolicy policy, Command command) {
        if (command instanceof Command.OnPlan plan) {
            return planInScope(model, policy, plan);
        }
        if (!(command instanceof Command.OnFlag) && !(command instanceof Command.OnSegment)
                && !(command instanceof Command.OnExperiment)) {
            return false;
        }
        if (policy.getTags().isEmpty()) {
            return true;
        }
        if (command instanceof Command.OnSegment) {
            return false;   // segments carry no tags: a tag-scoped policy protects flags only
        }
        // an experiment is a change to the flag it runs on, protected by that flag's tags
        FlagRef flag = command instanceof Command.OnFlag onFlag ? onFlag.flag()
                : ExperimentRules.flagOf(model, (Command.OnExperiment) command);
        Set<String> tags = new HashSet<>();
        FlagState current = flag == null ? null : model.flag(flag.environment(), flag.key());
        if (current != null) {
            tags.addAll(current.getDefinition().getTags());
        }
        if (command instanceof Command.CreateExperiment create && create.newFlag() != null) {
            tags.addAll(create.newFlag().getTags());
        }
        if (command instanceof Command.CreateFlag create) {
            tags.addAll(create.definition().getTags());
        } else if (command instanceof Command.ReplaceDefinition replace) {
            tags.addAll(replace.definition().getTags());
        } else if (command instanceof Command.SetMetadata metadata && metadata.tags() != null) {
            tags.addAll(metadata.tags());
        }
        return policy.getTags().stream().anyMatch(tags::contains);
    }

    /**
     * Drafting, editing or starting a plan on a protected flag (any of its flags) is a protected change:
     * the plan will change those flags by itself. Pausing, resuming, approving a step, rolling back and
     * cancelling are not: they stop or hold what an approved plan does, or let it go on as approved.
     */
    private static boolean planInScope(ReadModel model, ApprovalPolicy policy, Command.OnPlan command) {
        List<String> flags;
        if (command instanceof Command.CreatePlan create) {
            flags = create.definition().getFlagKeys();
        } else if (command instanceof Command.UpdatePlan update) {
            flags = update.definition().getFlagKeys();
        } else if (command instanceof Command.StartPlan start
                && model.state(start.plan()) instanceof RolloutPlanState state) {
            flags = state.getDefinition().getFlagKeys();
        } else {
            return false;
        }
        if (policy.getTags().isEmpty()) {
            return true;
        }
        for (String key : flags) {
            FlagState flag = model.flag(command.environment(), key);
            if (flag != null && policy.getTags().stream().anyMatch(flag.getDefinition().getTags()::contains)) {
                return true;
            }
        }
        return false;
    }

    private static String what(Command command) {
        if (command instanceof Command.OnPlan plan) {
            return "rollout plan '" + plan.plan().key() + "'";
        }
        if (command instanceof Command.OnFlag onFlag) {
            return "flag '" + onFlag.flag().key() + "'";
        }
        if (command instanceof Command.OnExperiment experiment) {
            return "experiment '" + experiment.experimentKey() + "'";
        }
        return "segment '" + ((Command.OnSegment) command).segment().key() + "'";
    }
}
