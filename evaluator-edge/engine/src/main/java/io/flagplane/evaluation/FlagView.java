package io.flagplane.evaluation;

/**
 * The read-only view of a ruleset the engine evaluates against: the edge node's live snapshot,
 * the SDK's snapshot, or the projection's flag as it was at an instant. Lookups must be cheap
 * and must not throw.
 */
@FunctionalInterface
public interface FlagView {

    /** The prepared flag with this key, or null. */
    Flag flag(String key);

    /** The prepared segment with this key, or null (the default: a view without segments). */
    default Segment segment(String key) {
        return null;
    }

    /**
     * Told of each prerequisite flag the engine evaluated on the way to an answer, with what it
     * served (a variant of its own: nothing for a prerequisite that was missing or could not be
     * evaluated), so a view that counts usage can count it as a use of that flag; by default
     * nothing. Called on the evaluating thread; must not throw and should not allocate.
     */
    default void prerequisiteEvaluated(String flagKey, Evaluation<?> served) {
    }

    /**
     * Told of each flag {@link Evaluator#evaluate} found (archived too), with the result it returns
     * (an error, too), so a view that counts usage can count it with the flag in hand; by default
     * nothing. Not called for a key the view does not hold. Called on the evaluating thread; must
     * not throw and should not allocate.
     */
    default void evaluated(Flag flag, Evaluation<?> result) {
    }
}
