package io.flagplane.projection.query;

/**
 * Why the projection refuses a query. Stable: clients switch on them. The HTTP layer gives each
 * its one status in one place ({@code ProjectionErrors}).
 */
public enum QueryErrorCode {
    /** A query parameter or header has a value that is not allowed; {@code field} names it. */
    INVALID_PARAMETER,
    /** The request body is not the JSON the route takes. */
    MALFORMED_REQUEST,
    /** The environment name is not one the command-service would accept. */
    INVALID_ENVIRONMENT,
    /** The flag key is not dot notation. */
    INVALID_FLAG_KEY,
    /** The segment key is not one the command-service would accept. */
    INVALID_SEGMENT_KEY,
    /** The experiment key is not one the command-service would accept. */
    INVALID_EXPERIMENT_KEY,
    /** The rollout plan key is not one the command-service would accept. */
    INVALID_PLAN_KEY,
    /**
     * An evaluation asked about an instant still to come: the projection knows only what has been
     * written, not what scheduled changes and plan steps will do by then. The command-service's
     * preview answers that question.
     */
    AS_OF_IN_FUTURE,
    /** The evaluation context is not an object of attributes with a string targeting key. */
    INVALID_CONTEXT,
    /** Missing or unknown credentials. */
    UNAUTHENTICATED,
    /** The credentials do not grant reading this environment. */
    FORBIDDEN,
    /** No such flag (now, or at the instant asked for). */
    FLAG_NOT_FOUND,
    /** No such segment (now, or at the instant asked for). */
    SEGMENT_NOT_FOUND,
    /** No launched or drafted experiment with that key in the environment. */
    EXPERIMENT_NOT_FOUND,
    /** No rollout plan with that key in the environment. */
    PLAN_NOT_FOUND,
    /** The flag or segment has no such version. */
    VERSION_NOT_FOUND,
    /** The answer cannot be given right now (starting, rebalancing, another instance away); retry. */
    UNAVAILABLE
}
