package io.flagplane.evaluation;

/** Why an evaluation served what it served (OpenFeature's reasons). */
public enum Reason {
    /** The flag has no rules and no split: everyone gets the same variant. */
    STATIC,
    /** An allow list or a rule decided. */
    TARGETING_MATCH,
    /** A weighted split (a rollout) decided. */
    SPLIT,
    /**
     * The flag is disabled or killed, or the key is on the deny list: the off variant, or the
     * caller's default when the flag has no off variant.
     */
    DISABLED,
    /** Nothing matched: the fallthrough variant. */
    DEFAULT,
    /** The caller's default was served; {@link ErrorCode} says why. */
    ERROR
}
