package io.flagplane.command.domain;

/**
 * Machine-readable reasons a command is refused. Stable: clients switch on them. The HTTP
 * layer maps each to one status in one place.
 */
public enum ErrorCode {
    /** The request body is not JSON, or not the JSON object the endpoint takes. */
    MALFORMED_REQUEST,
    /** A field is missing or has a value that is not allowed; {@code field} says which. */
    INVALID_FIELD,
    /** The flag key is not dot notation. */
    INVALID_FLAG_KEY,
    /** The environment name is not allowed. */
    INVALID_ENVIRONMENT,
    /** The environment was never declared, or is archived. */
    ENVIRONMENT_NOT_FOUND,
    /** An environment with this name is already declared. */
    ENVIRONMENT_ALREADY_EXISTS,
    /** The environment cannot be archived: live flags are in it (they are listed). */
    ENVIRONMENT_IN_USE,
    /** No such flag in the environment. */
    FLAG_NOT_FOUND,
    /** A flag with this key already exists in the environment. */
    FLAG_ALREADY_EXISTS,
    /** No such segment in the environment. */
    SEGMENT_NOT_FOUND,
    /** A segment with this key already exists in the environment. */
    SEGMENT_ALREADY_EXISTS,
    /** The segment cannot be archived: live flags name it (they are listed). */
    SEGMENT_IN_USE,
    /** A prerequisite names a flag that does not exist in the environment, or is archived; {@code field} says which. */
    PREREQUISITE_NOT_FOUND,
    /** The prerequisites would close a cycle; the message names it ({@code a -> b -> a}) and {@code details} lists it. */
    PREREQUISITE_CYCLE,
    /**
     * Live flags name this flag as a prerequisite (they are listed): it cannot be archived, nor lose
     * a variant they need, until their prerequisites change.
     */
    FLAG_HAS_DEPENDANTS,
    /** No live flag carries the tag asked for. */
    NO_MATCHING_FLAGS,
    /** The command's expected version is not the current version. */
    VERSION_CONFLICT,
    /** The command cannot apply to the flag or segment as it is (e.g. changing an archived flag). */
    INVALID_STATE,
    /** The flag or segment is protected by the environment's approval policy: open a change request instead. */
    CHANGE_REQUEST_REQUIRED,
    /** No such change request in the environment. */
    CHANGE_REQUEST_NOT_FOUND,
    /** This person may not approve this request (its author, a service token, or a role below the policy's). */
    APPROVAL_NOT_ALLOWED,
    /** A flag or segment the request touches moved since it was drafted; edit the request (it lists what moved). */
    REBASE_REQUIRED,
    /** No such scheduled change in the environment. */
    SCHEDULE_NOT_FOUND,
    /**
     * A flag or segment a scheduled change touches moved since it was scheduled, and the change did
     * not say to apply anyway ({@code applyIfMoved}); it lists what moved. The change failed, visibly.
     */
    MOVED_SINCE_SCHEDULED,
    /** No such experiment in the environment. */
    EXPERIMENT_NOT_FOUND,
    /** An experiment with this key already exists in the environment (on any flag, archived ones included). */
    EXPERIMENT_ALREADY_EXISTS,
    /** The experiment is not a draft (it was launched): only a draft's definition can change. */
    EXPERIMENT_NOT_DRAFT,
    /** The experiment is a draft: it must be launched before it can be paused, resumed or stopped. */
    EXPERIMENT_NOT_RUNNING,
    /** The experiment is stopped, which is final: it cannot be launched, paused, resumed or edited again. */
    EXPERIMENT_STOPPED,
    /** Another experiment of the flag is running or paused; a flag runs one at a time (it is named). */
    EXPERIMENT_ALREADY_RUNNING,
    /**
     * The change would alter the arms or weights of a running or paused experiment's split, or archive
     * its flag (the experiment is named); stop the experiment first. A kill is never refused.
     */
    EXPERIMENT_RUNNING,
    /** The split an experiment measures is missing, is not a split of two or more variants, or lacks the control variant. */
    EXPERIMENT_SPLIT_INVALID,
    /** No such rollout plan in the environment. */
    PLAN_NOT_FOUND,
    /** A rollout plan with this key already exists in the environment. */
    PLAN_ALREADY_EXISTS,
    /** Another rollout plan is running (or paused) on one of the flags; a flag is under one plan at a time (it is named). */
    PLAN_ALREADY_RUNNING,
    /** Missing or unknown credentials. */
    UNAUTHENTICATED,
    /** The credentials do not grant this. */
    FORBIDDEN,
    /** No such route. */
    NOT_FOUND,
    /** This instance has been replaced by a newer one and no longer writes. */
    WRITER_FENCED,
    /**
     * This instance is a standby: another instance is the active writer (or none is elected yet).
     * Retry against the active one (its {@code /health/ready} answers 200).
     */
    WRITER_STANDBY,
    /** Kafka did not confirm in time; nothing is known to be written. Retry with the same Idempotency-Key. */
    UNAVAILABLE,
    /** The service is not ready to write yet (still reading the event log). */
    NOT_READY,
    /** The Idempotency-Key was used before by this caller for a different request. */
    IDEMPOTENCY_KEY_REUSED,
    /** The request body is larger than the service takes. */
    BODY_TOO_LARGE,
    /** Something failed that should not have; the message carries an id that is in the service's log. Not worth retrying. */
    INTERNAL
}
