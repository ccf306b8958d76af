package io.flagplane.evaluation;

import static io.flagplane.evaluation.Fixtures.all;
import static io.flagplane.evaluation.Fixtures.booleanFlag;
import static io.flagplane.evaluation.Fixtures.user;
import static io.flagplane.evaluation.Fixtures.when;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Seed 000: {@code charges.ui} shows the Charges pages only when {@code charges.engine} is on for
 * that user. A prerequisite is checked after the flag's own kill and before its lists and rules,
 * against the same view, so a kill of the prerequisite reaches the dependant in the same evaluation.
 */
class PrerequisitesTest {

    /** charges.engine: on for admin and finance (the role phases), off for everyone else. */
    private static Flag.Builder chargesEngine() {
        return booleanFlag("charges.engine").fallthrough("off")
                .rule("phase", all(when("role", "in", "admin", "finance")), ServeSpec.variant("on"));
    }

    /** charges.ui: on for admin, finance, ops and manager, and only where charges.engine is on. */
    private static Flag.Builder chargesUi() {
        return booleanFlag("charges.ui").fallthrough("off").version(7)
                .rule("phase", all(when("role", "in", "admin", "finance", "ops", "manager")), ServeSpec.variant("on"))
                .prerequisite("charges.engine", List.of("on"));
    }

    private static Evaluation<Boolean> ui(FlagView view, String user, String role) {
        return Evaluator.evaluate(view, "charges.ui", FlagType.BOOLEAN, Boolean.FALSE, user(user, "role", role));
    }

    @Test
    void a_met_prerequisite_lets_the_flags_own_targeting_decide() {
        FlagView view = Fixtures.view(chargesEngine().build(), chargesUi().build());

        Evaluation<Boolean> finance = ui(view, "u-1", "finance");

        assertThat(finance.value()).isTrue();
        assertThat(finance.reason()).isEqualTo(Reason.TARGETING_MATCH);
        assertThat(finance.flagMetadata()).doesNotContainKeys(Evaluation.PREREQUISITE, Evaluation.REASON_DETAIL);
        assertThat(finance.reasonDetail()).isNull();
    }

    @Test
    void an_unmet_prerequisite_serves_the_off_variant_naming_the_prerequisite_and_what_it_served() {
        FlagView view = Fixtures.view(chargesEngine().build(), chargesUi().metadata("team", "billing").build());

        Evaluation<Boolean> ops = ui(view, "u-2", "ops");   // the UI's own rule would say on; the engine says off

        assertThat(ops.value()).isFalse();
        assertThat(ops.variant()).isEqualTo("off");
        assertThat(ops.reason()).isEqualTo(Reason.PREREQUISITE_FAILED);
        assertThat(ops.isError()).isFalse();
        assertThat(ops.flagVersion()).isEqualTo(7);
        assertThat(ops.reasonDetail()).isEqualTo("prerequisite charges.engine served off, needs on");
        assertThat(ops.flagMetadata()).containsExactly(Map.entry(Evaluation.PREREQUISITE, "charges.engine"),
                Map.entry(Evaluation.REASON_DETAIL, "prerequisite charges.engine served off, needs on"),
                Map.entry("team", "billing"));
    }

    @Test
    void a_kill_of_the_prerequisite_reaches_the_dependant_in_the_same_evaluation() {
        Flag ui = chargesUi().build();
        FlagView live = Fixtures.view(chargesEngine().build(), ui);
        FlagView killed = Fixtures.view(chargesEngine().killed(true).version(2).build(), ui);

        assertThat(ui(live, "u-1", "admin").value()).isTrue();
        Evaluation<Boolean> afterKill = ui(killed, "u-1", "admin");
        assertThat(afterKill.value()).isFalse();
        assertThat(afterKill.reason()).isEqualTo(Reason.PREREQUISITE_FAILED);
        assertThat(afterKill.reasonDetail()).isEqualTo("prerequisite charges.engine served off, needs on");
    }

    @Test
    void a_disabled_missing_or_archived_prerequisite_is_not_met() {
        Flag ui = chargesUi().build();

        assertThat(ui(Fixtures.view(chargesEngine().enabled(false).build(), ui), "u", "admin").reason())
                .isEqualTo(Reason.PREREQUISITE_FAILED);
        Evaluation<Boolean> missing = ui(Fixtures.view(ui), "u", "admin");
        assertThat(missing.value()).isFalse();
        assertThat(missing.reasonDetail()).isEqualTo("prerequisite charges.engine does not exist, needs on");
        Evaluation<Boolean> archived = ui(Fixtures.view(chargesEngine().archived(true).build(), ui), "u", "admin");
        assertThat(archived.reason()).isEqualTo(Reason.PREREQUISITE_FAILED);
        assertThat(archived.reasonDetail()).isEqualTo("prerequisite charges.engine is archived, needs on");
    }

    @Test
    void the_flags_own_kill_comes_before_its_prerequisites() {
        FlagView view = Fixtures.view(chargesEngine().build(), chargesUi().killed(true).build());

        assertThat(ui(view, "u", "ops").reason()).isEqualTo(Reason.DISABLED);
    }

