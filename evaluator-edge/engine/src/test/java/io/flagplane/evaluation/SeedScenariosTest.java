package io.flagplane.evaluation;

import static io.flagplane.evaluation.Fixtures.all;
import static io.flagplane.evaluation.Fixtures.booleanFlag;
import static io.flagplane.evaluation.Fixtures.user;
import static io.flagplane.evaluation.Fixtures.when;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The scenarios of ../shared/seeds, as tables. */
class SeedScenariosTest {

    /**
     * Seed 003: deny list, then allow list, then role, city and category must all match, then a
     * 20 % rollout ({@code checkout.new_ui} in the seed's example).
     */
    static final Flag SEED_003 = booleanFlag("checkout.new_ui").fallthrough("off")
            .deny(List.of("user_id_3"))
            .allow("on", List.of("user_id_1", "user_id_2"))
            .rule("cohort", all(
                    when("role", "in", "ADMIN", "ORGANIZER"),
                    when("city", "in", "Mumbai", "Delhi", "Bangalore"),
                    when("category", "in", "MUSIC", "TECH")), ServeSpec.rollout("on", 2_000, "off"))
            .build();

    static Stream<Arguments> seed003() {
        return Stream.of(
                Arguments.of("denied even though everything else matches", "user_id_3", "ADMIN", "Mumbai", "MUSIC", false, Reason.DISABLED),
                Arguments.of("allowed with no attributes at all", "user_id_1", null, null, null, true, Reason.TARGETING_MATCH),
                Arguments.of("wrong role", "user_9", "CUSTOMER", "Mumbai", "MUSIC", false, Reason.DEFAULT),
                Arguments.of("wrong city", "user_9", "ADMIN", "Pune", "MUSIC", false, Reason.DEFAULT),
                Arguments.of("wrong category", "user_9", "ADMIN", "Delhi", "SPORTS", false, Reason.DEFAULT),
                Arguments.of("missing city", "user_9", "ADMIN", null, "TECH", false, Reason.DEFAULT));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("seed003")
    void seed_003_deny_then_allow_then_role_city_category_then_rollout(String why, String key, String role, String city,
                                                                     String category, boolean on, Reason reason) {
        Evaluation<Boolean> result = Evaluator.evaluate(Fixtures.view(SEED_003), "checkout.new_ui", FlagType.BOOLEAN, (Boolean) null,
                context(key, role, city, category));

        assertThat(result.value()).as(why).isEqualTo(on);
        assertThat(result.reason()).as(why).isEqualTo(reason);
    }

    @Test
    void seed_003_the_matching_cohort_gets_the_20_percent_rollout() {
        int on = 0;
        for (int i = 0; i < 20_000; i++) {
            Evaluation<Boolean> result = Evaluator.evaluate(Fixtures.view(SEED_003), "checkout.new_ui", FlagType.BOOLEAN, (Boolean) null,
                    context("user-" + i, "ORGANIZER", "Bangalore", "TECH"));
            assertThat(result.reason()).isEqualTo(Reason.SPLIT);
            on += result.value() ? 1 : 0;
        }
        assertThat(on / 200.0).isBetween(19.0, 21.0);
    }

    private static EvaluationContext context(String key, String role, String city, String category) {
        java.util.Map<String, Object> attributes = new java.util.HashMap<>();
        if (role != null) {
            attributes.put("role", role);
        }
        if (city != null) {
            attributes.put("city", city);
        }
        if (category != null) {
            attributes.put("category", category);
        }
        return EvaluationContext.of(key, attributes);
    }

    /** Seed 000's {@code charges_ui}: admin only, then finance + admin, then the broader org read-only. */
    static Flag chargesUi(String... roles) {
        return booleanFlag("charges.ui").fallthrough("off")
                .rule("phase-roles", all(when("role", "in", roles)), ServeSpec.variant("on")).build();
    }

    @ParameterizedTest(name = "phase {0}, role {1} -> {2}")
    @CsvSource({
            "1, admin,   true", "1, finance, false", "1, ops,     false", "1, manager, false",
            "2, admin,   true", "2, finance, true",  "2, ops,     false", "2, manager, false",
            "3, admin,   true", "3, finance, true",  "3, ops,     true",  "3, manager, true", "3, investor, false"})
    void seed_000_role_phases(int phase, String role, boolean on) {
        Flag flag = switch (phase) {
            case 1 -> chargesUi("admin");
            case 2 -> chargesUi("finance", "admin");
            default -> chargesUi("finance", "ops", "manager", "admin");
        };

        assertThat(Evaluator.evaluate(Fixtures.view(flag), "charges.ui", FlagType.BOOLEAN, (Boolean) null, user("u-" + role, "role", role))
                .value()).isEqualTo(on);
    }

    @Test
    void seed_000_instant_rollback_serves_off_to_everyone() {
        Flag killed = booleanFlag("charges.engine").killed(true)
                .rule("phase-roles", all(when("role", "in", "finance", "admin")), ServeSpec.variant("on")).build();

        for (String role : List.of("admin", "finance", "ops")) {
            assertThat(Evaluator.evaluate(Fixtures.view(killed), "charges.engine", FlagType.BOOLEAN, true, user("u", "role", role)))
                    .extracting(Evaluation::value, Evaluation::reason).containsExactly(false, Reason.DISABLED);
        }
    }

    /** Seed 001: pro and enterprise tiers at a rollout percentage, beta users always. */
    static Flag actionPlan(int basisPoints) {
        return booleanFlag("action_plan.customization").fallthrough("off")
                .allow("on", List.of("1", "2", "3"))
                .rule("tiers", all(when("tier", "in", "pro", "enterprise")), ServeSpec.rollout("on", basisPoints, "off"))
                .build();
    }

    @Test
    void seed_001_beta_users_always_free_tier_never_and_10_50_100_percent_ramps_only_add_users() {
        Flag at10 = actionPlan(1_000);
        Flag at50 = actionPlan(5_000);
        Flag at100 = actionPlan(10_000);
        int[] counts = new int[3];
        for (int i = 0; i < 10_000; i++) {
            EvaluationContext pro = user("u" + i, "tier", i % 2 == 0 ? "pro" : "enterprise");
            boolean in10 = Evaluator.evaluate(Fixtures.view(at10), "action_plan.customization", FlagType.BOOLEAN, (Boolean) null, pro).value();
            boolean in50 = Evaluator.evaluate(Fixtures.view(at50), "action_plan.customization", FlagType.BOOLEAN, (Boolean) null, pro).value();
            boolean in100 = Evaluator.evaluate(Fixtures.view(at100), "action_plan.customization", FlagType.BOOLEAN, (Boolean) null, pro).value();
            assertThat(!in10 || in50).as("u%d had it at 10%% and must keep it at 50%%", i).isTrue();
            assertThat(in100).isTrue();
            counts[0] += in10 ? 1 : 0;
            counts[1] += in50 ? 1 : 0;
            counts[2] += in100 ? 1 : 0;
        }
        assertThat(counts[0]).isBetween(900, 1_100);
        assertThat(counts[1]).isBetween(4_800, 5_200);
        assertThat(counts[2]).isEqualTo(10_000);
        for (Flag flag : List.of(at10, at50, at100)) {
            assertThat(Evaluator.evaluate(Fixtures.view(flag), "action_plan.customization", FlagType.BOOLEAN, (Boolean) null,
                    user("2")).value()).as("beta user").isTrue();
            assertThat(Evaluator.evaluate(Fixtures.view(flag), "action_plan.customization", FlagType.BOOLEAN, (Boolean) null,
                    user("u7", "tier", "free")).value()).as("free tier").isFalse();
        }
    }

    /** Seed 002: default off, and on any error the caller's safe fallback (the old checkout). */
    @Test
    void seed_002_default_off_with_safe_fallback_on_error() {
        Flag newCheckout = booleanFlag("checkout.new_flow").enabled(false).build();
        FlagView view = Fixtures.view(newCheckout);
        boolean oldCheckout = false;

        assertThat(Evaluator.evaluate(view, "checkout.new_flow", FlagType.BOOLEAN, oldCheckout, user("u")).value()).isFalse();
        assertThat(Evaluator.evaluate(view, "checkout.new_flw", FlagType.BOOLEAN, oldCheckout, user("u")))
                .extracting(Evaluation::value, Evaluation::errorCode).containsExactly(false, ErrorCode.FLAG_NOT_FOUND);
        assertThat(Evaluator.evaluate(view, "checkout.new_flow", FlagType.STRING, "old", user("u")))
                .extracting(Evaluation::value, Evaluation::errorCode).containsExactly("old", ErrorCode.TYPE_MISMATCH);
        FlagView broken = key -> {
            throw new IllegalStateException("ruleset unavailable");
        };
        assertThat(Evaluator.evaluate(broken, "checkout.new_flow", FlagType.BOOLEAN, oldCheckout, user("u")))
                .extracting(Evaluation::value, Evaluation::errorCode).containsExactly(false, ErrorCode.GENERAL);
    }
}
