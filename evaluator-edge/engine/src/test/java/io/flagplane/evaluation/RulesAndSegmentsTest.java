package io.flagplane.evaluation;

import static io.flagplane.evaluation.Fixtures.all;
import static io.flagplane.evaluation.Fixtures.booleanFlag;
import static io.flagplane.evaluation.Fixtures.user;
import static io.flagplane.evaluation.Fixtures.when;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RulesAndSegmentsTest {

    @Test
    void rules_are_tried_in_order_and_the_first_match_wins() {
        Flag flag = Flag.builder("ui.theme", FlagType.STRING).variant("light", "light").variant("dark", "dark")
                .variant("contrast", "high-contrast").offVariant("light").fallthrough("light").enabled(true)
                .rule("a11y", all(when("a11y", "eq", "true")), ServeSpec.variant("contrast"))
                .rule("night", all(when("hour", "gte", "20")), ServeSpec.variant("dark"))
                .build();
        FlagView view = Fixtures.view(flag);

        assertThat(Evaluator.evaluate(view, "ui.theme", FlagType.STRING, "?", user("u", "a11y", true, "hour", 22)).value())
                .isEqualTo("high-contrast");
        assertThat(Evaluator.evaluate(view, "ui.theme", FlagType.STRING, "?", user("u", "hour", 22)).value()).isEqualTo("dark");
        assertThat(Evaluator.evaluate(view, "ui.theme", FlagType.STRING, "?", user("u", "hour", 9)))
                .extracting(Evaluation::value, Evaluation::reason).containsExactly("light", Reason.DEFAULT);
    }

    @Test
    void all_conditions_of_a_rule_must_hold() {
        Flag flag = booleanFlag("a.b").fallthrough("off")
                .rule("both", all(when("role", "in", "admin"), when("city", "in", "Mumbai")), ServeSpec.variant("on")).build();

        assertThat(Evaluator.evaluate(Fixtures.view(flag), "a.b", FlagType.BOOLEAN, (Boolean) null, user("u", "role", "admin")).value())
                .isFalse();
        assertThat(Evaluator.evaluate(Fixtures.view(flag), "a.b", FlagType.BOOLEAN, (Boolean) null,
                user("u", "role", "admin", "city", "Mumbai")).value()).isTrue();
    }

    @Test
    void an_unknown_operator_skips_only_its_rule() {
        Flag flag = booleanFlag("a.b").fallthrough("off")
                .rule("future", all(when("role", "fuzzy_in", "admin")), ServeSpec.variant("on"))
                .rule("today", all(when("role", "in", "admin")), ServeSpec.variant("on")).build();

        Evaluation<Boolean> result = Evaluator.evaluate(Fixtures.view(flag), "a.b", FlagType.BOOLEAN, (Boolean) null, user("u", "role", "admin"));

        assertThat(result.value()).isTrue();
        assertThat(flag.unmatchableRules()).containsOnlyKeys("future");
    }

    @Test
    void a_rule_serving_a_split_reports_split_and_buckets_by_the_targeting_key() {
        Flag flag = booleanFlag("a.b").fallthrough("off")
                .rule("pro", all(when("tier", "in", "pro")), ServeSpec.rollout("on", 5_000, "off")).build();
        String salt = flag.salt();

        for (int i = 0; i < 50; i++) {
            Evaluation<Boolean> result = Evaluator.evaluate(Fixtures.view(flag), "a.b", FlagType.BOOLEAN, (Boolean) null,
                    user("user-" + i, "tier", "pro"));
            assertThat(result.reason()).isEqualTo(Reason.SPLIT);
            assertThat(result.value()).isEqualTo(Bucketing.bucket(salt, "user-" + i) < 5_000);
        }
    }

    @Test
    void a_split_fallthrough_is_split_and_without_a_targeting_key_serves_the_default_with_an_error() {
        Flag flag = booleanFlag("a.b").fallthrough(ServeSpec.rollout("on", 1_000, "off")).build();

        assertThat(Evaluator.evaluate(Fixtures.view(flag), "a.b", FlagType.BOOLEAN, (Boolean) null, user("u")).reason())
                .isEqualTo(Reason.SPLIT);
        Evaluation<Boolean> keyless = Evaluator.evaluate(Fixtures.view(flag), "a.b", FlagType.BOOLEAN, true,
                EvaluationContext.empty());
        assertThat(keyless.value()).isTrue();
        assertThat(keyless.reason()).isEqualTo(Reason.ERROR);
        assertThat(keyless.errorCode()).isEqualTo(ErrorCode.TARGETING_KEY_MISSING);
    }

    @Test
    void a_split_can_bucket_by_another_attribute() {
        Flag flag = booleanFlag("a.b").fallthrough(ServeSpec.split(List.of(new ServeSpec.Weighted("on", 5_000),
                new ServeSpec.Weighted("off", 5_000)), "companyId")).build();
        FlagView view = Fixtures.view(flag);

        boolean first = Evaluator.evaluate(view, "a.b", FlagType.BOOLEAN, (Boolean) null, user("alice", "companyId", "acme")).value();
        for (String colleague : List.of("bob", "carol", "dave", "erin")) {
            assertThat(Evaluator.evaluate(view, "a.b", FlagType.BOOLEAN, (Boolean) null, user(colleague, "companyId", "acme")).value())
                    .as("everyone at the same company gets the same answer").isEqualTo(first);
        }
        assertThat(Evaluator.evaluate(view, "a.b", FlagType.BOOLEAN, (Boolean) null, user("zed")).errorCode())
                .isEqualTo(ErrorCode.TARGETING_KEY_MISSING);
    }

    @Test
    void a_multivariate_split_spreads_keys_over_its_variants_by_weight() {
        Flag flag = Flag.builder("pricing.display", FlagType.STRING).variant("control", "control")
                .variant("upfront", "upfront-fees").offVariant("control").enabled(true)
                .fallthrough(ServeSpec.split(List.of(new ServeSpec.Weighted("control", 5_000),
                        new ServeSpec.Weighted("upfront", 5_000)), null)).build();
        int upfront = 0;
        for (int i = 0; i < 10_000; i++) {
            if ("upfront-fees".equals(Evaluator.evaluate(Fixtures.view(flag), "pricing.display", FlagType.STRING, (String) null,
                    user("user-" + i)).value())) {
                upfront++;
            }
        }
        assertThat(upfront).isBetween(4_700, 5_300);
    }

    @Test
    void segments_include_exclude_and_match_by_rules() {
        Segment betaUsers = Segment.builder("beta-users").include(List.of("user-1", "user-2")).exclude(List.of("user-3"))
                .rule(all(when("tier", "in", "enterprise"))).build();
        Flag flag = booleanFlag("a.b").fallthrough("off")
                .rule("beta", all(when("targetingKey", "in_segment", "beta-users")), ServeSpec.variant("on")).build();
        FlagView view = Fixtures.view(List.of(flag), List.of(betaUsers));

        assertThat(Evaluator.evaluate(view, "a.b", FlagType.BOOLEAN, (Boolean) null, user("user-1")).value()).isTrue();
        assertThat(Evaluator.evaluate(view, "a.b", FlagType.BOOLEAN, (Boolean) null, user("user-9", "tier", "enterprise")).value()).isTrue();
        assertThat(Evaluator.evaluate(view, "a.b", FlagType.BOOLEAN, (Boolean) null, user("user-3", "tier", "enterprise")).value()).isFalse();
        assertThat(Evaluator.evaluate(view, "a.b", FlagType.BOOLEAN, (Boolean) null, user("user-9", "tier", "free")).value()).isFalse();
    }

    @Test
    void segments_can_nest_and_a_cycle_ends_without_matching() {
        Segment staff = Segment.builder("staff").rule(all(when("email", "ends_with", "@flagplane.io"))).build();
        Segment insiders = Segment.builder("insiders").rule(all(when("targetingKey", "in_segment", "staff"))).build();
        Segment loopA = Segment.builder("loop-a").rule(all(when("targetingKey", "in_segment", "loop-b"))).build();
        Segment loopB = Segment.builder("loop-b").rule(all(when("targetingKey", "in_segment", "loop-a"))).build();
        Flag flag = booleanFlag("a.b").fallthrough("off")
                .rule("loop", all(when("targetingKey", "in_segment", "loop-a")), ServeSpec.variant("on"))
                .rule("insiders", all(when("targetingKey", "in_segment", "insiders")), ServeSpec.variant("on")).build();
        FlagView view = Fixtures.view(List.of(flag), List.of(staff, insiders, loopA, loopB));

        assertThat(Evaluator.evaluate(view, "a.b", FlagType.BOOLEAN, (Boolean) null, user("u", "email", "a@flagplane.io")).value()).isTrue();
        assertThat(Evaluator.evaluate(view, "a.b", FlagType.BOOLEAN, (Boolean) null, user("u", "email", "a@other.io")).value()).isFalse();
    }

    @Test
    void an_unknown_segment_never_matches() {
        Flag flag = booleanFlag("a.b").fallthrough("off")
                .rule("r", all(when("targetingKey", "in_segment", "ghosts")), ServeSpec.variant("on")).build();

        assertThat(Evaluator.evaluate(Fixtures.view(flag), "a.b", FlagType.BOOLEAN, (Boolean) null, user("u")).value()).isFalse();
    }

    @Test
    void splits_that_do_not_add_up_or_name_missing_variants_cannot_be_built() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> booleanFlag("a.b").fallthrough(ServeSpec.split(
                List.of(new ServeSpec.Weighted("on", 6_000), new ServeSpec.Weighted("off", 3_000)), null)).build())
                .hasMessageContaining("9000");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> booleanFlag("a.b")
                .rule("r", List.of(), ServeSpec.variant("maybe")).build()).hasMessageContaining("maybe");
    }
}
