package io.flagplane.ruleset;

import io.flagplane.evaluation.FlagView;

/**
 * One environment of a ruleset snapshot: the engine's view of its flags and segments, with the
 * usage counters held beside each flag. Every evaluation made through it is counted for the
 * evaluator report (when usage counting is on): the engine tells the view what it served
 * ({@link FlagView#evaluated}, {@link FlagView#prerequisiteEvaluated}), so no delivery layer
 * counts by hand and none can count twice.
 */
public interface RulesetView extends FlagView {
}
