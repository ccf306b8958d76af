package io.flagplane.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Before any figure means anything, every SDK must give the intended answers on every context.
 * This runs in the normal build, so a peer upgrade that changes semantics is caught there.
 */
class PeerAnswersTest {

    @TempDir
    Path dir;

    @Test
    void flagplane_answers_as_intended() {
        try (BenchmarkSdk sdk = new FlagplaneSdk(Scenario.PEOPLE)) {
            assertThat(AnswerCheck.problems(sdk)).isEmpty();
        }
    }

    @Test
    void launchdarkly_answers_as_intended() {
        try (BenchmarkSdk sdk = new LaunchDarklySdk(Scenario.PEOPLE, dir)) {
            assertThat(AnswerCheck.problems(sdk)).isEmpty();
        }
    }

    @Test
    void unleash_answers_as_intended() {
        try (BenchmarkSdk sdk = new UnleashSdk(Scenario.PEOPLE, dir)) {
            assertThat(AnswerCheck.problems(sdk)).isEmpty();
        }
    }

    @Test
    void flagd_answers_as_intended() {
        try (BenchmarkSdk sdk = new FlagdSdk(Scenario.PEOPLE, dir)) {
            assertThat(AnswerCheck.problems(sdk)).isEmpty();
        }
    }

    @Test
    void the_scenario_exercises_both_answers_of_every_targeted_flag() {
        for (String flag : new String[] {Scenario.THREE_CONDITIONS, Scenario.LISTS}) {
            long on = Scenario.PEOPLE.stream().filter(p -> Scenario.expected(flag, p)).count();
            assertThat(on).as(flag).isBetween(1L, (long) Scenario.CONTEXTS - 1);
        }
    }
}
