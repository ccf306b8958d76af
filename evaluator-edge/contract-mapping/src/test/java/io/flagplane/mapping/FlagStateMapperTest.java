package io.flagplane.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flagplane.avro.Experiment;
import io.flagplane.avro.ExperimentDefinition;
import io.flagplane.avro.ExperimentMetric;
import io.flagplane.avro.ExperimentStatus;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.MetricKind;
import io.flagplane.avro.FlagType;
import io.flagplane.avro.Target;
import io.flagplane.avro.Variant;
import io.flagplane.evaluation.EvaluationContext;
import io.flagplane.evaluation.Evaluator;
import io.flagplane.evaluation.Flag;
import io.flagplane.evaluation.Reason;
import io.flagplane.fixtures.States;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FlagStateMapperTest {

    @Test
    void a_boolean_state_becomes_an_evaluable_flag() {
        FlagState state = States.booleanState("production", "checkout.new_ui", 3);

        Flag flag = FlagStateMapper.toFlag(state);

        assertThat(flag.key()).isEqualTo("checkout.new_ui");
        assertThat(flag.version()).isEqualTo(3);
        var result = Evaluator.evaluate(k -> flag, "checkout.new_ui", io.flagplane.evaluation.FlagType.BOOLEAN, false,
                EvaluationContext.of("u1"));
        assertThat(result.value()).isTrue();
        assertThat(result.reason()).isEqualTo(Reason.STATIC);
    }

    @Test
    void prerequisites_and_the_running_plan_are_carried_over() {
        FlagState engine = States.booleanState("production", "charges.engine", 2);
        engine.setKilled(true);
        FlagState ui = States.booleanState("production", "charges.ui", 5);
        ui.getDefinition().setPrerequisites(List.of(new io.flagplane.avro.Prerequisite("charges.engine", List.of("on"))));
        ui.setPlan("charges-phases");
        Flag engineFlag = FlagStateMapper.toFlag(engine);
        Flag uiFlag = FlagStateMapper.toFlag(ui);
        Map<String, Flag> flags = Map.of("charges.engine", engineFlag, "charges.ui", uiFlag);

        var result = Evaluator.evaluate(flags::get, "charges.ui", null, null, EvaluationContext.of("u1"));

        assertThat(uiFlag.prerequisiteKeys()).containsExactly("charges.engine");
        assertThat(uiFlag.prerequisiteVariants(0)).containsExactly("on");
        assertThat(uiFlag.plan()).isEqualTo("charges-phases");
        assertThat(result.reason()).isEqualTo(Reason.PREREQUISITE_FAILED);
        assertThat(result.variant()).isEqualTo("off");
        assertThat(result.plan()).isEqualTo("charges-phases");
        assertThat(FlagStateMapper.toFlag(engine).plan()).isNull();
    }

    @Test
    void lists_are_carried_over() {
        FlagState state = States.booleanState("production", "a.b", 2);
        state.getDefinition().setAllowList(List.of(new Target("on", List.of("beta-1"))));
        state.getDefinition().setDenyList(List.of("blocked"));
        state.getDefinition().setFallthrough(io.flagplane.avro.Serve.newBuilder().setVariant("off").build());

        Flag flag = FlagStateMapper.toFlag(state);

        assertThat(Evaluator.evaluate(k -> flag, "a.b", null, null, EvaluationContext.of("beta-1")).value()).isEqualTo(true);
        assertThat(Evaluator.evaluate(k -> flag, "a.b", null, null, EvaluationContext.of("blocked")).reason())
                .isEqualTo(Reason.DISABLED);
    }

    @Test
    void rules_and_splits_are_carried_over() {
        FlagState state = States.booleanState("production", "checkout.new_ui", 4);
        var split = new io.flagplane.avro.Split(List.of(new io.flagplane.avro.WeightedVariant("on", 2_000),
                new io.flagplane.avro.WeightedVariant("off", 8_000)), null);
        state.getDefinition().setRules(List.of(new io.flagplane.avro.Rule("cohort", null,
                List.of(new io.flagplane.avro.Condition("role", "in", List.of("ADMIN"))),
                io.flagplane.avro.Serve.newBuilder().setSplit(split).build())));
        state.getDefinition().setFallthrough(io.flagplane.avro.Serve.newBuilder().setVariant("off").build());

        Flag flag = FlagStateMapper.toFlag(state);

        var admin = EvaluationContext.of("user-1", Map.of("role", "ADMIN"));
        assertThat(Evaluator.evaluate(k -> flag, "checkout.new_ui", null, null, admin).reason()).isEqualTo(Reason.SPLIT);
        assertThat(Evaluator.evaluate(k -> flag, "checkout.new_ui", null, null, EvaluationContext.of("user-1")).reason())
                .isEqualTo(Reason.DEFAULT);
    }

    @Test
    void json_and_number_values_are_parsed() {
        FlagState state = States.booleanState("production", "ui.theme", 1);
        state.getDefinition().setType(FlagType.JSON);
        state.getDefinition().setVariants(List.of(new Variant("on", "{\"color\":\"blue\",\"sizes\":[1,2]}", null),
                new Variant("off", "null", null)));

        Flag flag = FlagStateMapper.toFlag(state);

        assertThat(flag.variants().get(0).value()).isEqualTo(Map.of("color", "blue", "sizes", List.of(1L, 2L)));
        assertThat(FlagStateMapper.value(io.flagplane.evaluation.FlagType.NUMBER, new Variant("n", "42", null), "x"))
                .isEqualTo(42.0);
    }

    @Test
    void a_value_of_the_wrong_json_type_is_refused() {
        FlagState state = States.booleanState("production", "a.b", 1);
        state.getDefinition().setVariants(List.of(new Variant("on", "\"yes\"", null), new Variant("off", "false", null)));

        assertThatThrownBy(() -> FlagStateMapper.toFlag(state)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a boolean");
    }

    @Test
    void metadata_and_a_missing_off_variant_are_carried_over() {
        FlagState state = States.booleanState("production", "m.flag", 5);
        state.getDefinition().setOffVariant(null);
        state.getDefinition().setMetadata(Map.of("ticket", "JIRA-7", "count", 2L, "ratio", 0.1, "beta", true));
        state.setEnabled(false);

        Flag flag = FlagStateMapper.toFlag(state);

        var result = Evaluator.evaluate(k -> flag, "m.flag", io.flagplane.evaluation.FlagType.BOOLEAN, Boolean.TRUE,
                EvaluationContext.of("u1"));
        assertThat(result.value()).isTrue();
        assertThat(result.reason()).isEqualTo(Reason.DISABLED);
        assertThat(result.variant()).isNull();
        assertThat(result.flagMetadata()).isEqualTo(Map.of("ticket", "JIRA-7", "count", 2L, "ratio", 0.1, "beta", true));
    }

    /** A 50/50 fallthrough split, a 20/80 split for admins (rule "cohort"), and an experiment in {@code status} on one of them. */
    private static FlagState withExperiment(ExperimentStatus status, String ruleId) {
        FlagState state = States.booleanState("production", "pricing.upfront", 9);
        var half = new io.flagplane.avro.Split(List.of(new io.flagplane.avro.WeightedVariant("on", 5_000),
                new io.flagplane.avro.WeightedVariant("off", 5_000)), null);
        var fifth = new io.flagplane.avro.Split(List.of(new io.flagplane.avro.WeightedVariant("on", 2_000),
                new io.flagplane.avro.WeightedVariant("off", 8_000)), null);
        state.getDefinition().setRules(List.of(new io.flagplane.avro.Rule("cohort", null,
                List.of(new io.flagplane.avro.Condition("role", "in", List.of("ADMIN"))),
                io.flagplane.avro.Serve.newBuilder().setSplit(fifth).build())));
        state.getDefinition().setFallthrough(io.flagplane.avro.Serve.newBuilder().setSplit(half).build());
        ExperimentDefinition definition = ExperimentDefinition.newBuilder().setRuleId(ruleId)
                .setPrimaryMetric(ExperimentMetric.newBuilder().setEventKey("booking_confirmed").setKind(MetricKind.CONVERSION)
                        .build()).build();
        Experiment older = Experiment.newBuilder().setKey("last-year").setStatus(ExperimentStatus.STOPPED)
                .setDefinition(definition).setCreatedAt(Instant.EPOCH).build();
        Experiment experiment = Experiment.newBuilder().setKey("upfront-fees").setStatus(status).setDefinition(definition)
                .setCreatedAt(Instant.EPOCH).setLaunchedAtVersion(status == ExperimentStatus.DRAFT ? 0 : 8).build();
        state.setExperiments(List.of(older, experiment));
        return state;
    }

    @Test
    void a_running_experiment_on_the_fallthrough_marks_the_fallthrough_splits_results_as_its_exposures() {
        Flag flag = FlagStateMapper.toFlag(withExperiment(ExperimentStatus.RUNNING, null));

        assertThat(flag.experiment()).isEqualTo("upfront-fees");
        assertThat(Evaluator.evaluate(k -> flag, "pricing.upfront", null, null, EvaluationContext.of("user-1")).experiment())
                .isEqualTo("upfront-fees");
        assertThat(Evaluator.evaluate(k -> flag, "pricing.upfront", null, null,
                EvaluationContext.of("user-1", Map.of("role", "ADMIN"))).experiment()).isNull();
    }

    @Test
    void a_running_experiment_on_a_rule_marks_only_that_rules_split() {
        Flag flag = FlagStateMapper.toFlag(withExperiment(ExperimentStatus.RUNNING, "cohort"));

        assertThat(Evaluator.evaluate(k -> flag, "pricing.upfront", null, null,
                EvaluationContext.of("user-1", Map.of("role", "ADMIN"))).experiment()).isEqualTo("upfront-fees");
        assertThat(Evaluator.evaluate(k -> flag, "pricing.upfront", null, null, EvaluationContext.of("user-1")).experiment())
                .isNull();
    }

    @ParameterizedTest
    @EnumSource(value = ExperimentStatus.class, names = {"DRAFT", "PAUSED", "STOPPED"})
    void an_experiment_that_is_not_running_marks_nothing(ExperimentStatus status) {
        Flag flag = FlagStateMapper.toFlag(withExperiment(status, null));

        assertThat(flag.experiment()).isNull();
        for (int i = 0; i < 100; i++) {
            var result = Evaluator.evaluate(k -> flag, "pricing.upfront", null, null, EvaluationContext.of("user-" + i));
            assertThat(result.reason()).isEqualTo(Reason.SPLIT);
            assertThat(result.isExposure()).isFalse();
        }
    }
}
