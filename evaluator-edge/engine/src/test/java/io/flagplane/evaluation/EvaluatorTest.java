package io.flagplane.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class EvaluatorTest {

    /** The fixtures' boolean flag, at version 4 so results can be told from a fresh flag's. */
    private static Flag.Builder booleanFlag(String key) {
        return Fixtures.booleanFlag(key).version(4);
    }

    @Test
    void an_enabled_flag_without_targeting_serves_its_fallthrough_as_static() {
        FlagView view = Fixtures.view(booleanFlag("checkout.new_ui").enabled(true).build());

        Evaluation<Boolean> result = Evaluator.evaluate(view, "checkout.new_ui", FlagType.BOOLEAN, false,
                EvaluationContext.of("user-1"));

        assertThat(result.value()).isTrue();
        assertThat(result.variant()).isEqualTo("on");
        assertThat(result.reason()).isEqualTo(Reason.STATIC);
        assertThat(result.errorCode()).isNull();
        assertThat(result.flagVersion()).isEqualTo(4);
    }

    @Test
    void a_disabled_flag_serves_its_off_variant() {
        FlagView view = Fixtures.view(booleanFlag("a.b").enabled(false).build());

        Evaluation<Boolean> result = Evaluator.evaluate(view, "a.b", FlagType.BOOLEAN, true, EvaluationContext.empty());

        assertThat(result.value()).isFalse();
        assertThat(result.reason()).isEqualTo(Reason.DISABLED);
    }

    @Test
    void a_killed_flag_serves_off_even_to_allowed_keys() {
        FlagView view = Fixtures.view(booleanFlag("a.b").enabled(true).killed(true).allow("on", List.of("vip")).build());

        Evaluation<Boolean> result = Evaluator.evaluate(view, "a.b", FlagType.BOOLEAN, true, EvaluationContext.of("vip"));

        assertThat(result.value()).isFalse();
        assertThat(result.reason()).isEqualTo(Reason.DISABLED);
    }

    @Test
    void deny_beats_allow_and_allow_beats_the_fallthrough() {
        Flag flag = booleanFlag("a.b").enabled(true).fallthrough("off")
                .allow("on", List.of("beta-1", "both")).deny(List.of("blocked", "both")).build();
        FlagView view = Fixtures.view(flag);

        assertThat(Evaluator.evaluate(view, "a.b", FlagType.BOOLEAN, (Boolean) null, EvaluationContext.of("both")))
                .extracting(Evaluation::value, Evaluation::reason).containsExactly(false, Reason.DISABLED);
        assertThat(Evaluator.evaluate(view, "a.b", FlagType.BOOLEAN, (Boolean) null, EvaluationContext.of("beta-1")))
                .extracting(Evaluation::value, Evaluation::reason).containsExactly(true, Reason.TARGETING_MATCH);
        assertThat(Evaluator.evaluate(view, "a.b", FlagType.BOOLEAN, (Boolean) null, EvaluationContext.of("someone")))
                .extracting(Evaluation::value, Evaluation::reason).containsExactly(false, Reason.DEFAULT);
    }

    @Test
    void an_unknown_flag_serves_the_callers_default_with_flag_not_found() {
        Evaluation<Boolean> result = Evaluator.evaluate(Fixtures.view(), "nope", FlagType.BOOLEAN, true, EvaluationContext.empty());

        assertThat(result.value()).isTrue();
        assertThat(result.reason()).isEqualTo(Reason.ERROR);
        assertThat(result.errorCode()).isEqualTo(ErrorCode.FLAG_NOT_FOUND);
        assertThat(result.errorMessage()).contains("nope");
    }

    @Test
    void an_archived_flag_is_not_found() {
        FlagView view = Fixtures.view(booleanFlag("old.flag").enabled(true).archived(true).build());

        assertThat(Evaluator.evaluate(view, "old.flag", FlagType.BOOLEAN, false, EvaluationContext.empty()).errorCode())
                .isEqualTo(ErrorCode.FLAG_NOT_FOUND);
    }

    @Test
    void asking_for_the_wrong_type_serves_the_default_with_type_mismatch() {
        FlagView view = Fixtures.view(booleanFlag("a.b").enabled(true).build());

        Evaluation<String> result = Evaluator.evaluate(view, "a.b", FlagType.STRING, "fallback", EvaluationContext.empty());

        assertThat(result.value()).isEqualTo("fallback");
        assertThat(result.errorCode()).isEqualTo(ErrorCode.TYPE_MISMATCH);
        assertThat(result.flagVersion()).isEqualTo(4);
    }

    @Test
    void a_failing_view_never_throws_to_the_caller() {
        FlagView broken = key -> {
            throw new IllegalStateException("boom");
        };

        Evaluation<Boolean> result = Evaluator.evaluate(broken, "a.b", FlagType.BOOLEAN, false, EvaluationContext.empty());

        assertThat(result.errorCode()).isEqualTo(ErrorCode.GENERAL);
        assertThat(result.value()).isFalse();
    }

    @Test
    void successful_results_are_shared_not_allocated_per_call() {
        FlagView view = Fixtures.view(booleanFlag("a.b").enabled(true).build());

        assertThat(Evaluator.evaluate(view, "a.b", FlagType.BOOLEAN, false, EvaluationContext.of("x")))
                .isSameAs(Evaluator.evaluate(view, "a.b", FlagType.BOOLEAN, false, EvaluationContext.of("y")));
    }

    @Test
    void a_flag_naming_a_variant_it_does_not_have_cannot_be_built() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> booleanFlag("a.b").offVariant("maybe").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maybe");
    }
}
