package io.flagplane.projection.telemetry;

/**
 * One evaluator serving an environment and how it stands on one flag version, as the instance
 * holding its reports sees it: {@code progress} is null when it has not applied that version.
 * What instances exchange to answer a propagation question together.
 */
public record NodeShare(EvaluatorEntry node, AppliedVersions.Progress progress) {
}
