package io.flagplane.evaluation;

import static io.flagplane.evaluation.Fixtures.booleanFlag;
import static io.flagplane.evaluation.Fixtures.user;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link FlagView#evaluated}: the hook usage counting rides on. The engine tells the view of every
 * flag it found, with the very result it returns, and a view that fails there never changes an answer
 * (telemetry never gets in the way).
 */
class EvaluatedHookTest {

    /** A view over {@code flags} that records what it is told and then, if asked to, throws. */
    private static FlagView recording(List<String> told, boolean fail, Flag... flags) {
        FlagView inner = Fixtures.view(flags);
        return new FlagView() {
            @Override
            public Flag flag(String key) {
                return inner.flag(key);
            }

            @Override
            public void evaluated(Flag flag, Evaluation<?> result) {
                told.add(flag.key() + "=" + (result.isError() ? result.errorCode() : result.variant()));
                if (fail) {
                    throw new IllegalStateException("a counter broke");
                }
            }
        };
    }

    @Test
    void every_flag_found_is_told_with_its_result_and_a_missing_one_is_not() {
        List<String> told = new ArrayList<>();
        FlagView view = recording(told, false, booleanFlag("a.flag").build(), booleanFlag("gone.flag").archived(true).build());

        Evaluation<Boolean> served = Evaluator.evaluate(view, "a.flag", FlagType.BOOLEAN, false, user("u1"));
        Evaluator.evaluate(view, "a.flag", FlagType.STRING, "x", user("u1"));
        Evaluator.evaluate(view, "gone.flag", FlagType.BOOLEAN, false, user("u1"));
        Evaluator.evaluate(view, "no.flag", FlagType.BOOLEAN, false, user("u1"));

        assertThat(served.variant()).isEqualTo("on");
        assertThat(told).containsExactly("a.flag=on", "a.flag=TYPE_MISMATCH", "gone.flag=FLAG_NOT_FOUND");
    }

    @Test
    void a_view_that_throws_while_told_does_not_change_the_answer() {
        List<String> told = new ArrayList<>();
        Flag flag = booleanFlag("a.flag").build();

        Evaluation<Boolean> quiet = Evaluator.evaluate(recording(told, false, flag), "a.flag", FlagType.BOOLEAN, false, user("u1"));
        Evaluation<Boolean> failing = Evaluator.evaluate(recording(told, true, flag), "a.flag", FlagType.BOOLEAN, false, user("u1"));

        assertThat(told).containsExactly("a.flag=on", "a.flag=on");
        assertThat(failing).isSameAs(quiet);
        assertThat(failing.value()).isTrue();
    }
}
