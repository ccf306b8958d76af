package io.flagplane.evaluation;

/** Why an evaluation served the caller's default (OpenFeature's error codes). */
public enum ErrorCode {
    FLAG_NOT_FOUND,
    TYPE_MISMATCH,
    TARGETING_KEY_MISSING,
    PARSE_ERROR,
    INVALID_CONTEXT,
    GENERAL,
    /** The evaluator has no ruleset yet (not caught up, no snapshot): nothing it says about a flag would be true. */
    PROVIDER_NOT_READY
}