    @Test
    void prerequisites_come_before_the_allow_list_and_the_rules() {
        FlagView view = Fixtures.view(chargesEngine().build(), chargesUi().allow("on", List.of("vip")).build());

        Evaluation<Boolean> vip = ui(view, "vip", "customer");

        assertThat(vip.value()).isFalse();
        assertThat(vip.reason()).isEqualTo(Reason.PREREQUISITE_FAILED);
    }

    @Test
    void any_of_the_named_variants_meets_a_prerequisite() {
        Flag tier = Flag.builder("pricing.tier", FlagType.STRING).variant("free", "free").variant("pro", "pro")
                .variant("enterprise", "enterprise").offVariant("free").fallthrough("free").enabled(true)
                .rule("pro", all(when("plan", "in", "pro")), ServeSpec.variant("pro"))
                .rule("ent", all(when("plan", "in", "ent")), ServeSpec.variant("enterprise")).build();
        Flag reports = booleanFlag("reports.export").prerequisite("pricing.tier", List.of("pro", "enterprise")).build();
        FlagView view = Fixtures.view(tier, reports);

        assertThat(Evaluator.evaluate(view, "reports.export", FlagType.BOOLEAN, false, user("a", "plan", "pro")).value()).isTrue();
        assertThat(Evaluator.evaluate(view, "reports.export", FlagType.BOOLEAN, false, user("b", "plan", "ent")).value()).isTrue();
        Evaluation<Boolean> free = Evaluator.evaluate(view, "reports.export", FlagType.BOOLEAN, true, user("c", "plan", "none"));
        assertThat(free.value()).isFalse();
        assertThat(free.reasonDetail()).isEqualTo("prerequisite pricing.tier served free, needs pro or enterprise");
    }

    @Test
    void the_first_unmet_prerequisite_in_order_is_the_one_named() {
        Flag on = booleanFlag("a.on").build();
        Flag off = booleanFlag("b.off").fallthrough("off").build();
        Flag alsoOff = booleanFlag("c.off").fallthrough("off").build();
        Flag dependant = booleanFlag("d").prerequisite("a.on", List.of("on")).prerequisite("c.off", List.of("on"))
                .prerequisite("b.off", List.of("on")).build();

        Evaluation<Boolean> result = Evaluator.evaluate(Fixtures.view(on, off, alsoOff, dependant), "d", FlagType.BOOLEAN, true,
                user("u"));

        assertThat(result.flagMetadata()).containsEntry(Evaluation.PREREQUISITE, "c.off");
    }

    @Test
    void a_prerequisite_that_fails_its_own_prerequisite_fails_its_dependants_naming_the_nearest_one() {
        Flag platform = booleanFlag("platform").killed(true).build();
        Flag engine = booleanFlag("charges.engine").prerequisite("platform", List.of("on")).build();
        Flag ui = booleanFlag("charges.ui").prerequisite("charges.engine", List.of("on")).build();

        Evaluation<Boolean> result = ui(Fixtures.view(platform, engine, ui), "u", "admin");

        assertThat(result.reason()).isEqualTo(Reason.PREREQUISITE_FAILED);
        assertThat(result.reasonDetail()).isEqualTo("prerequisite charges.engine served off, needs on");
    }

    @Test
    void without_an_off_variant_an_unmet_prerequisite_serves_the_callers_default_and_still_says_why() {
        Flag ui = chargesUi().offVariant(null).build();
        FlagView view = Fixtures.view(chargesEngine().build(), ui);

        Evaluation<Boolean> typed = Evaluator.evaluate(view, "charges.ui", FlagType.BOOLEAN, Boolean.TRUE, user("u", "role", "ops"));
        Evaluation<Object> typeless = Evaluator.evaluate(view, "charges.ui", null, null, user("u", "role", "ops"));

        assertThat(typed.value()).isTrue();
        assertThat(typed.variant()).isNull();
        assertThat(typed.reason()).isEqualTo(Reason.PREREQUISITE_FAILED);
        assertThat(typed.isCodeDefault()).isTrue();
        assertThat(typed.reasonDetail()).isEqualTo("prerequisite charges.engine served off, needs on");
        assertThat(typeless.value()).isNull();
        assertThat(typeless.isCodeDefault()).isTrue();
        assertThat(Enabled.evaluate(view, "charges.ui", user("u", "role", "ops"))).isFalse();
    }

