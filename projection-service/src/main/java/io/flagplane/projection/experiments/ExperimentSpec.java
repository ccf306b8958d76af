package io.flagplane.projection.experiments;

import io.flagplane.avro.Experiment;
import io.flagplane.avro.ExperimentMetric;
import io.flagplane.avro.ExperimentStatus;
import io.flagplane.avro.MetricKind;
import io.flagplane.avro.ValueAggregation;
import io.flagplane.avro.WeightedVariant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the analysis needs to know about a launched experiment, taken from the contract's
 * {@code Experiment} once at the edge: its metrics (primary first), arms and weights, and control.
 * Everything here is fixed from launch on (the deciders refuse edits outside DRAFT), so a spec read
 * once can be kept: the fold's answers do not depend on when it was read.
 *
 * @param launchedAtVersion exposures served by an older flag version belong to no run of it
 */
public record ExperimentSpec(String environment, String key, String flagKey, List<Metric> metrics, List<Arm> arms,
                             String control, long launchedAtVersion) {

    /** Seed 003's default: no verdict before 100 users in every arm, unless the metric says otherwise. */
    public static final long DEFAULT_MINIMUM_SAMPLE = 100;

    public enum Kind { CONVERSION, VALUE }

    public enum Aggregation { SUM, MEAN }

    /** One metric: a tracked event key, read inside {@code windowMs} after a user's first exposure. */
    public record Metric(String eventKey, Kind kind, Aggregation aggregation, long windowMs, long minimumSample) {
        public String wireKind() {
            return kind == Kind.CONVERSION ? "conversion" : aggregation == Aggregation.SUM ? "value_sum" : "value_mean";
        }
    }

    /** An arm and its weight in basis points. */
    public record Arm(String variant, int weight) {
    }

    public ExperimentSpec {
        metrics = List.copyOf(metrics);
        arms = List.copyOf(arms);
    }

    /** The spec of a launched experiment (RUNNING, PAUSED or STOPPED); empty for a DRAFT (it has no arms yet). */
    public static Optional<ExperimentSpec> of(String environment, String flagKey, Experiment experiment) {
        if (experiment.getStatus() == ExperimentStatus.DRAFT || experiment.getArms().isEmpty()) {
            return Optional.empty();
        }
        List<Metric> metrics = new ArrayList<>();
        metrics.add(metric(experiment.getDefinition().getPrimaryMetric()));
        experiment.getDefinition().getSecondaryMetrics().forEach(m -> metrics.add(metric(m)));
        List<Arm> arms = new ArrayList<>();
        for (WeightedVariant arm : experiment.getArms()) {
            arms.add(new Arm(arm.getVariant(), arm.getWeight()));
        }
        String named = experiment.getDefinition().getControlVariant();
        String control = named != null && arms.stream().anyMatch(a -> a.variant().equals(named)) ? named : arms.get(0).variant();
        return Optional.of(new ExperimentSpec(environment, experiment.getKey(), flagKey, metrics, arms, control,
                experiment.getLaunchedAtVersion()));
    }

    private static Metric metric(ExperimentMetric m) {
        Kind kind = m.getKind() == MetricKind.VALUE ? Kind.VALUE : Kind.CONVERSION;
        Aggregation aggregation = m.getAggregation() == ValueAggregation.MEAN ? Aggregation.MEAN : Aggregation.SUM;
        long minimum = m.getMinimumSample() == null ? DEFAULT_MINIMUM_SAMPLE : Math.max(0, m.getMinimumSample());
        return new Metric(m.getEventKey(), kind, aggregation, Math.max(0, m.getWindowHours()) * 3_600_000L, minimum);
    }

    public boolean hasArm(String variant) {
        for (Arm arm : arms) {
            if (arm.variant().equals(variant)) {
                return true;
            }
        }
        return false;
    }

    /** Whether any metric reads this tracked event key. */
    public boolean reads(String eventKey) {
        for (Metric metric : metrics) {
            if (metric.eventKey().equals(eventKey)) {
                return true;
            }
        }
        return false;
    }

    /** The longest attribution window: after it (and the grace period) a user's contribution is final. */
    public long longestWindowMs() {
        long longest = 0;
        for (Metric metric : metrics) {
            longest = Math.max(longest, metric.windowMs());
        }
        return longest;
    }
}
