package io.flagplane.ruleset;

import io.flagplane.evaluation.Evaluation;
import io.flagplane.evaluation.FlagView;

/**
 * One environment of a ruleset snapshot: the engine's view of its flags and segments, and the
 * usage counters held beside each flag. Every delivery layer evaluates against it and then tells
 * it what it served, so that the evaluator report can say how often each flag was used.
 */
public interface RulesetView extends FlagView {

    /**
     * Counts one evaluation of {@code flagKey} (a failed one under the variant {@code ""}).
     * Allocates nothing; does nothing for a flag the snapshot does not hold, or when usage
     * counting is off.
     */
    void count(String flagKey, Evaluation<?> result);
}
