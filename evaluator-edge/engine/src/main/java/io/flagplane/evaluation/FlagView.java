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
}
