package io.flagplane.ruleset;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.FlagState;
import io.flagplane.avro.Prerequisite;
import io.flagplane.contract.FlagRef;
import io.flagplane.evaluation.EvaluationContext;
import io.flagplane.evaluation.Evaluator;
import io.flagplane.evaluation.FlagType;
import io.flagplane.evaluation.Reason;
import io.flagplane.fixtures.States;
import io.flagplane.mapping.FlagStateMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Prerequisites in the store: a dependant is evaluated against the same snapshot as its
 * prerequisite, so the prerequisite's kill reaches it with the same batch, and the dependant's
 * listeners hear of it (an SSE client or an SDK listener of {@code charges.ui} must learn that
 * its answer changed when only {@code charges.engine} did).
 */
class PrerequisitesInRulesetTest {

    private final RulesetStore store = new RulesetStore();

    private static FlagState dependant(String key, long version, String... prerequisites) {
        FlagState state = States.booleanState("production", key, version);
        state.getDefinition().setPrerequisites(List.of(prerequisites).stream()
                .map(p -> new Prerequisite(p, List.of("on"))).toList());
        return state;
    }

    private List<FlagRef> apply(FlagState... states) {
        return store.apply(List.of(states).stream().map(s -> new RulesetStore.Update(new FlagRef(s.getEnvironment(), s.getFlagKey()),
                FlagStateMapper.toFlag(s))).toList());
    }

    @Test
    void a_kill_of_a_prerequisite_changes_its_dependants_in_the_same_snapshot_and_they_are_reported_changed() {
        apply(States.booleanState("production", "charges.engine", 1), dependant("charges.ui", 1, "charges.engine"),
                dependant("charges.nav", 1, "charges.ui"), States.booleanState("production", "referrer.fuzzy", 1),
                States.booleanState("staging", "charges.ui", 1));
        RulesetView before = store.current().view("production");
        assertThat(Evaluator.evaluate(before, "charges.nav", FlagType.BOOLEAN, false, EvaluationContext.of("u")).value()).isTrue();

        FlagState killed = States.booleanState("production", "charges.engine", 2);
        killed.setKilled(true);
        List<FlagRef> changed = apply(killed);

        assertThat(changed).containsExactlyInAnyOrder(new FlagRef("production", "charges.engine"),
                new FlagRef("production", "charges.ui"), new FlagRef("production", "charges.nav"));
        RulesetView after = store.current().view("production");
        var nav = Evaluator.evaluate(after, "charges.nav", FlagType.BOOLEAN, true, EvaluationContext.of("u"));
        assertThat(nav.value()).isFalse();
        assertThat(nav.reason()).isEqualTo(Reason.PREREQUISITE_FAILED);
        assertThat(nav.reasonDetail()).isEqualTo("prerequisite charges.ui served off, needs on");
    }

    @Test
    void a_change_to_a_flag_nobody_depends_on_reports_only_that_flag() {
        apply(States.booleanState("production", "charges.engine", 1), dependant("charges.ui", 1, "charges.engine"),
                States.booleanState("production", "referrer.fuzzy", 1));

        assertThat(apply(States.booleanState("production", "referrer.fuzzy", 2)))
                .containsExactly(new FlagRef("production", "referrer.fuzzy"));
        assertThat(apply(dependant("charges.ui", 2, "charges.engine"))).containsExactly(new FlagRef("production", "charges.ui"));
    }
}
