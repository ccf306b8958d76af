package io.flagplane.evaluation;

import static io.flagplane.evaluation.Fixtures.booleanFlag;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code matches} runs on RE2/J: linear in the attribute's length whatever the pattern, never a
 * stack overflow, and patterns it cannot run safely are refused with a sentence when written.
 */
class RegexSafetyTest {

    private static final String A_50K_THEN_BANG = "a".repeat(50_000) + "!";

    /** The classic catastrophic-backtracking shapes, each against a 50,000-character attribute built to trigger it. */
    static Stream<Arguments> catastrophicPatterns() {
        return Stream.of(
                Arguments.of("(a|a)*$", A_50K_THEN_BANG, true), // finds the empty match at the end
                Arguments.of("^(a|a)*$", A_50K_THEN_BANG, false),
                Arguments.of("(a|aa)+$", A_50K_THEN_BANG, false),
                Arguments.of("^(([a-z])+.)+[A-Z]([a-z])+$", A_50K_THEN_BANG, false),
                Arguments.of("(.*a){25}", "a".repeat(24) + "b".repeat(49_976), false),
                Arguments.of("(.*a){25}", "a".repeat(50_000), true),
                Arguments.of("(x+x+)+y", "x".repeat(50_000), false),
                Arguments.of("^(\\w+\\s?)*$", "word ".repeat(10_000) + "!", false),
                Arguments.of("^(a|b)*$", "ab".repeat(25_000), true), // java.util.regex recurses per repetition: StackOverflowError
                Arguments.of("^([a-zA-Z0-9])(([\\-.]|[_]+)?([a-zA-Z0-9]+))*(@)[a-z0-9]+[.](([a-z]{2,3})|([a-z]{2,3}[.][a-z]{2,3}))$",
                        A_50K_THEN_BANG, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("catastrophicPatterns")
    void catastrophic_patterns_answer_correctly_in_linear_time_on_50k_character_attributes(String pattern, String attribute,
                                                                                            boolean matches) {
        FlagView view = Fixtures.view(ruleFlag(pattern));
        EvaluationContext context = EvaluationContext.of("user-1", Map.of("attr", attribute));

        // a guard against exponential behaviour, not a benchmark: java.util.regex takes minutes or overflows the stack here
        Evaluation<Boolean> result = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> Evaluator.evaluate(view, "re.test", FlagType.BOOLEAN, (Boolean) null, context));

        assertThat(result.errorCode()).isNull();
        assertThat(result.value()).isEqualTo(matches);
        assertThat(result.reason()).isEqualTo(matches ? Reason.TARGETING_MATCH : Reason.DEFAULT);
    }

    static Stream<Arguments> refusedPatterns() {
        return Stream.of(
                Arguments.of("backreference", "(\\w+)\\1", "backreference"),
                Arguments.of("lookahead", "foo(?=bar)", "lookahead"),
                Arguments.of("negative lookahead", "^(?!admin)", "lookahead"),
                Arguments.of("lookbehind", "(?<=@)example\\.com", "lookbehind"),
                Arguments.of("possessive quantifier", "a*+b", "possessive"),
                Arguments.of("atomic group", "(?>a+)b", "atomic"),
                Arguments.of("unclosed group", "(unclosed", "no closing )"),
                Arguments.of("stray parenthesis", "a)", "no opening ("),
                Arguments.of("unclosed class", "[abc", "no closing ]"),
                Arguments.of("reversed range", "[z-a]", "z-a"),
                Arguments.of("nothing to repeat", "*a", "nothing to repeat"),
                Arguments.of("repeat count over 1000", "a{1001}", "{1001}"),
                Arguments.of("trailing backslash", "abc\\", "backslash"),
                Arguments.of("nested repeats of a million", "(((a{100}){100}){100})", "too large"),
                Arguments.of("nested repeats of a billion", "((a{1000}){1000}){1000}", "too large"),
                Arguments.of("a program past the instruction limit", "(.{1000}){3}", "too large"),
                Arguments.of("empty groups past the instruction limit", "(){1000}", "too large"),
                Arguments.of("an optional range nesting too deeply", "x{1,1000}", "nests too deeply"),
                Arguments.of("a pattern past 1024 characters", "a".repeat(1_025), "1024 characters"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedPatterns")
    void patterns_re2_cannot_run_safely_are_refused_with_a_sentence_and_never_match(String what, String pattern,
                                                                                    String saying) {
        ConditionSpec spec = ConditionSpec.of("email", "matches", pattern);

        String problem = assertTimeoutPreemptively(Duration.ofSeconds(5), spec::problem);

        assertThat(problem).as(what).startsWith("matches ").contains(saying);
        HostileInputTest.assertNoClassNamesIn(problem);
        assertThat(Condition.prepare(spec)).isInstanceOf(Condition.Never.class);
    }

    static Stream<Arguments> soundPatterns() {
        return Stream.of(
                Arguments.of("user-\\d{4}", "id user-1234 here", true), // find anywhere, as before
                Arguments.of("^user-\\d{4}$", "id user-1234 here", false),
                Arguments.of("(?i)^admin$", "ADMIN", true),
                Arguments.of("(?P<domain>example)\\.com$", "bob@example.com", true),
                Arguments.of("^\\p{L}+$", "Zoë", true),
                Arguments.of("^[a-z0-9-]{1,63}$", "edge-7", true),
                Arguments.of("^.{1000}$", "x".repeat(1_000), true),
                Arguments.of("^x{1,250}$", "x".repeat(251), false));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("soundPatterns")
    void sound_patterns_are_accepted_and_find_a_match_anywhere(String pattern, String attribute, boolean matches) {
        assertThat(ConditionSpec.of("attr", "matches", pattern).problem()).isNull();

        Evaluation<Boolean> result = Evaluator.evaluate(Fixtures.view(ruleFlag(pattern)), "re.test", FlagType.BOOLEAN,
                (Boolean) null, EvaluationContext.of("user-1", Map.of("attr", attribute)));

        assertThat(result.value()).isEqualTo(matches);
    }

    /**
     * RE2/J compiles and matches recursively (once per nesting level and once per empty-width
     * step); the limits keep the deepest accepted pattern well inside a 512 KB thread stack,
     * half of the JVM's default.
     */
    @Test
    void the_deepest_accepted_patterns_compile_and_match_on_a_512_kb_thread_stack() throws InterruptedException {
        List<String> deepest = List.of("x{1,499}", "(){665}b", "(?:a?){998}b", "(".repeat(499) + "a" + ")".repeat(499));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<List<Boolean>> answers = new AtomicReference<>();
        Thread small = new Thread(null, () -> {
            try {
                answers.set(deepest.stream().map(pattern -> {
                    assertThat(ConditionSpec.of("attr", "matches", pattern).problem()).as(pattern).isNull();
                    return Evaluator.evaluate(Fixtures.view(ruleFlag(pattern)), "re.test", FlagType.BOOLEAN, (Boolean) null,
                            EvaluationContext.of("user-1", Map.of("attr", "xab"))).value();
                }).toList());
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "small-stack", 512 * 1024);
        small.start();
        small.join();

        assertThat(failure.get()).isNull();
        assertThat(answers.get()).containsExactly(true, true, true, true);
    }

    private static Flag ruleFlag(String pattern) {
        return booleanFlag("re.test").fallthrough("off")
                .rule("r", List.of(ConditionSpec.of("attr", "matches", pattern)), ServeSpec.variant("on")).build();
    }
}
