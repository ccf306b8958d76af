package io.flagplane.projection.guardrails;

import static io.flagplane.projection.guardrails.Plans.STEP_STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.Guardrail;
import io.flagplane.avro.GuardrailKind;
import io.flagplane.avro.GuardrailReading;
import io.flagplane.avro.GuardrailVerdict;
import io.flagplane.avro.PlanStatus;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.fixtures.Events;
import io.flagplane.projection.guardrails.GuardrailStores.CellId;
import io.flagplane.projection.guardrails.GuardrailStores.Resolution;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each kind of reading's summary, word for word, from figures built by hand: what an SRE reads on the
 * event stream and in a rollback's reason. One test per format.
 */
class GuardrailSummariesTest {

    private static final long STEP = STEP_STARTED.toEpochMilli();
    private static final long NOW = STEP + Duration.ofMinutes(30).toMillis();
    private static final PrometheusReadings NO_PROMETHEUS = PrometheusReadings.direct(PrometheusReadings.NOT_CONFIGURED);

    private final Measurement.Builder figures = Measurement.builder();

    /** One fine cell of the treatment or control, a few minutes before now. */
    private GuardrailSummariesTest cell(String variant, long exposed, long firstExposed, long active, Map<String, Long> events,
                                        Map<String, Long> users) {
        long at = Resolution.FINE.bucketOf(NOW - Duration.ofMinutes(3).toMillis());
        figures.add(new CellId(Resolution.FINE, at, variant), new Cell(exposed, firstExposed, active, events, users));
        figures.add(new CellId(Resolution.COARSE, Resolution.COARSE.bucketOf(at), variant),
                new Cell(exposed, firstExposed, active, events, users));
        return this;
    }

    private static PlanContext context() {
        RolloutPlanState plan = RolloutPlanState.newBuilder()
                .setEnvironment(Plans.ENV).setKey(Plans.PLAN).setVersion(4).setStatus(PlanStatus.RUNNING)
                .setDefinition(Plans.seed001().definition()).setAuthor(Events.ALICE).setCurrentStep(1).setStepStartedAt(STEP_STARTED)
                .setCreatedAt(STEP_STARTED.minusSeconds(7_200))
                .setLastChange(new io.flagplane.avro.ChangeInfo("e", "PlanStepStarted", STEP_STARTED, Events.ALICE, null, null))
                .build();
        return PlanContext.of(plan, Plans.flagAt(5_000), NOW);
    }

    private GuardrailReading read(Guardrail guardrail) {
        return GuardrailJudge.read(guardrail, context(), figures.build(Horizons.DEFAULT, NOW), NO_PROMETHEUS);
    }

    private static Guardrail.Builder guardrail(GuardrailKind kind) {
        return Guardrail.newBuilder().setName("g").setKind(kind);
    }

    @Test
    void threshold_whose_window_reaches_before_the_step_says_since_the_step_started() {
        cell("on", 100, 100, 100, Map.of("request", 1_000L, "http_error", 72L), Map.of());

        GuardrailReading r = read(guardrail(GuardrailKind.THRESHOLD).setEventKey("http_error").setPerEventKey("request")
                .setLimit(0.05).setWindowSeconds(3_600).build());

        assertThat(r.getSummary()).isEqualTo("http_error rate 7.2 % > 5 % since the step started (30 min) on variant on");
    }

    @Test
    void threshold_per_event_breached() {
        cell("on", 100, 100, 100, Map.of("request", 1_000L, "http_error", 72L), Map.of());

        GuardrailReading r = read(guardrail(GuardrailKind.THRESHOLD).setEventKey("http_error").setPerEventKey("request")
                .setLimit(0.05).setWindowSeconds(600).build());

        assertThat(r.getVerdict()).isEqualTo(GuardrailVerdict.BREACHED);
        assertThat(r.getSummary()).isEqualTo("http_error rate 7.2 % > 5 % over 10 min on variant on");
    }

    @Test
    void threshold_per_user_healthy() {
        cell("on", 1_000, 1_000, 1_000, Map.of(), Map.of("http_error", 4L));

        GuardrailReading r = read(guardrail(GuardrailKind.THRESHOLD).setEventKey("http_error").setLimit(0.01).setWindowSeconds(600)
                .build());

        assertThat(r.getVerdict()).isEqualTo(GuardrailVerdict.HEALTHY);
        assertThat(r.getSummary()).isEqualTo("http_error rate 0.4 % of users <= 1 % over 10 min on variant on");
    }

    @Test
    void threshold_with_nothing_to_divide_by() {
        GuardrailReading r = read(guardrail(GuardrailKind.THRESHOLD).setEventKey("http_error").setPerEventKey("request")
                .setLimit(0.05).setWindowSeconds(900).build());

        assertThat(r.getVerdict()).isEqualTo(GuardrailVerdict.INSUFFICIENT);
        assertThat(r.getObserved()).isNull();
        assertThat(r.getSummary()).isEqualTo("no request events over 15 min on variant on yet");
    }

