package io.flagplane.command.domain;

import io.flagplane.auth.Role;
import io.flagplane.avro.ActorKind;
import io.flagplane.avro.Approval;
import io.flagplane.avro.ApprovalPolicy;
import io.flagplane.avro.ChangeRequestApplied;
import io.flagplane.avro.ChangeRequestApproved;
import io.flagplane.avro.ChangeRequestCancelled;
import io.flagplane.avro.ChangeRequestCommented;
import io.flagplane.avro.ChangeRequestContent;
import io.flagplane.avro.ChangeRequestEdited;
import io.flagplane.avro.ChangeRequestOpened;
import io.flagplane.avro.ChangeRequestRejected;
import io.flagplane.avro.ChangeRequestScheduled;
import io.flagplane.avro.ChangeRequestState;
import io.flagplane.avro.ChangeRequestStatus;
import io.flagplane.avro.ChangeRequestSubmitted;
import io.flagplane.avro.EnvironmentState;
import io.flagplane.contract.ChangeRequestRef;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Decides what a change-request command becomes: the four-eyes rules live here. Its author can
 * never approve it, a service token never approves anything, an approver needs the policy's role,
 * the same person approving twice counts once, an edit revokes every approval (the fold clears
 * them), and applying refuses with {@code REBASE_REQUIRED} when anything the request touches moved
 * since it was drafted. Pure: no I/O, no clock (a scheduled request's time is the scheduler's
 * business).
 *
 * <p>Applying writes {@code ChangeRequestApplied} here; the request's own commands follow it in
 * the same change set (built by the caller) and are decided by their own kinds' deciders, against
 * the state as it is then, so an apply is one transaction and a refusal of any of them refuses
 * all of it.
 */
public final class ChangeRequestDecider {

    public static final int MAX_TITLE = 200;
    public static final int MAX_DESCRIPTION = 4_000;
    public static final int MAX_COMMENT = 2_000;
    public static final int MAX_COMMENTS = 500;
    public static final int MAX_COMMANDS = 500;
    /** What approvals are asked for where an environment has no policy (a request may still be used there). */
    static final ApprovalPolicy NO_POLICY = ApprovalPolicy.newBuilder().build();

    private static final Set<ChangeRequestStatus> OPEN = EnumSet.of(ChangeRequestStatus.DRAFT, ChangeRequestStatus.IN_REVIEW,
            ChangeRequestStatus.APPROVED);

    private ChangeRequestDecider() {
    }

    /** Shapes and sizes, before any state is looked at. */
    static void precheck(Command.OnChangeRequest command) {
        if (command instanceof Command.OpenChangeRequest open) {
            checkContent(open.request(), open.title(), open.description(), open.commands());
        } else if (command instanceof Command.EditChangeRequest edit) {
            checkContent(edit.request(), edit.title(), edit.description(), edit.commands());
        } else if (command instanceof Command.ReviewChangeRequest review) {
            if (review.comment() != null && review.comment().length() > MAX_COMMENT) {
                throw CommandException.invalid("comment", "comment is longer than " + MAX_COMMENT + " characters");
            }
            if (review.kind() == Command.Kind.COMMENT_CHANGE_REQUEST && (review.comment() == null || review.comment().isBlank())) {
                throw CommandException.invalid("comment", "a comment needs some text");
            }
            if (review.kind() == Command.Kind.SCHEDULE_CHANGE_REQUEST && review.applyAt() == null) {
                throw CommandException.invalid("applyAt", "scheduling needs applyAt, an instant such as 2026-12-01T09:00:00Z");
            }
        }
    }

