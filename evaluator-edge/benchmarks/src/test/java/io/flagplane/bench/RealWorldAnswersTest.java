package io.flagplane.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real-world shapes (issue 17): every SDK measured on them gives the intended answers on every
 * context, and the scenario is the shape it claims to be (two-value lists, three attributes, the
 * fifth of five rules matching everyone).
 */
class RealWorldAnswersTest {

    @TempDir
    Path dir;

    @Test
    void flagplane_client_booted_offline_from_a_snapshot_file_answers_as_intended() {
        try (BenchmarkSdk sdk = new FlagplaneClientSdk(RealWorldScenario.PEOPLE, dir)) {
            assertThat(AnswerCheck.problems(sdk, RealWorldScenario.ORACLE)).isEmpty();
        }
    }

    @Test
    void flagplane_engine_answers_as_intended() {
        try (BenchmarkSdk sdk = new FlagplaneSdk(FlagplaneClientSdk.states(RealWorldScenario.SHAPES),
                FlagplaneClientSdk.contexts(RealWorldScenario.PEOPLE), false)) {
            assertThat(AnswerCheck.problems(sdk, RealWorldScenario.ORACLE)).isEmpty();
        }
    }

    @Test
    void launchdarkly_answers_as_intended() {
        try (BenchmarkSdk sdk = LaunchDarklySdk.realWorld(RealWorldScenario.PEOPLE, dir)) {
            assertThat(AnswerCheck.problems(sdk, RealWorldScenario.ORACLE)).isEmpty();
        }
    }

    @Test
    void the_answer_check_catches_an_sdk_that_serves_defaults() {
        BenchmarkSdk defaults = new BenchmarkSdk() {
            @Override
            public String name() {
                return "defaults";
            }

            @Override
            public boolean evaluate(String flag, int context) {
                return false;
            }

            @Override
            public void close() {
            }
        };
        assertThat(AnswerCheck.problems(defaults, RealWorldScenario.ORACLE))
                .anyMatch(p -> p.contains(RealWorldScenario.STATIC))
                .anyMatch(p -> p.contains(RealWorldScenario.SPLIT) && p.contains("expected about 50 %"))
                .anyMatch(p -> p.contains(RealWorldScenario.FIVE_RULES));
    }

    @Test
    void every_list_in_a_rule_holds_two_values() {
        for (RealWorldScenario.Shape shape : RealWorldScenario.SHAPES) {
            for (List<RealWorldScenario.In> rule : shape.rules()) {
                assertThat(rule).allSatisfy(in -> assertThat(in.values()).as(shape.key()).hasSize(2));
            }
        }
        assertThat(RealWorldScenario.shape(RealWorldScenario.THREE_CONDITIONS).rules()).singleElement()
                .satisfies(rule -> assertThat(rule).hasSize(3));
        assertThat(RealWorldScenario.shape(RealWorldScenario.FIVE_RULES).rules()).hasSize(5)
                .allSatisfy(rule -> assertThat(rule).hasSize(2));
        assertThat(RealWorldScenario.shape(RealWorldScenario.LISTS).allow()).hasSize(100);
        assertThat(RealWorldScenario.shape(RealWorldScenario.LISTS).deny()).hasSize(100);
    }

    @Test
    void only_the_fifth_of_the_five_rules_matches_and_it_matches_everyone() {
        List<List<RealWorldScenario.In>> rules = RealWorldScenario.shape(RealWorldScenario.FIVE_RULES).rules();
        for (RealWorldScenario.Person p : RealWorldScenario.PEOPLE) {
            for (int r = 0; r < 4; r++) {
                assertThat(matches(rules.get(r), p)).as("rule %d, %s", r + 1, p).isFalse();
            }
            assertThat(matches(rules.get(4), p)).as("rule 5, %s", p).isTrue();
        }
        long reachSecondCondition = RealWorldScenario.PEOPLE.stream()
                .filter(p -> matches(List.of(rules.get(1).get(0)), p)).count();
        assertThat(reachSecondCondition).as("rule 2 is tried to its second condition for some").isPositive();
    }

    @Test
    void the_three_condition_rule_gives_both_answers() {
        long on = RealWorldScenario.PEOPLE.stream()
                .filter(p -> RealWorldScenario.expected(RealWorldScenario.THREE_CONDITIONS, p)).count();
        assertThat(on).isBetween(1L, (long) RealWorldScenario.CONTEXTS - 1);
        assertThat(RealWorldScenario.PEOPLE).allSatisfy(p ->
                assertThat(RealWorldScenario.expected(RealWorldScenario.THREE_CONDITIONS, p))
                        .isEqualTo(matches(RealWorldScenario.shape(RealWorldScenario.THREE_CONDITIONS).rules().get(0), p)));
    }

    private static boolean matches(List<RealWorldScenario.In> rule, RealWorldScenario.Person p) {
        return rule.stream().allMatch(in -> in.values().contains(switch (in.attribute()) {
            case "country" -> p.country();
            case "role" -> p.role();
            case "tier" -> p.tier();
            default -> throw new IllegalArgumentException(in.attribute());
        }));
    }
}
