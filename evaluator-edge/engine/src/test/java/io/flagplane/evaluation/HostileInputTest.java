package io.flagplane.evaluation;

import static io.flagplane.evaluation.Fixtures.booleanFlag;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Operands a writer should never get past {@link ConditionSpec#problem()}, and contexts a caller
 * may send anyway: preparing never throws, and evaluating never throws or errors because of a
 * strange attribute value; such a value simply does not match.
 */
class HostileInputTest {

    /** Problem sentences are shown to API users: no exception class, package or library text. */
    static void assertNoClassNamesIn(String sentence) {
        assertThat(sentence).doesNotContain("Exception", "Error", "java.", "com.google", "re2j", "regex.",
                "For input string", "overflow");
    }

    static Stream<Arguments> refusedOperands() {
        return Stream.of(
                Arguments.of("before", "+999999999-12-31T23:59:59Z", "years 0000 to 9999"),
                Arguments.of("after", "-999999999-01-01T00:00:00Z", "years 0000 to 9999"),
                Arguments.of("after", "+10000-01-01T00:00:00Z", "years 0000 to 9999"),
                Arguments.of("before", "-0001-12-31T23:59:59Z", "years 0000 to 9999"),
                Arguments.of("before", "soon", "ISO-8601 instant"),
                Arguments.of("gt", "NaN", "finite number"),
                Arguments.of("lt", "Infinity", "finite number"),
                Arguments.of("gte", "-Infinity", "finite number"),
                Arguments.of("lte", "1e400", "finite number"),
                Arguments.of("gt", "ten", "number"),
                Arguments.of("semver_gt", "99999999999999999999.0.0", "semantic version"),
                Arguments.of("semver_lt", "one", "semantic version"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("refusedOperands")
    void operands_that_cannot_be_compared_are_refused_with_a_sentence_free_of_class_names(String operator, String operand,
                                                                                          String saying) {
        String problem = ConditionSpec.of("attr", operator, operand).problem();

        assertThat(problem).startsWith(operator + " ").contains(saying).contains(operand);
        assertNoClassNamesIn(problem);
    }

    static Stream<Arguments> acceptedOperands() {
        return Stream.of(
                Arguments.of("before", "0000-01-01T00:00:00Z"),
                Arguments.of("after", "9999-12-31T23:59:59.999999999Z"),
                Arguments.of("after", "2026-01-01T00:00:00+05:30"),
                Arguments.of("gt", "1.7976931348623157E308"),
                Arguments.of("lt", "-0"),
                Arguments.of("semver_gte", "9223372036854775807.0.0"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("acceptedOperands")
    void operands_at_the_edges_of_the_supported_ranges_are_accepted(String operator, String operand) {
        assertThat(ConditionSpec.of("attr", operator, operand).problem()).isNull();
    }

    /** Every operator against operands chosen to break parsers. */
    static Stream<Arguments> strangeSpecs() {
        List<String> strange = List.of("", " ", "\u0000", "\uD800", "NaN", "-Infinity", "1e400", "-1e400", "0x1p1024",
                "+999999999-12-31T23:59:59Z", "-1000000000-01-01T00:00:00Z", "9".repeat(1_024), "(".repeat(512),
                "\\", "{", "[", "1.0.0-" + "0".repeat(300), "999999999999999999999.1.1");
        List<Arguments> out = new ArrayList<>();
        for (Operator op : Operator.values()) {
            for (String operand : strange) {
                out.add(Arguments.of(op.wireName(), List.of(operand)));
            }
            out.add(Arguments.of(op.wireName(), List.of()));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("strangeSpecs")
    void preparing_a_condition_never_throws_and_any_refusal_is_a_plain_sentence(String operator, List<String> operands) {
        ConditionSpec spec = new ConditionSpec("attr", operator, operands);

        assertThatCode(() -> Condition.prepare(spec)).doesNotThrowAnyException();
        String problem = spec.problem();
        if (problem != null) {
            assertNoClassNamesIn(problem);
        }
    }

    static Stream<Arguments> hostileAttributes() {
        return Stream.of(
                Arguments.of("+999999999-12-31T23:59:59Z", "after", "2026-01-01T00:00:00Z", false),
                Arguments.of("-999999999-01-01T00:00:00Z", "before", "2026-01-01T00:00:00Z", false),
                Arguments.of(Instant.MAX, "after", "2026-01-01T00:00:00Z", false),
                Arguments.of(Instant.MIN, "before", "2026-01-01T00:00:00Z", false),
                Arguments.of(Double.NaN, "before", "2026-01-01T00:00:00Z", false),
                Arguments.of(Double.POSITIVE_INFINITY, "after", "2026-01-01T00:00:00Z", false),
                Arguments.of(1e300, "after", "2026-01-01T00:00:00Z", false),
                Arguments.of(Long.MAX_VALUE, "after", "2026-01-01T00:00:00Z", false),
                Arguments.of(Long.MIN_VALUE, "before", "2026-01-01T00:00:00Z", false),
                Arguments.of("2026-01-02T00:00:00Z", "after", "2026-01-01T00:00:00Z", true),
                Arguments.of(Double.NaN, "gt", "5", false),
                Arguments.of(Double.NaN, "lte", "5", false),
                Arguments.of("NaN", "lt", "5", false),
                Arguments.of(Double.POSITIVE_INFINITY, "gt", "5", false),
                Arguments.of(Double.NEGATIVE_INFINITY, "lt", "5", false),
                Arguments.of("Infinity", "gt", "5", false),
                Arguments.of("1e400", "gte", "5", false),
                Arguments.of("9".repeat(10_000), "gt", "5", false), // beyond a double: not a number to compare
                Arguments.of("99999999999999999999.0.0", "semver_gt", "1.0.0", false),
                Arguments.of("1.0.0-" + "9".repeat(200), "semver_gt", "1.0.0-1", true),
                Arguments.of("\uD800" + "x".repeat(50_000), "matches", "x$", true),
                Arguments.of(List.of(Double.NaN, "a"), "in", "a", true),
                Arguments.of(Map.of("nested", "a"), "in", "a", false));
    }

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @MethodSource("hostileAttributes")
    void hostile_attribute_values_never_throw_and_simply_do_not_match(Object value, String operator, String operand,
                                                                       boolean matches) {
        Flag flag = booleanFlag("hostile").fallthrough("off")
                .rule("r", List.of(ConditionSpec.of("attr", operator, operand)), ServeSpec.variant("on")).build();
        Map<String, Object> attributes = new HashMap<>();
        attributes.put("attr", value);

        Evaluation<Boolean> result = Evaluator.evaluate(Fixtures.view(flag), "hostile", FlagType.BOOLEAN, (Boolean) null,
                EvaluationContext.of("user-1", attributes));

        assertThat(result.errorCode()).as(String.valueOf(result.errorMessage())).isNull();
        assertThat(result.value()).isEqualTo(matches);
        assertThat(result.reason()).isEqualTo(matches ? Reason.TARGETING_MATCH : Reason.DEFAULT);
    }

    static Stream<Arguments> oddBucketingValues() {
        return Stream.of(
                Arguments.of(Double.NaN, null),
                Arguments.of(Double.NEGATIVE_INFINITY, null),
                Arguments.of("\uDC00\uD800" + "é".repeat(50_000), null),
                Arguments.of("", null),
                Arguments.of(List.of("a", "b"), ErrorCode.TARGETING_KEY_MISSING),
                Arguments.of(Map.of("k", "v"), ErrorCode.TARGETING_KEY_MISSING));
    }

    @ParameterizedTest(name = "bucket by {0}")
    @MethodSource("oddBucketingValues")
    void a_split_buckets_odd_values_or_says_there_is_nothing_to_bucket_by(Object value, ErrorCode error) {
        Flag flag = booleanFlag("split").fallthrough(ServeSpec.split(
                List.of(new ServeSpec.Weighted("on", 5_000), new ServeSpec.Weighted("off", 5_000)), "org")).build();
        Map<String, Object> attributes = new HashMap<>();
        attributes.put("org", value);

        Evaluation<Boolean> result = Evaluator.evaluate(Fixtures.view(flag), "split", FlagType.BOOLEAN, false,
                EvaluationContext.of("user-1", attributes));

        assertThat(result.errorCode()).isEqualTo(error);
        assertThat(result.reason()).isEqualTo(error == null ? Reason.SPLIT : Reason.ERROR);
    }
}