    private static void checkContent(ChangeRequestRef request, String title, String description, List<Command> commands) {
        if (title == null || title.isBlank() || title.length() > MAX_TITLE) {
            throw CommandException.invalid("title", "title is 1 to " + MAX_TITLE + " characters");
        }
        if (description == null || description.isBlank() || description.length() > MAX_DESCRIPTION) {
            throw CommandException.invalid("reason", "reason (why this change) is 1 to " + MAX_DESCRIPTION + " characters");
        }
        if (commands.isEmpty() || commands.size() > MAX_COMMANDS) {
            throw CommandException.invalid("commands", "a change request holds 1 to " + MAX_COMMANDS + " commands");
        }
        for (int i = 0; i < commands.size(); i++) {
            Command inner = commands.get(i);
            if (!(inner instanceof Command.OnFlag || inner instanceof Command.OnSegment || inner instanceof Command.KillByTag
                    || inner instanceof Command.OnExperiment || inner instanceof Command.OnPlan)) {
                throw CommandException.invalid("commands[" + i + "].action", "a change request holds flag, experiment, segment"
                        + " and rollout-plan commands");
            }
            if (!inner.environment().equals(request.environment())) {
                throw CommandException.invalid("commands[" + i + "].environment", "a change request in '" + request.environment()
                        + "' changes only that environment (this command is for '" + inner.environment() + "')");
            }
            try {
                Aggregates.precheck(inner);
            } catch (CommandException e) {
                throw e.under("commands[" + i + "]");
            }
        }
    }

    static List<Decision> decide(ReadModel model, Command.OnChangeRequest command) {
        EnvironmentDecider.requireDeclared(model, command.environment(), true);
        return List.of(new Decision(command.request(), decideRequest(model, command)));
    }

    private static Object decideRequest(ReadModel model, Command.OnChangeRequest command) {
        ChangeRequestState current = (ChangeRequestState) model.state(command.request());
        if (command instanceof Command.OpenChangeRequest open) {
            if (current != null) {
                throw new CommandException(ErrorCode.INVALID_STATE, "id", "change request '" + open.request().id()
                        + "' already exists", current.getVersion());
            }
            return new ChangeRequestOpened(content(model, open.title(), open.description(), open.commandsJson(), open.commands()),
                    open.submit());
        }
        if (current == null) {
            throw new CommandException(ErrorCode.CHANGE_REQUEST_NOT_FOUND, null, command.request().describe() + " does not exist");
        }
        command.requireVersion(current.getVersion(), command.request());
        if (command instanceof Command.EditChangeRequest edit) {
            requireStatus(current, OPEN, "edited");
            return new ChangeRequestEdited(content(model, edit.title(), edit.description(), edit.commandsJson(), edit.commands()));
        }
        Command.ReviewChangeRequest review = (Command.ReviewChangeRequest) command;
        return switch (review.kind()) {
            case SUBMIT_CHANGE_REQUEST -> {
                requireStatus(current, EnumSet.of(ChangeRequestStatus.DRAFT), "submitted for review");
                yield new ChangeRequestSubmitted();
            }
            case APPROVE_CHANGE_REQUEST -> approve(model, current, review);
            case REJECT_CHANGE_REQUEST -> {
                requireStatus(current, EnumSet.of(ChangeRequestStatus.IN_REVIEW, ChangeRequestStatus.APPROVED), "rejected");
                requireApprover(model, current, review, "reject");
                yield new ChangeRequestRejected(review.comment());
            }
            case COMMENT_CHANGE_REQUEST -> {
                if (current.getComments().size() >= MAX_COMMENTS) {
                    throw new CommandException(ErrorCode.INVALID_STATE, null, "change request '" + current.getId()
                            + "' has " + MAX_COMMENTS + " comments, the most it keeps", current.getVersion());
                }
                yield new ChangeRequestCommented(review.comment());
            }
            case CANCEL_CHANGE_REQUEST -> {
                requireStatus(current, EnumSet.of(ChangeRequestStatus.DRAFT, ChangeRequestStatus.IN_REVIEW,
                        ChangeRequestStatus.APPROVED, ChangeRequestStatus.SCHEDULED), "cancelled");
                if (!review.by().getId().equals(current.getAuthor().getId()) && review.role() != Role.ADMIN) {
                    throw new CommandException(ErrorCode.APPROVAL_NOT_ALLOWED, null, "only its author or an admin may cancel"
                            + " change request '" + current.getId() + "'");
                }
                yield new ChangeRequestCancelled();
            }
            case SCHEDULE_CHANGE_REQUEST -> {
                requireStatus(current, EnumSet.of(ChangeRequestStatus.APPROVED), "scheduled");
                yield new ChangeRequestScheduled(review.applyAt());
            }
            case APPLY_CHANGE_REQUEST -> {
                requireStatus(current, EnumSet.of(ChangeRequestStatus.APPROVED, ChangeRequestStatus.SCHEDULED), "applied");
                requireUnmoved(model, current);
                yield new ChangeRequestApplied(null);
            }
            default -> throw new IllegalArgumentException("not a review step: " + review.kind());
        };
    }

