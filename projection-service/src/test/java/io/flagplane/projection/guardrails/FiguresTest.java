package io.flagplane.projection.guardrails;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FiguresTest {

    @ParameterizedTest
    @CsvSource({"0.072, 7.2", "0.05, 5", "0.0725, 7.3", "0.5, 50", "1, 100", "0.004, 0.4", "0.00043, 0.043", "0, 0",
            "0.61, 61", "0.502, 50.2", "-0.004, -0.4"})
    void rates_read_as_percentages(double rate, String text) {
        assertThat(Figures.percent(rate)).isEqualTo(text);
    }

    @ParameterizedTest
    @CsvSource({"600, 10 min", "300, 5 min", "90, 90 s", "3600, 1 h", "5400, 1 h 30 min", "86400, 24 h", "30, 30 s"})
    void windows_read_in_the_largest_whole_unit(long seconds, String text) {
        assertThat(Figures.duration(seconds)).isEqualTo(text);
    }

    @ParameterizedTest
    @CsvSource({"120000, 2 min", "119000, 119 s", "599500, 10 min", "7200000, 2 h", "7500000, 2 h 5 min"})
    void elapsed_spans_are_rounded_for_reading(long millis, String text) {
        assertThat(Figures.elapsed(millis)).isEqualTo(text);
    }

    @ParameterizedTest
    @CsvSource({"0.0009, p < 0.001", "0.41, p = 0.41", "1, p = 1", "0.0123, p = 0.012"})
    void p_values_are_quoted_the_usual_way(double p, String text) {
        assertThat(Figures.pValue(p)).isEqualTo(text);
    }

    @ParameterizedTest
    @CsvSource({"5000, 50", "1000, 10", "3333, 33.33"})
    void split_weights_read_as_percentages(int basisPoints, String text) {
        assertThat(Figures.weight(basisPoints)).isEqualTo(text);
    }

    @ParameterizedTest
    @CsvSource({"1, 1 user", "1000, '1,000 users'", "0, 0 users"})
    void users_are_counted_in_words(long n, String text) {
        assertThat(Figures.users(n)).isEqualTo(text);
    }
}
