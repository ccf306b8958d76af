package io.flagplane.command.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Seed 003's relative weights as basis points: largest remainder, exactly 10000, earlier variants first on a tie. */
class StandaloneExperimentTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            50 50                 | 5000 5000
            1 1                   | 5000 5000
            1 1 1                 | 3334 3333 3333
            1 2                   | 3333 6667
            2 1                   | 6667 3333
            33.3 66.7             | 3330 6670
            1 1 1 1 1 1           | 1667 1667 1667 1667 1666 1666
            0.5 0.25 0.25         | 5000 2500 2500
            1 1 1 1 1 1 1         | 1429 1429 1429 1429 1428 1428 1428
            10 20 30 40           | 1000 2000 3000 4000
            9999 1                | 9999 1
            3 3 1                 | 4286 4286 1428
            """)
    void relative_weights_become_basis_points_adding_up_to_exactly_10000(String weights, String expected) {
        List<BigDecimal> given = Arrays.stream(weights.split(" ")).map(BigDecimal::new).toList();

        int[] points = StandaloneExperiment.basisPoints(given);

        assertThat(points).containsExactly(Arrays.stream(expected.split(" ")).mapToInt(Integer::parseInt).toArray());
        assertThat(Arrays.stream(points).sum()).isEqualTo(DefinitionRules.TOTAL_WEIGHT);
    }
}
