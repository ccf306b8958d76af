package io.flagplane.projection.guardrails;

import io.flagplane.avro.BreachAction;
import io.flagplane.avro.Exposure;
import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagSnapshot;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.Guardrail;
import io.flagplane.avro.GuardrailKind;
import io.flagplane.avro.PlanCreated;
import io.flagplane.avro.PlanPaused;
import io.flagplane.avro.PlanRolledBack;
import io.flagplane.avro.PlanStarted;
import io.flagplane.avro.PlanStep;
import io.flagplane.avro.PlanStepStarted;
import io.flagplane.avro.RollbackAction;
import io.flagplane.avro.RolloutPlanDefinition;
import io.flagplane.avro.Serve;
import io.flagplane.avro.Split;
import io.flagplane.avro.TrackingEvent;
import io.flagplane.avro.WeightedVariant;
import io.flagplane.fixtures.Events;
import io.flagplane.fixtures.States;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Fixtures for the guardrail tests: seed 001's rollout plan on {@code checkout.new_ui} (internal →
 * beta → expanded → general) with guardrails added fluently, its events as the command-service writes
 * them, and the exposures and tracked events evaluators and {@code track()} write.
 */
public final class Plans {

    public static final String ENV = "production";
    public static final String PLAN = "seed-001-rollout";
    public static final String FLAG = "checkout.new_ui";
    /** When the plan's current step (beta) started. */
    public static final Instant STEP_STARTED = Instant.parse("2026-05-04T10:00:00Z");

    static {
        io.flagplane.contract.AvroContract.trustGeneratedClasses();
    }

    private final List<Guardrail> guardrails = new ArrayList<>();
    private final List<String> flags = new ArrayList<>(List.of(FLAG));
    private String control = "off";
    private String treatment = "on";

    private Plans() {
    }

    public static Plans seed001() {
        return new Plans();
    }

    /** Seed 000's trigger: {@code eventKey} per {@code perEventKey} (null: per exposed user) above {@code limit} over {@code windowSeconds}. */
    public Plans threshold(String name, String eventKey, String perEventKey, double limit, int windowSeconds, long minimumSample) {
        guardrails.add(Guardrail.newBuilder().setName(name).setKind(GuardrailKind.THRESHOLD).setEventKey(eventKey)
                .setPerEventKey(perEventKey).setLimit(limit).setWindowSeconds(windowSeconds).setMinimumSample(minimumSample).build());
        return this;
    }

    public Plans regression(String name, String eventKey, double tolerance, long minimumSample) {
        guardrails.add(Guardrail.newBuilder().setName(name).setKind(GuardrailKind.REGRESSION).setEventKey(eventKey).setLimit(tolerance)
                .setMinimumSample(minimumSample).build());
        return this;
    }

    public Plans noTraffic(String name, int windowSeconds) {
        guardrails.add(Guardrail.newBuilder().setName(name).setKind(GuardrailKind.NO_TRAFFIC).setWindowSeconds(windowSeconds).build());
        return this;
    }

    public Plans sampleRatio(String name, long minimumSample) {
        guardrails.add(Guardrail.newBuilder().setName(name).setKind(GuardrailKind.SAMPLE_RATIO).setMinimumSample(minimumSample).build());
        return this;
    }

    public Plans prometheus(String name, String url, String query, double limit) {
        guardrails.add(Guardrail.newBuilder().setName(name).setKind(GuardrailKind.PROMETHEUS).setPrometheusUrl(url).setQuery(query)
                .setLimit(limit).setOnBreach(BreachAction.ROLLBACK).build());
        return this;
    }

    public Plans guardrail(Guardrail guardrail) {
        guardrails.add(guardrail);
        return this;
    }

    public Plans variants(String control, String treatment) {
        this.control = control;
        this.treatment = treatment;
        return this;
    }

    public Plans flags(String... keys) {
        flags.clear();
        flags.addAll(List.of(keys));
        return this;
    }

    public RolloutPlanDefinition definition() {
        return RolloutPlanDefinition.newBuilder()
                .setDescription("seed 001: internal, beta 10 %, expanded 50 %, general 100 %")
                .setFlagKeys(flags)
                .setPreset("seed-001")
                .setSteps(List.of(step("internal", 3_600), step("beta", 86_400), step("expanded", 86_400), step("general", 0)))
                .setGuardrails(guardrails)
                .setRollbackAction(RollbackAction.RESTORE)
                .setControlVariant(control)
                .setTreatmentVariant(treatment)
                .build();
    }

    private static PlanStep step(String name, long holdSeconds) {
        return PlanStep.newBuilder().setName(name).setCommandsJson("[{\"action\":\"rollout\",\"flagKey\":\"" + FLAG + "\"}]")
                .setHoldSeconds(holdSeconds).build();
    }

    /** Created, started, at step internal, then step beta started at {@link #STEP_STARTED}: versions 1 to 4. */
    public List<FlagEvent> runningAtBeta() {
        Events.Builder plan = Events.on(ENV, PLAN);
        return List.of(
                plan.version(1).at(STEP_STARTED.minusSeconds(7_200)).with(new PlanCreated(definition())),
                plan.version(2).at(STEP_STARTED.minusSeconds(3_600)).with(new PlanStarted(List.of(snapshot()))),
                plan.version(3).at(STEP_STARTED.minusSeconds(3_600)).with(new PlanStepStarted(0, List.of(snapshot()))),
                plan.version(4).at(STEP_STARTED).with(new PlanStepStarted(1, List.of(snapshot()))));
    }

    public static FlagEvent paused(long version, Instant at) {
        return Events.on(ENV, PLAN).version(version).at(at).with(new PlanPaused("paused by alice"));
    }

    public static FlagEvent rolledBack(long version, Instant at, String why) {
        return Events.on(ENV, PLAN).version(version).at(at).with(new PlanRolledBack(1, RollbackAction.RESTORE, "error-rate", why));
    }

    private static FlagSnapshot snapshot() {
        return FlagSnapshot.newBuilder().setFlagKey(FLAG).setVersion(7).setEnabled(true).setKilled(false).build();
    }

    /** The plan's flag, an enabled boolean flag whose fallthrough splits {@code onBasisPoints} on / the rest off. */
    public static FlagState flagAt(int onBasisPoints) {
        FlagDefinition definition = FlagDefinition.newBuilder(Events.booleanFlag(FLAG))
                .setFallthrough(Serve.newBuilder().setSplit(new Split(List.of(new WeightedVariant("on", onBasisPoints),
                        new WeightedVariant("off", 10_000 - onBasisPoints)), null)).build())
                .build();
        return FlagState.newBuilder(States.state(ENV, FLAG, 8, definition)).setPlan(PLAN).build();
    }

    public static Exposure exposure(String user, String variant, Instant at) {
        return Exposure.newBuilder().setEnvironment(ENV).setExperimentKey("").setFlagKey(FLAG).setFlagVersion(8).setVariant(variant)
                .setTargetingKey(user).setExposedAt(at).setNodeId("edge-1").setPlanKey(PLAN).build();
    }

    public static TrackingEvent event(String user, String eventKey, Instant at) {
        return TrackingEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setEnvironment(ENV).setEventKey(eventKey)
                .setTargetingKey(user).setOccurredAt(at).build();
    }
}