    @Test
    void regression_breached() {
        cell("on", 5_000, 5_000, 5_000, Map.of(), Map.of("http_error", 400L));
        cell("off", 5_000, 5_000, 5_000, Map.of(), Map.of("http_error", 100L));

        GuardrailReading r = read(guardrail(GuardrailKind.REGRESSION).setEventKey("http_error").setLimit(0.01).build());

        assertThat(r.getVerdict()).isEqualTo(GuardrailVerdict.BREACHED);
        assertThat(r.getSummary()).matches("http_error rate 8 % of users on variant on vs 2 % on off since step beta started: "
                + "variant on worse by [0-9.]+ to [0-9.]+ points \\(always-valid 95 % interval\\), more than the 1 point tolerated");
    }

    @Test
    void regression_with_no_variance() {
        cell("on", 500, 500, 500, Map.of(), Map.of());
        cell("off", 500, 500, 500, Map.of(), Map.of());

        GuardrailReading r = read(guardrail(GuardrailKind.REGRESSION).setEventKey("http_error").setLimit(0.005).setMinimumSample(100)
                .build());

        assertThat(r.getVerdict()).isEqualTo(GuardrailVerdict.HEALTHY);
        assertThat(r.getSummary()).isEqualTo("http_error rate 0 % of users on variant on vs 0 % on off since step beta started: "
                + "a difference of 0 points with no variance, within the 0.5 points tolerated");
    }

    @Test
    void no_traffic_breached() {
        GuardrailReading r = read(guardrail(GuardrailKind.NO_TRAFFIC).setWindowSeconds(300).build());

        assertThat(r.getVerdict()).isEqualTo(GuardrailVerdict.BREACHED);
        assertThat(r.getSummary()).isEqualTo("no exposures for 5 min");
    }

    @Test
    void no_traffic_healthy() {
        cell("on", 412, 0, 412, Map.of(), Map.of());

        GuardrailReading r = read(guardrail(GuardrailKind.NO_TRAFFIC).setWindowSeconds(300).build());

        assertThat(r.getSummary()).isEqualTo("412 users exposed over 5 min");
    }

    @Test
    void sample_ratio_mismatch() {
        cell("on", 0, 6_100, 0, Map.of(), Map.of());
        cell("off", 0, 3_900, 0, Map.of(), Map.of());

        GuardrailReading r = read(guardrail(GuardrailKind.SAMPLE_RATIO).build());

        assertThat(r.getVerdict()).isEqualTo(GuardrailVerdict.BREACHED);
        assertThat(r.getLimit()).isEqualTo(0.001);
        assertThat(r.getSummary()).isEqualTo("sample ratio mismatch: on 61 % / off 39 % expected 50 / 50 (p < 0.001)");
    }

    @Test
    void sample_ratio_healthy() {
        cell("on", 0, 502, 0, Map.of(), Map.of());
        cell("off", 0, 498, 0, Map.of(), Map.of());

        GuardrailReading r = read(guardrail(GuardrailKind.SAMPLE_RATIO).build());

        assertThat(r.getVerdict()).isEqualTo(GuardrailVerdict.HEALTHY);
        assertThat(r.getSummary()).isEqualTo("sample ratio on 50.2 % / off 49.8 % expected 50 / 50 (p = 0.9)");
    }

    @Test
    void prometheus_value() {
        GuardrailReading r = GuardrailJudge.read(guardrail(GuardrailKind.PROMETHEUS).setPrometheusUrl("http://p:9090")
                        .setQuery("job:errors:ratio5m").setLimit(0.05).setHigherIsWorse(false).build(), context(),
                figures.build(Horizons.DEFAULT, NOW),
                PrometheusReadings.direct((url, query, at) -> new PrometheusReader.Reading.Value(0.0123456, java.time.Instant.now())));

        assertThat(r.getVerdict()).isEqualTo(GuardrailVerdict.BREACHED);
        assertThat(r.getSummary()).isEqualTo("job:errors:ratio5m = 0.01235 < 0.05");
    }

    @Test
    void a_guardrail_missing_what_its_kind_needs_is_an_error_that_names_it() {
        GuardrailReading r = read(guardrail(GuardrailKind.THRESHOLD).setEventKey("http_error").build());

        assertThat(r.getVerdict()).isEqualTo(GuardrailVerdict.ERROR);
        assertThat(r.getSummary()).isEqualTo("guardrail g (THRESHOLD) cannot be read without limit");
    }

    @Test
    void variants_come_from_the_plan_or_else_from_its_flag() {
        PlanContext named = context();
        RolloutPlanState unnamed = RolloutPlanState.newBuilder(named.plan())
                .setDefinition(Plans.seed001().variants(null, null).definition()).build();

        PlanContext resolved = PlanContext.of(unnamed, Plans.flagAt(5_000), NOW);

        assertThat(List.of(named.control(), named.treatment())).containsExactly("off", "on");
        assertThat(List.of(resolved.control(), resolved.treatment())).containsExactly("off", "on");
        assertThat(PlanContext.of(unnamed, null, NOW).treatment()).isNull();
    }
}
