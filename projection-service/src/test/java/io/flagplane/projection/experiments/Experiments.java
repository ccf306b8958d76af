package io.flagplane.projection.experiments;

import io.flagplane.avro.Experiment;
import io.flagplane.avro.ExperimentDefinition;
import io.flagplane.avro.ExperimentMetric;
import io.flagplane.avro.ExperimentStatus;
import io.flagplane.avro.Exposure;
import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.MetricKind;
import io.flagplane.avro.Serve;
import io.flagplane.avro.Split;
import io.flagplane.avro.TrackingEvent;
import io.flagplane.avro.ValueAggregation;
import io.flagplane.avro.Variant;
import io.flagplane.avro.WeightedVariant;
import io.flagplane.fixtures.States;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Fixtures for the analysis tests: seed 003's {@code pricing-display-test} on {@code pricing.display}
 * (control vs upfront-fees, 50/50) by default, with a fluent way to change metrics, arms and status,
 * and the records evaluators and {@code track()} write.
 */
public final class Experiments {

    public static final String ENV = "production";
    public static final String FLAG = "pricing.display";
    public static final String KEY = "pricing-display-test";
    public static final Instant LAUNCHED = Instant.parse("2026-03-01T12:00:00Z");
    public static final long LAUNCHED_AT_VERSION = 3;

    static {
        io.flagplane.contract.AvroContract.trustGeneratedClasses();
    }

    private String key = KEY;
    private String flag = FLAG;
    private ExperimentStatus status = ExperimentStatus.RUNNING;
    private final List<ExperimentMetric> metrics = new ArrayList<>();
    private List<WeightedVariant> arms = List.of(new WeightedVariant("control", 5_000), new WeightedVariant("upfront-fees", 5_000));
    private String control;

    private Experiments() {
    }

    /** Seed 003's experiment; add metrics with {@link #conversion} and {@link #value} (none: one conversion metric, booking_confirmed, 168 h). */
    public static Experiments pricingDisplayTest() {
        return new Experiments();
    }

    public Experiments key(String key, String flag) {
        this.key = key;
        this.flag = flag;
        return this;
    }

    public Experiments status(ExperimentStatus status) {
        this.status = status;
        return this;
    }

    public Experiments arms(WeightedVariant... arms) {
        this.arms = List.of(arms);
        return this;
    }

    public Experiments control(String control) {
        this.control = control;
        return this;
    }

    public Experiments conversion(String eventKey, int windowHours) {
        metrics.add(ExperimentMetric.newBuilder().setEventKey(eventKey).setKind(MetricKind.CONVERSION).setWindowHours(windowHours)
                .build());
        return this;
    }

    public Experiments value(String eventKey, ValueAggregation aggregation, int windowHours) {
        metrics.add(ExperimentMetric.newBuilder().setEventKey(eventKey).setKind(MetricKind.VALUE).setAggregation(aggregation)
                .setWindowHours(windowHours).build());
        return this;
    }

    public Experiments minimumSample(long users) {
        ExperimentMetric last = metrics.remove(metrics.size() - 1);
        metrics.add(ExperimentMetric.newBuilder(last).setMinimumSample(users).build());
        return this;
    }

    public Experiment experiment() {
        List<ExperimentMetric> all = metrics.isEmpty()
                ? List.of(ExperimentMetric.newBuilder().setEventKey("booking_confirmed").setKind(MetricKind.CONVERSION).build())
                : metrics;
        ExperimentDefinition definition = ExperimentDefinition.newBuilder()
                .setDescription("Test showing fees upfront vs at checkout")
                .setControlVariant(control)
                .setPrimaryMetric(all.get(0))
                .setSecondaryMetrics(all.subList(1, all.size()))
                .build();
        boolean launched = status != ExperimentStatus.DRAFT;
        return Experiment.newBuilder()
                .setKey(key)
                .setStatus(status)
                .setDefinition(definition)
                .setCreatedAt(LAUNCHED.minusSeconds(3_600))
                .setLaunchedAt(launched ? LAUNCHED : null)
                .setStoppedAt(status == ExperimentStatus.STOPPED ? LAUNCHED.plusSeconds(86_400) : null)
                .setArms(launched ? arms : List.of())
                .setLaunchedAtVersion(launched ? LAUNCHED_AT_VERSION : 0)
                .build();
    }

    /** The flag carrying the experiment, its fallthrough split over the arms. */
    public FlagState flagState() {
        List<Variant> variants = arms.stream().map(a -> new Variant(a.getVariant(), "\"" + a.getVariant() + "\"", null)).toList();
        FlagDefinition definition = FlagDefinition.newBuilder(States.booleanState(ENV, flag, 1).getDefinition())
                .setType(io.flagplane.avro.FlagType.STRING)
                .setVariants(variants)
                .setOffVariant(arms.get(0).getVariant())
                .setFallthrough(Serve.newBuilder().setSplit(new Split(arms, null)).build())
                .build();
        return FlagState.newBuilder(States.state(ENV, flag, LAUNCHED_AT_VERSION, definition))
                .setExperiments(List.of(experiment()))
                .build();
    }

    public ExperimentSpec spec() {
        return ExperimentSpec.of(ENV, flag, experiment()).orElseThrow();
    }

    public static Exposure exposure(String user, String variant, Instant at) {
        return Exposure.newBuilder().setEnvironment(ENV).setExperimentKey(KEY).setFlagKey(FLAG).setFlagVersion(LAUNCHED_AT_VERSION)
                .setVariant(variant).setTargetingKey(user).setExposedAt(at).setNodeId("edge-1").build();
    }

    public static TrackingEvent event(String user, String eventId, String eventKey, Double value, Instant at) {
        return TrackingEvent.newBuilder().setEventId(eventId).setEnvironment(ENV).setEventKey(eventKey).setTargetingKey(user)
                .setValue(value).setOccurredAt(at).build();
    }
}
