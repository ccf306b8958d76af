package io.flagplane.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flagplane.avro.FlagState;
import io.flagplane.avro.FlagType;
import io.flagplane.avro.Target;
import io.flagplane.avro.Variant;
import io.flagplane.evaluation.EvaluationContext;
import io.flagplane.evaluation.Evaluator;
import io.flagplane.evaluation.Flag;
import io.flagplane.evaluation.Reason;
import io.flagplane.fixtures.States;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

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
}
