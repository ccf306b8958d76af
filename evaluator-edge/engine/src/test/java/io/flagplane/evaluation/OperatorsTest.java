package io.flagplane.evaluation;

import static io.flagplane.evaluation.Fixtures.booleanFlag;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every operator, table-driven: attribute value, operator, operands, whether the rule matches. */
class OperatorsTest {

    static Stream<Arguments> cases() {
        Instant launch = Instant.parse("2026-01-01T00:00:00Z");
        return Stream.of(
                Arguments.of("ADMIN", "in", List.of("ADMIN", "ORGANIZER"), true),
                Arguments.of("CUSTOMER", "in", List.of("ADMIN", "ORGANIZER"), false),
                Arguments.of(List.of("finance", "admin"), "in", List.of("admin"), true),
                Arguments.of(List.of("finance", "ops"), "in", List.of("admin"), false),
                Arguments.of(7L, "in", List.of("7", "8"), true),
                Arguments.of(7.0, "in", List.of("7"), true),
                Arguments.of("CUSTOMER", "not_in", List.of("ADMIN"), true),
                Arguments.of("ADMIN", "not_in", List.of("ADMIN"), false),
                Arguments.of(List.of("finance", "admin"), "not_in", List.of("admin"), false),
                Arguments.of("Mumbai", "eq", List.of("Mumbai"), true),
                Arguments.of("mumbai", "eq", List.of("Mumbai"), false),
                Arguments.of(true, "eq", List.of("true"), true),
                Arguments.of("Delhi", "neq", List.of("Mumbai"), true),
                Arguments.of("alice@example.com", "ends_with", List.of("@example.com"), true),
                Arguments.of("alice@example.org", "ends_with", List.of("@example.com"), false),
                Arguments.of("beta-tester-9", "starts_with", List.of("alpha-", "beta-"), true),
                Arguments.of("checkout-redesign", "contains", List.of("redesign"), true),
                Arguments.of("user-1234", "matches", List.of("^user-\\d{4}$"), true),
                Arguments.of("user-12a4", "matches", List.of("^user-\\d{4}$"), false),
                Arguments.of(17, "lt", List.of("18"), true),
                Arguments.of(18, "lt", List.of("18"), false),
                Arguments.of(18, "lte", List.of("18"), true),
                Arguments.of("21.5", "gt", List.of("21"), true),
                Arguments.of("many", "gt", List.of("21"), false),
                Arguments.of(21, "gte", List.of("21.0"), true),
                Arguments.of("2.10.0", "semver_gt", List.of("2.9.9"), true),
                Arguments.of("2.0.0-rc.1", "semver_lt", List.of("2.0.0"), true),
                Arguments.of("v1.4", "semver_eq", List.of("1.4.0"), true),
                Arguments.of("1.4.1", "semver_gte", List.of("1.4.1"), true),
                Arguments.of("1.4.0", "semver_lte", List.of("1.3.9"), false),
                Arguments.of("not-a-version", "semver_gte", List.of("1.0.0"), false),
                Arguments.of(launch.minusSeconds(1), "before", List.of("2026-01-01T00:00:00Z"), true),
                Arguments.of("2026-01-02T00:00:00Z", "after", List.of("2026-01-01T00:00:00Z"), true),
                Arguments.of(launch.toEpochMilli() + 1, "after", List.of("2026-01-01T00:00:00+00:00"), true),
                Arguments.of("yesterday", "before", List.of("2026-01-01T00:00:00Z"), false),
                // unknown operators and bad operands never match: an older edge survives a newer rule
                Arguments.of("ADMIN", "similar_to", List.of("ADMIN"), false),
                Arguments.of("ADMIN", "matches", List.of("(unclosed"), false),
                Arguments.of(5, "lt", List.of("ten"), false),
                Arguments.of("1.0.0", "semver_gt", List.of("one"), false),
                Arguments.of("2026-01-01T00:00:00Z", "after", List.of("soon"), false));
    }

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @MethodSource("cases")
    void operator_semantics(Object attributeValue, String operator, List<String> operands, boolean matches) {
        Map<String, Object> attributes = new HashMap<>();
        attributes.put("attr", attributeValue);
        Flag flag = booleanFlag("op.test").fallthrough("off")
                .rule("r", List.of(new ConditionSpec("attr", operator, operands)), ServeSpec.variant("on")).build();

        Evaluation<Boolean> result = Evaluator.evaluate(Fixtures.view(flag), "op.test", FlagType.BOOLEAN, (Boolean) null,
                EvaluationContext.of("user-1", attributes));

        assertThat(result.value()).isEqualTo(matches);
        assertThat(result.reason()).isEqualTo(matches ? Reason.TARGETING_MATCH : Reason.DEFAULT);
    }

    @ParameterizedTest(name = "missing attribute never matches {0}")
    @MethodSource("operatorNames")
    void a_missing_attribute_never_matches_not_even_a_negated_operator(String operator) {
        Flag flag = booleanFlag("op.test").fallthrough("off")
                .rule("r", List.of(ConditionSpec.of("absent", operator, "x")), ServeSpec.variant("on")).build();

        assertThat(Evaluator.evaluate(Fixtures.view(flag), "op.test", FlagType.BOOLEAN, (Boolean) null, EvaluationContext.of("u")).value())
                .isFalse();
    }

    static Stream<String> operatorNames() {
        return Stream.of(Operator.values()).filter(op -> op != Operator.IN_SEGMENT).map(Operator::wireName);
    }

    @ParameterizedTest
    @MethodSource("operatorNames")
    void every_listed_operator_is_known(String operator) {
        assertThat(Operator.parse(operator)).isNotNull();
    }

    @org.junit.jupiter.api.Test
    void sound_conditions_report_no_problem_and_broken_ones_say_why() {
        assertThat(ConditionSpec.of("role", "in", "admin").problem()).isNull();
        assertThat(ConditionSpec.of("role", "similar_to", "admin").problem()).contains("unknown operator similar_to");
        assertThat(ConditionSpec.of("email", "matches", "(").problem()).contains("matches");
        assertThat(ConditionSpec.of("age", "gt").problem()).contains("needs one operand");
    }
}
