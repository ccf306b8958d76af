package io.flagplane.command.domain;

import io.flagplane.avro.ApprovalPolicy;
import io.flagplane.avro.ApprovalPolicySet;
import io.flagplane.avro.EnvironmentArchived;
import io.flagplane.avro.EnvironmentCreated;
import io.flagplane.avro.EnvironmentState;
import io.flagplane.avro.FlagState;
import java.util.List;

/**
 * Decides what an environment command becomes. Environments are declared objects: a flag or
 * segment can only be created or changed in a declared, unarchived environment, so a typo such as
 * {@code prodution} is refused instead of creating flags no evaluator serves. Pure: no I/O, no clock.
 */
public final class EnvironmentDecider {

    public static final int MAX_DESCRIPTION = 2_000;

    private EnvironmentDecider() {
    }

    public static List<Decision> decide(ReadModel model, Command command) {
        Command.OnEnvironment onEnvironment = (Command.OnEnvironment) command;
        return List.of(new Decision(onEnvironment.target(), decideEnvironment(model, onEnvironment)));
    }

    private static Object decideEnvironment(ReadModel model, Command.OnEnvironment command) {
        String name = command.environment();
        EnvironmentState current = model.environment(name);
        if (command instanceof Command.CreateEnvironment create) {
            if (current != null) {
                throw new CommandException(ErrorCode.ENVIRONMENT_ALREADY_EXISTS, "name", "environment '" + name
                        + "' is already declared" + (current.getArchived() ? " (it is archived)" : ""), current.getVersion());
            }
            if (create.description() != null && create.description().length() > MAX_DESCRIPTION) {
                throw CommandException.invalid("description", "description is longer than " + MAX_DESCRIPTION + " characters");
            }
            return new EnvironmentCreated(create.description());
        }
        if (current == null) {
            throw notFound(name);
        }
        if (command.expectedVersion() != null && command.expectedVersion() != current.getVersion()) {
            throw new CommandException(ErrorCode.VERSION_CONFLICT, "expectedVersion", "environment '" + name + "' is at version "
                    + current.getVersion() + ", not " + command.expectedVersion(), current.getVersion());
        }
        if (command instanceof Command.ArchiveEnvironment) {
            if (current.getArchived()) {
                return null;
            }
            List<String> live = model.flags(name).stream().filter(f -> !f.getArchived()).map(FlagState::getFlagKey).toList();
            if (!live.isEmpty()) {
                throw new CommandException(ErrorCode.ENVIRONMENT_IN_USE, null, "environment '" + name + "' still has "
                        + live.size() + " live flag(s); archive them first", current.getVersion(),
                        live.size() > 100 ? live.subList(0, 100) : live);
            }
            return new EnvironmentArchived();
        }
        if (command instanceof Command.SetApprovalPolicy set) {
            if (current.getArchived()) {
                throw new CommandException(ErrorCode.ENVIRONMENT_NOT_FOUND, "environment", "environment '" + name
                        + "' is archived and takes no more changes");
            }
            checkPolicy(set.policy());
            return java.util.Objects.equals(set.policy(), current.getApprovalPolicy()) ? null : new ApprovalPolicySet(set.policy());
        }
        throw new IllegalArgumentException("unknown environment command " + command);
    }

    public static final int MAX_REQUIRED_APPROVALS = 10;
    public static final int MAX_POLICY_TAGS = 50;

    /** A policy's shape; null (no policy) is fine. */
    static void checkPolicy(ApprovalPolicy policy) {
        if (policy == null) {
            return;
        }
        if (policy.getRequiredApprovals() < 1 || policy.getRequiredApprovals() > MAX_REQUIRED_APPROVALS) {
            throw CommandException.invalid("requiredApprovals", "requiredApprovals must be from 1 to " + MAX_REQUIRED_APPROVALS);
        }
        if (!policy.getApproverRole().equals("editor") && !policy.getApproverRole().equals("admin")) {
            throw CommandException.invalid("approverRole", "approverRole must be editor or admin");
        }
        if (policy.getTags().size() > MAX_POLICY_TAGS) {
            throw CommandException.invalid("tags", "a policy names at most " + MAX_POLICY_TAGS + " tags");
        }
        for (int i = 0; i < policy.getTags().size(); i++) {
            Names.checkTag(policy.getTags().get(i), "tags[" + i + "]");
        }
    }

    /**
     * Refuses a command in an environment nobody declared; an archived environment is refused
     * too unless {@code refuseArchived} is false (a kill is never refused).
     */
    static void requireDeclared(ReadModel model, String name, boolean refuseArchived) {
        EnvironmentState environment = model.environment(name);
        if (environment == null) {
            throw notFound(name);
        }
        if (refuseArchived && environment.getArchived()) {
            throw new CommandException(ErrorCode.ENVIRONMENT_NOT_FOUND, "environment", "environment '" + name
                    + "' is archived and takes no more changes");
        }
    }

    static CommandException notFound(String name) {
        return new CommandException(ErrorCode.ENVIRONMENT_NOT_FOUND, "environment", "environment '" + name
                + "' is not declared" + " (declare it with POST /api/v1/environments, or check the spelling)");
    }
}
