package io.flagplane.evaluation;

import static io.flagplane.evaluation.Fixtures.booleanFlag;
import static io.flagplane.evaluation.Fixtures.user;
import static io.flagplane.evaluation.Fixtures.view;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** "Is this flag on for this user?": the rule the edge's REST routes and the SDK's isEnabled share. */
class EnabledTest {

    private static final String KEY = "checkout.theme";

    /** A string flag with off variant "classic" that serves {@code serving} to everyone. */
    private static Flag.Builder stringFlag(String serving) {
        return Flag.builder(KEY, FlagType.STRING).variant("classic", "classic").variant("dark", "dark")
                .offVariant("classic").fallthrough(serving).enabled(true).version(1);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("a boolean serving true is on", booleanFlag(KEY).build(), true),
                Arguments.of("a boolean serving false is off", booleanFlag(KEY).fallthrough("off").build(), false),
                Arguments.of("a disabled boolean is off", booleanFlag(KEY).enabled(false).build(), false),
                Arguments.of("a killed boolean is off", booleanFlag(KEY).killed(true).build(), false),
                Arguments.of("a boolean denying the user is off", booleanFlag(KEY).deny(List.of("user-1")).build(), false),
                Arguments.of("a string serving another variant is on", stringFlag("dark").build(), true),
                Arguments.of("a string serving its off variant is off", stringFlag("classic").build(), false),
                Arguments.of("a disabled string is off", stringFlag("dark").enabled(false).build(), false),
                Arguments.of("a killed string is off", stringFlag("dark").killed(true).build(), false),
                Arguments.of("a string allowing the user its off variant is off",
                        stringFlag("dark").allow("classic", List.of("user-1")).build(), false),
                Arguments.of("a number serving another variant is on", Flag.builder(KEY, FlagType.NUMBER).variant("none", 0.0)
                        .variant("ten", 10.0).offVariant("none").fallthrough("ten").enabled(true).build(), true),
                Arguments.of("an archived flag (not found) is off", booleanFlag(KEY).archived(true).build(), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void a_flag_is_on_exactly_when_the_rule_says(String claim, Flag flag, boolean on) {
        FlagView view = view(flag);
        Evaluation<Object> result = Evaluator.evaluate(view, KEY, null, null, user("user-1"));

        assertThat(Enabled.of(flag, result)).as(claim).isEqualTo(on);
        assertThat(Enabled.evaluate(view, KEY, user("user-1"))).as(claim).isEqualTo(on);
    }

    @Test
    void an_error_is_off_even_when_the_default_it_carries_is_true() {
        Flag flag = booleanFlag(KEY).build();

        Evaluation<Boolean> mismatch = Evaluator.evaluate(view(flag), KEY, FlagType.NUMBER, Boolean.TRUE, user("user-1"));
        Evaluation<Boolean> missing = Evaluator.evaluate(view(), "nope", null, Boolean.TRUE, user("user-1"));

        assertThat(mismatch.isError()).isTrue();
        assertThat(mismatch.value()).isTrue();
        assertThat(Enabled.of(flag, mismatch)).isFalse();
        assertThat(missing.value()).isTrue();
        assertThat(Enabled.of(null, missing)).isFalse();
        assertThat(Enabled.of(flag, Evaluation.error(Boolean.TRUE, ErrorCode.GENERAL, "boom", 1))).isFalse();
    }

    @Test
    void an_unknown_flag_or_a_failing_view_is_off_and_never_throws() {
        FlagView failing = key -> {
            throw new IllegalStateException("the store is gone");
        };

        assertThat(Enabled.evaluate(view(), "nope", user("user-1"))).isFalse();
        assertThat(Enabled.evaluate(failing, KEY, user("user-1"))).isFalse();
    }

    @Test
    void a_non_boolean_success_without_its_flag_is_off() {
        Flag flag = stringFlag("dark").build();
        Evaluation<Object> result = Evaluator.evaluate(view(flag), KEY, null, null, user("user-1"));

        assertThat(Enabled.of(flag, result)).isTrue();
        assertThat(Enabled.of(null, result)).isFalse();
    }
}
