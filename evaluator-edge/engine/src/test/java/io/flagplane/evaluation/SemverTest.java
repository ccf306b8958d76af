package io.flagplane.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SemverTest {

    @Test
    void precedence_follows_semver_2() {
        // the ordering example of semver.org §11
        List<String> ascending = List.of("1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
                "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0", "10.0.0");
        for (int i = 0; i + 1 < ascending.size(); i++) {
            Semver lower = Semver.parse(ascending.get(i));
            Semver higher = Semver.parse(ascending.get(i + 1));
            assertThat(lower.compareTo(higher)).as("%s < %s", lower, higher).isNegative();
            assertThat(higher.compareTo(lower)).isPositive();
        }
    }

    @Test
    void build_metadata_is_ignored_and_short_forms_and_a_v_are_accepted() {
        assertThat(Semver.parse("1.2.3+build.7")).isEqualTo(Semver.parse("1.2.3"));
        assertThat(Semver.parse("v2")).isEqualTo(Semver.parse("2.0.0"));
        assertThat(Semver.parse("2.1")).isEqualTo(Semver.parse("2.1.0"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "1.2.3.4", "01.2.3", "1.2.3-", "-1.0.0"})
    void malformed_versions_do_not_parse(String text) {
        assertThat(Semver.parse(text)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"9223372036854775808.0.0", "1.99999999999999999999.0", "1.0.99999999999999999999"})
    void versions_with_a_part_beyond_a_long_do_not_parse(String text) {
        assertThat(Semver.parse(text)).isNull();
    }

    @Test
    void huge_numeric_pre_release_identifiers_compare_by_length_without_overflow() {
        assertThat(Semver.parse("1.0.0-" + "9".repeat(100)).compareTo(Semver.parse("1.0.0-" + "9".repeat(99)))).isPositive();
    }
}
