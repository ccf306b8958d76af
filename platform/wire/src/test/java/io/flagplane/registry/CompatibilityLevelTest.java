package io.flagplane.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CompatibilityLevelTest {

    private static Schema schema(String fields) {
        return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"R\",\"fields\":[" + fields + "]}");
    }

    static final Schema A = schema("{\"name\":\"a\",\"type\":\"string\"}");
    static final Schema A_B_DEFAULT = schema("{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"b\",\"type\":\"int\",\"default\":1}");
    static final Schema A_B_REQUIRED = schema("{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"b\",\"type\":\"int\"}");
    static final Schema B_ONLY = schema("{\"name\":\"b\",\"type\":\"int\",\"default\":1}");

    private static Schema named(String name) {
        return switch (name) {
            case "A" -> A;
            case "A_B_DEFAULT" -> A_B_DEFAULT;
            case "A_B_REQUIRED" -> A_B_REQUIRED;
            case "B_ONLY" -> B_ONLY;
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest(name = "{0}: {1} after {2} -> compatible={3}")
    @CsvSource({
            "BACKWARD,        A_B_DEFAULT,  A,            true",
            "BACKWARD,        A_B_REQUIRED, A,            false",
            "BACKWARD,        A,            A_B_REQUIRED, true",
            "FORWARD,         A,            A_B_REQUIRED, false",
            "FORWARD,         A_B_REQUIRED, A,            true",
            "FULL,            A_B_DEFAULT,  A,            true",
            "FULL,            A_B_REQUIRED, A,            false",
            "NONE,            A_B_REQUIRED, A,            true",
            "BACKWARD,        B_ONLY,       A,            true",
            "FORWARD,         B_ONLY,       A,            false",
    })
    void levels_follow_the_confluent_definitions(CompatibilityLevel level, String candidate, String previous,
                                                 boolean compatible) {
        assertThat(level.violations(named(candidate), List.of(named(previous))).isEmpty()).isEqualTo(compatible);
    }

    @ParameterizedTest(name = "{0} checks the oldest version: {1}")
    @CsvSource({"BACKWARD, true", "BACKWARD_TRANSITIVE, false"})
    void transitive_levels_check_every_earlier_version(CompatibilityLevel level, boolean compatible) {
        // A_B_REQUIRED reads A_B_DEFAULT data but not the first version's (A) data
        List<Schema> history = List.of(A, A_B_DEFAULT);

        assertThat(level.violations(A_B_REQUIRED, history).isEmpty()).isEqualTo(compatible);
    }

    @ParameterizedTest
    @CsvSource({"backward, BACKWARD", " full_transitive , FULL_TRANSITIVE"})
    void levels_parse_case_insensitively(String text, CompatibilityLevel expected) {
        assertThat(CompatibilityLevel.parse(text)).contains(expected);
    }
}
