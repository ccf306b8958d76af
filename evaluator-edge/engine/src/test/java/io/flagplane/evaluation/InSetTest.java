package io.flagplane.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code in}/{@code not_in} scan short operand lists and hash long ones ({@link Condition.InSet}):
 * both ways must give the same answer for every value, and the right way must be chosen.
 */
class InSetTest {

    /** Values an attribute may hold: operands and near misses, other types, lists, hash collisions. */
    private static final List<Object> PROBES = List.of(
            "US", "CA", "us", "USA", "U", "", "Aa", "BB", "AaAa", "BBBB", "AaBB", "ünïcödé", "7", "7.5", "true",
            7L, 7, 7.0, 7.5, true, false,
            List.of(), List.of("GB", "CA"), List.of("GB", "DE"), List.of(7L, "x"), List.of("BB"),
            Map.of("US", "US"));

    static Stream<Arguments> operandLists() {
        List<String> twenty = IntStream.range(0, 20).mapToObj(i -> "v" + i).toList();
        List<String> nine = new ArrayList<>(twenty.subList(0, 8));
        nine.add("US");
        return Stream.of(
                Arguments.of(List.of()),
                Arguments.of(List.of("US")),
                Arguments.of(List.of("US", "CA")),
                Arguments.of(List.of("US", "US", "CA")),          // duplicates
                Arguments.of(List.of("Aa", "7")),                 // "Aa" has the hash code of "BB"
                Arguments.of(List.of("AaAa", "true", "7.5", "")), // ... and "AaAa" that of "BBBB" and "AaBB"
                Arguments.of(List.of("ünïcödé", "USA", "U", "us")),
                Arguments.of(twenty.subList(0, 8)),
                Arguments.of(nine),
                Arguments.of(twenty));
    }

    @ParameterizedTest
    @MethodSource("operandLists")
    void scanning_and_hashing_give_the_same_answer_for_every_value(List<String> operands) {
        LinkedHashSet<String> distinct = new LinkedHashSet<>(operands);
        for (boolean negate : new boolean[] {false, true}) {
            Condition.InSet scanned = Condition.InSet.of("attr", distinct, negate, true);
            Condition.InSet hashed = Condition.InSet.of("attr", distinct, negate, false);
            for (Object probe : PROBES) {
                EvaluationContext context = EvaluationContext.of("k", Map.of("attr", probe));
                assertThat(scanned.matches(context, null, 0))
                        .as("%s %s %s", probe, negate ? "not_in" : "in", operands)
                        .isEqualTo(hashed.matches(context, null, 0))
                        .isEqualTo(expected(probe, distinct, negate));
            }
        }
    }

    /** The meaning, from the definition: a value (or, for a list, any element) as text is one of the operands. */
    private static boolean expected(Object probe, LinkedHashSet<String> operands, boolean negate) {
        if (probe instanceof List<?> list) {
            boolean any = list.stream().map(Condition::text).anyMatch(operands::contains);
            return any != negate;
        }
        String text = Condition.text(probe);
        return text != null && operands.contains(text) != negate;
    }

    @Test
    void a_value_matches_by_its_characters_not_by_being_the_same_string() {
        Condition.InSet in = Condition.InSet.of("country", List.of("US", "CA"), false);
        String built = new StringBuilder("S").insert(0, 'U').toString();
        assertThat(built).isNotSameAs("US");
        assertThat(in.contains(built)).isTrue();
        assertThat(in.contains("BB")).isFalse();
    }

    @Test
    void a_value_with_an_operands_hash_code_but_other_characters_does_not_match() {
        assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
        Condition.InSet in = Condition.InSet.of("attr", List.of("Aa"), false);
        assertThat(in.few).as("scanned").isNotNull();
        assertThat(in.contains("BB")).isFalse();
        assertThat(in.contains("Aa")).isTrue();
    }

    @Test
    void up_to_eight_distinct_operands_are_scanned_and_more_are_hashed() {
        List<String> eight = IntStream.range(0, 8).mapToObj(i -> "v" + i).toList();
        List<String> nine = IntStream.range(0, 9).mapToObj(i -> "v" + i).toList();
        List<String> eightWithRepeats = new ArrayList<>(eight);
        eightWithRepeats.addAll(eight);

        assertThat(Condition.InSet.of("a", eight, false).few).hasSize(8);
        assertThat(Condition.InSet.of("a", eightWithRepeats, false).few).as("counted once each").hasSize(8);
        assertThat(Condition.InSet.of("a", nine, false).few).isNull();
        assertThat(Condition.InSet.of("a", nine, false).many).hasSize(9);
    }

    @Test
    void rules_prepared_from_specs_use_the_same_membership_test() {
        Flag flag = Fixtures.booleanFlag("f").fallthrough("off")
                .rule("short", List.of(ConditionSpec.of("country", "in", "US", "CA")), ServeSpec.variant("on"))
                .build();
        FlagView view = Fixtures.view(flag);
        assertThat(Evaluator.evaluate(view, "f", FlagType.BOOLEAN, false,
                EvaluationContext.of("u", Map.of(new String("country".toCharArray()), new String("CA".toCharArray())))).value())
                .as("names and values built at run time").isTrue();
        assertThat(Evaluator.evaluate(view, "f", FlagType.BOOLEAN, false,
                EvaluationContext.of("u", Map.of("country", "GB"))).value()).isFalse();
    }
}