    private static Object approve(ReadModel model, ChangeRequestState current, Command.ReviewChangeRequest review) {
        requireStatus(current, EnumSet.of(ChangeRequestStatus.IN_REVIEW, ChangeRequestStatus.APPROVED), "approved");
        requireApprover(model, current, review, "approve");
        List<String> approvers = new ArrayList<>();
        for (Approval approval : current.getApprovals()) {
            approvers.add(approval.getApprover().getId());
        }
        if (approvers.contains(review.by().getId())) {
            return null;   // the same person approving twice counts once
        }
        boolean complete = approvers.size() + 1 >= policy(model, current.getEnvironment()).getRequiredApprovals();
        return new ChangeRequestApproved(review.comment(), complete);
    }

    /** Who may approve (or reject): a person, not the author, with the policy's role. */
    private static void requireApprover(ReadModel model, ChangeRequestState current, Command.ReviewChangeRequest review, String verb) {
        if (review.by().getKind() != ActorKind.USER) {
            throw new CommandException(ErrorCode.APPROVAL_NOT_ALLOWED, null, "a service token can never " + verb
                    + " a change request; a person must");
        }
        if (review.by().getId().equals(current.getAuthor().getId())) {
            throw new CommandException(ErrorCode.APPROVAL_NOT_ALLOWED, null, "'" + review.by().getId() + "' opened change request '"
                    + current.getId() + "' and cannot " + verb + " it; another person must");
        }
        String needed = policy(model, current.getEnvironment()).getApproverRole();
        Role neededRole = Role.parse(needed).orElse(Role.ADMIN);
        if (review.role() == null || !review.role().includes(neededRole)) {
            throw new CommandException(ErrorCode.APPROVAL_NOT_ALLOWED, null, "to " + verb + " change requests in environment '"
                    + current.getEnvironment() + "' needs the " + needed + " role");
        }
    }

    static ApprovalPolicy policy(ReadModel model, String environment) {
        EnvironmentState state = model.environment(environment);
        return state == null || state.getApprovalPolicy() == null ? NO_POLICY : state.getApprovalPolicy();
    }

    private static void requireStatus(ChangeRequestState current, Set<ChangeRequestStatus> allowed, String what) {
        if (!allowed.contains(current.getStatus())) {
            throw new CommandException(ErrorCode.INVALID_STATE, null, "change request '" + current.getId() + "' is "
                    + current.getStatus().name().toLowerCase(Locale.ROOT).replace('_', ' ') + " and cannot be " + what,
                    current.getVersion());
        }
    }

    /** Refuses with REBASE_REQUIRED, listing each flag or segment whose version is not the one drafted against. */
    private static void requireUnmoved(ReadModel model, ChangeRequestState current) {
        List<String> moved = Drafted.moved(model, current.getEnvironment(), current.getContent().getDraftedAgainst()).stream()
                .map(m -> m.key() + ": drafted at version " + m.drafted() + ", now at " + m.now()).toList();
        if (!moved.isEmpty()) {
            throw new CommandException(ErrorCode.REBASE_REQUIRED, null, "change request '" + current.getId() + "' was drafted against"
                    + " versions that have moved (" + moved.size() + "); edit it against the current state and have it approved again",
                    current.getVersion(), moved);
        }
    }

    private static ChangeRequestContent content(ReadModel model, String title, String description, String commandsJson,
                                                List<Command> commands) {
        return new ChangeRequestContent(title, description, commandsJson, Drafted.against(model, commands));
    }
}