    @Test
    void a_prerequisite_serving_the_code_default_or_a_split_it_cannot_bucket_is_not_met() {
        Flag noOff = booleanFlag("no.off").offVariant(null).enabled(false).build();
        Flag split = booleanFlag("split").fallthrough(ServeSpec.rollout("on", 5_000, "off")).build();
        Flag a = booleanFlag("a").prerequisite("no.off", List.of("on")).build();
        Flag b = booleanFlag("b").prerequisite("split", List.of("on", "off")).build();
        FlagView view = Fixtures.view(noOff, split, a, b);

        assertThat(Evaluator.evaluate(view, "a", FlagType.BOOLEAN, true, user("u")).reasonDetail())
                .isEqualTo("prerequisite no.off served no variant (it is off and has no off variant), needs on");
        Evaluation<Boolean> anonymous = Evaluator.evaluate(view, "b", FlagType.BOOLEAN, true, EvaluationContext.empty());
        assertThat(anonymous.reason()).isEqualTo(Reason.PREREQUISITE_FAILED);
        assertThat(anonymous.reasonDetail()).isEqualTo("prerequisite split could not be evaluated for this context, needs on or off");
        assertThat(Evaluator.evaluate(view, "b", FlagType.BOOLEAN, false, user("u")).value()).isTrue();
    }

    @Test
    void a_cycle_in_data_the_writer_would_refuse_is_an_error_not_a_stack_overflow() {
        Flag a = booleanFlag("a").prerequisite("b", List.of("on")).build();
        Flag b = booleanFlag("b").prerequisite("a", List.of("on")).build();
        Flag self = booleanFlag("self").prerequisite("self", List.of("on")).build();
        FlagView view = Fixtures.view(a, b, self);

        for (String key : List.of("a", "b", "self")) {
            Evaluation<Boolean> result = Evaluator.evaluate(view, key, FlagType.BOOLEAN, Boolean.TRUE, user("u"));
            assertThat(result.isError()).as(key).isTrue();
            assertThat(result.errorCode()).isEqualTo(ErrorCode.GENERAL);
            assertThat(result.value()).isTrue();
            assertThat(result.errorMessage()).contains("nest more than 8 deep");
        }
    }

    @Test
    void prerequisites_nest_eight_deep_and_no_deeper() {
        FlagView eight = Fixtures.view(chain(8), List.of());
        FlagView nine = Fixtures.view(chain(9), List.of());

        assertThat(Evaluator.evaluate(eight, "f0", FlagType.BOOLEAN, false, user("u")).value()).isTrue();
        assertThat(Evaluator.evaluate(nine, "f0", FlagType.BOOLEAN, false, user("u")).errorCode()).isEqualTo(ErrorCode.GENERAL);
        assertThat(Evaluator.evaluate(nine, "f1", FlagType.BOOLEAN, false, user("u")).value()).isTrue();
    }

    /** f0 needs f1 needs … f{links}, which has no prerequisite: {@code links} levels of nesting. */
    private static List<Flag> chain(int links) {
        List<Flag> flags = new ArrayList<>();
        for (int i = 0; i < links; i++) {
            flags.add(booleanFlag("f" + i).prerequisite("f" + (i + 1), List.of("on")).build());
        }
        flags.add(booleanFlag("f" + links).build());
        return flags;
    }

    @Test
    void a_flag_naming_too_many_prerequisites_is_still_built_answers_an_error_and_can_be_killed() {
        Flag.Builder many = booleanFlag("many");
        for (int i = 0; i <= Flag.MAX_PREREQUISITES; i++) {
            many.prerequisite("a.on", List.of("on"));
        }
        FlagView live = Fixtures.view(booleanFlag("a.on").build(), many.build());
        FlagView killed = Fixtures.view(booleanFlag("a.on").build(), many.killed(true).build());

        assertThat(Evaluator.evaluate(live, "many", FlagType.BOOLEAN, false, user("u")).errorCode()).isEqualTo(ErrorCode.GENERAL);
        assertThat(Evaluator.evaluate(killed, "many", FlagType.BOOLEAN, true, user("u")).reason()).isEqualTo(Reason.DISABLED);
    }

    @Test
    void a_prerequisite_naming_no_variant_is_never_met_and_the_flag_is_still_served() {
        Flag none = booleanFlag("none").prerequisite("a.on", List.of()).build();

        Evaluation<Boolean> result = Evaluator.evaluate(Fixtures.view(booleanFlag("a.on").build(), none), "none", FlagType.BOOLEAN,
                true, user("u"));

        assertThat(result.reason()).isEqualTo(Reason.PREREQUISITE_FAILED);
        assertThat(result.value()).isFalse();
    }

    @Test
    void met_and_unmet_prerequisites_allocate_nothing_once_each_answer_was_seen() {
        Flag ui = chargesUi().build();
        FlagView view = Fixtures.view(chargesEngine().build(), ui);
        FlagView killedView = Fixtures.view(chargesEngine().killed(true).build(), ui);
        EvaluationContext[] contexts = {user("u-1", "role", "admin"), user("u-2", "role", "ops"), user("u-3", "role", "customer")};
        int[] on = {0};

        long allocated = AllocationMeter.bytesAllocated(50_000, 200_000, i -> on[0] += Evaluator.evaluate(i % 2 == 0 ? view : killedView,
                "charges.ui", FlagType.BOOLEAN, Boolean.FALSE, contexts[i % 3]).value() ? 1 : 0);

        assertThat(on[0]).isPositive();
        assertThat(allocated).as("bytes allocated by 200,000 evaluations").isLessThan(4_096);
    }
}
