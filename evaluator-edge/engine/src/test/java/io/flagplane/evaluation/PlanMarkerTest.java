package io.flagplane.evaluation;

import static io.flagplane.evaluation.Fixtures.all;
import static io.flagplane.evaluation.Fixtures.booleanFlag;
import static io.flagplane.evaluation.Fixtures.user;
import static io.flagplane.evaluation.Fixtures.when;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A flag under a running rollout plan marks every result it serves with the plan's key (the
 * evaluators log those as plan exposures, whatever path served them), without allocating; a flag
 * that is not under a plan marks nothing; errors are never marked.
 */
class PlanMarkerTest {

    @Test
    void every_result_of_a_flag_under_a_plan_carries_the_plan_and_a_split_measured_by_an_experiment_carries_both() {
        Flag flag = booleanFlag("checkout.new_ui").plan("checkout-rollout").fallthrough(ServeSpec.rollout("on", 5_000, "off"))
                .rule("staff", all(when("role", "in", "staff")), ServeSpec.variant("on"))
                .deny(List.of("blocked")).experiment("checkout-test", null).build();
        FlagView view = Fixtures.view(flag);

        Evaluation<Boolean> rule = Evaluator.evaluate(view, "checkout.new_ui", FlagType.BOOLEAN, false, user("u", "role", "staff"));
        Evaluation<Boolean> split = Evaluator.evaluate(view, "checkout.new_ui", FlagType.BOOLEAN, false, user("u-7"));
        Evaluation<Boolean> denied = Evaluator.evaluate(view, "checkout.new_ui", FlagType.BOOLEAN, false, user("blocked"));

        assertThat(List.of(rule, split, denied)).allSatisfy(result -> {
            assertThat(result.plan()).isEqualTo("checkout-rollout");
            assertThat(result.isPlanExposure()).isTrue();
        });
        assertThat(rule.isExposure()).isFalse();
        assertThat(split.isExposure()).isTrue();
        assertThat(split.experiment()).isEqualTo("checkout-test");
    }

    @Test
    void killed_and_prerequisite_failures_are_marked_too_but_errors_and_code_defaults_are_not_exposures() {
        Flag killed = booleanFlag("killed").plan("p").killed(true).build();
        Flag dependant = booleanFlag("dependant").plan("p").prerequisite("killed", List.of("on")).build();
        Flag codeDefault = booleanFlag("no.off").plan("p").offVariant(null).enabled(false).build();
        FlagView view = Fixtures.view(killed, dependant, codeDefault);

        assertThat(Evaluator.evaluate(view, "killed", FlagType.BOOLEAN, true, user("u")).isPlanExposure()).isTrue();
        Evaluation<Boolean> failed = Evaluator.evaluate(view, "dependant", FlagType.BOOLEAN, true, user("u"));
        assertThat(failed.reason()).isEqualTo(Reason.PREREQUISITE_FAILED);
        assertThat(failed.plan()).isEqualTo("p");
        assertThat(failed.isPlanExposure()).isTrue();
        assertThat(Evaluator.evaluate(view, "no.off", FlagType.BOOLEAN, true, user("u")).isPlanExposure()).isFalse();
        assertThat(Evaluator.evaluate(view, "killed", FlagType.STRING, "x", user("u")).isPlanExposure()).isFalse();
    }

    @Test
    void a_flag_not_under_a_plan_marks_nothing() {
        Evaluation<Boolean> result = Evaluator.evaluate(Fixtures.view(booleanFlag("plain").build()), "plain", FlagType.BOOLEAN,
                false, user("u"));

        assertThat(result.plan()).isNull();
        assertThat(result.isPlanExposure()).isFalse();
    }
}
