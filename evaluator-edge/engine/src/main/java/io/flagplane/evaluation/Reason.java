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
    /**
     * A prerequisite flag did not serve one of the variants this flag needs to this context (it
     * is killed, disabled, archived, missing, or serves another variant): the off variant, or the
     * caller's default when the flag has no off variant. Which prerequisite, and what it served,
     * is in the result's metadata ({@link Evaluation#PREREQUISITE}, {@link Evaluation#REASON_DETAIL}).
     */
    PREREQUISITE_FAILED,
    /** The caller's default was served; {@link ErrorCode} says why. */
    ERROR
}
