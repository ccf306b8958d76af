package io.flagplane.evaluation;

import static io.flagplane.evaluation.Fixtures.all;
import static io.flagplane.evaluation.Fixtures.when;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Which results are exposures: only those served by the split that the flag's RUNNING experiment
 * measures (a rule's split, or the fallthrough's), never by lists, other rules, a fixed serve, or
 * a flag that is killed or disabled.
 */
class ExperimentExposureTest {

    private static final ServeSpec HALF = ServeSpec.rollout("on", 5_000, "off");

    /** Pro users get a 50/50 split (rule "pro"), everyone else a 50/50 split in the fallthrough. */
    private static Flag.Builder twoSplits() {
        return Fixtures.booleanFlag("pricing.upfront_fees").version(7)
                .rule("pro", all(when("tier", "in", "pro")), HALF)
                .fallthrough(HALF);
    }

    private static Evaluation<Boolean> evaluate(Flag flag, EvaluationContext context) {
        return Evaluator.evaluate(Fixtures.view(flag), flag.key(), FlagType.BOOLEAN, false, context);
    }

    private static Set<String> variantsServed(Flag flag, String tier, boolean exposures) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            Evaluation<Boolean> result = evaluate(flag, Fixtures.user("user-" + i, "tier", tier));
            if (result.isExposure() == exposures) {
                seen.add(result.variant());
            }
        }
        return seen;
    }

    @Test
    void every_variant_the_measured_fallthrough_split_serves_is_an_exposure_to_the_running_experiment() {
        Flag flag = twoSplits().experiment("upfront-fees-test", null).build();

        for (int i = 0; i < 200; i++) {
            Evaluation<Boolean> result = evaluate(flag, Fixtures.user("user-" + i, "tier", "free"));
            assertThat(result.experiment()).isEqualTo("upfront-fees-test");
            assertThat(result.reason()).isEqualTo(Reason.SPLIT);
            assertThat(result.flagVersion()).isEqualTo(7);
        }
        assertThat(variantsServed(flag, "free", true)).containsExactlyInAnyOrder("on", "off");
        assertThat(flag.experiment()).isEqualTo("upfront-fees-test");
    }

    @Test
    void with_the_fallthrough_measured_a_rules_split_is_not_an_exposure() {
        Flag flag = twoSplits().experiment("upfront-fees-test", null).build();

        assertThat(variantsServed(flag, "pro", true)).isEmpty();
        assertThat(variantsServed(flag, "pro", false)).containsExactlyInAnyOrder("on", "off");
    }

    @Test
    void with_a_rule_measured_only_that_rules_split_is_an_exposure() {
        Flag flag = twoSplits().experiment("pro-pricing", "pro").build();

        assertThat(variantsServed(flag, "pro", true)).containsExactlyInAnyOrder("on", "off");
        assertThat(variantsServed(flag, "free", true)).as("the fallthrough split is another split").isEmpty();
        assertThat(evaluate(flag, Fixtures.user("user-1", "tier", "pro")).experiment()).isEqualTo("pro-pricing");
    }

    @Test
    void the_exposure_serves_exactly_what_the_same_flag_without_an_experiment_serves() {
        Flag plain = twoSplits().build();
        Flag measured = twoSplits().experiment("upfront-fees-test", null).build();

        for (int i = 0; i < 500; i++) {
            EvaluationContext user = Fixtures.user("user-" + i, "tier", i % 3 == 0 ? "pro" : "free");
            Evaluation<Boolean> before = evaluate(plain, user);
            Evaluation<Boolean> after = evaluate(measured, user);
            assertThat(after.value()).isEqualTo(before.value());
            assertThat(after.variant()).isEqualTo(before.variant());
            assertThat(after.reason()).isEqualTo(before.reason());
        }
    }

    @Test
    void allow_and_deny_lists_are_decided_before_the_split_and_are_not_exposures() {
        Flag flag = twoSplits().experiment("upfront-fees-test", null)
                .allow("on", List.of("vip")).deny(List.of("blocked")).build();

        Evaluation<Boolean> allowed = evaluate(flag, Fixtures.user("vip", "tier", "free"));
        Evaluation<Boolean> denied = evaluate(flag, Fixtures.user("blocked", "tier", "free"));

        assertThat(allowed.reason()).isEqualTo(Reason.TARGETING_MATCH);
        assertThat(allowed.isExposure()).isFalse();
        assertThat(denied.reason()).isEqualTo(Reason.DISABLED);
        assertThat(denied.isExposure()).isFalse();
    }

    @Test
    void a_killed_or_disabled_flag_serves_off_and_exposes_nobody() {
        Flag killed = twoSplits().experiment("upfront-fees-test", null).killed(true).build();
        Flag disabled = twoSplits().experiment("upfront-fees-test", null).enabled(false).build();

        for (Flag flag : List.of(killed, disabled)) {
            assertThat(variantsServed(flag, "free", true)).as(flag.toString()).isEmpty();
            assertThat(evaluate(flag, Fixtures.user("user-1", "tier", "free")).reason()).isEqualTo(Reason.DISABLED);
        }
    }

    @Test
    void a_flag_without_a_running_experiment_exposes_nobody() {
        Flag flag = twoSplits().build();

        assertThat(variantsServed(flag, "free", true)).isEmpty();
        assertThat(variantsServed(flag, "pro", true)).isEmpty();
        assertThat(flag.experiment()).isNull();
    }

    @Test
    void an_experiment_on_a_rule_the_flag_lacks_or_on_a_fixed_serve_marks_nothing_and_the_flag_is_still_served() {
        Flag missingRule = twoSplits().experiment("ghost", "no-such-rule").build();
        Flag fixedFallthrough = Fixtures.booleanFlag("a.b").fallthrough("on").experiment("fixed", null).build();

        assertThat(missingRule.experiment()).isNull();
        assertThat(variantsServed(missingRule, "free", true)).isEmpty();
        assertThat(variantsServed(missingRule, "free", false)).containsExactlyInAnyOrder("on", "off");
        assertThat(fixedFallthrough.experiment()).isNull();
        assertThat(evaluate(fixedFallthrough, Fixtures.user("user-1")).isExposure()).isFalse();
    }

    @Test
    void a_split_with_nothing_to_bucket_by_is_an_error_not_an_exposure() {
        Flag flag = twoSplits().experiment("upfront-fees-test", null).build();

        Evaluation<Boolean> result = evaluate(flag, EvaluationContext.empty());

        assertThat(result.errorCode()).isEqualTo(ErrorCode.TARGETING_KEY_MISSING);
        assertThat(result.isExposure()).isFalse();
    }

    @Test
    void exposures_are_shared_instances_like_every_other_success() {
        Flag flag = twoSplits().experiment("upfront-fees-test", null).build();
        EvaluationContext user = Fixtures.user("user-1", "tier", "free");

        assertThat(evaluate(flag, user)).isSameAs(evaluate(flag, user));
    }
}
