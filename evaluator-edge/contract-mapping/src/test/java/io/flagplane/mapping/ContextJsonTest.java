package io.flagplane.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagplane.evaluation.EvaluationContext;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A context arrives from anyone: its size is bounded, and each refusal names the field. */
class ContextJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    private static String quoted(String s) {
        return "\"" + s + "\"";
    }

    private static String attributes(int count) {
        StringBuilder b = new StringBuilder("{\"targetingKey\":\"u\"");
        for (int i = 0; i < count; i++) {
            b.append(",\"a").append(i).append("\":").append(i);
        }
        return b.append('}').toString();
    }

    private static String nested(int depth) {
        return "{\"deep\":" + "[".repeat(depth) + "1" + "]".repeat(depth) + "}";
    }

    private static String list(int items) {
        return "{\"tags\":[" + String.join(",", java.util.Collections.nCopies(items, "\"t\"")) + "]}";
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("too many attributes", attributes(1_001), "\"context\"", "1000 attributes"),
                Arguments.of("a long attribute name", "{" + quoted("n".repeat(257)) + ":1}", "\"context\"", "256 characters"),
                Arguments.of("a long string value", "{\"bio\":" + quoted("x".repeat(10_001)) + "}", "\"context.bio\"",
                        "10000 characters"),
                Arguments.of("a long string in a list", "{\"tags\":[\"ok\"," + quoted("x".repeat(10_001)) + "]}",
                        "\"context.tags[1]\"", "10000 characters"),
                Arguments.of("a long string in an object", "{\"address\":{\"city\":" + quoted("x".repeat(10_001)) + "}}",
                        "\"context.address.city\"", "10000 characters"),
                Arguments.of("a long name in an object", "{\"address\":{" + quoted("n".repeat(257)) + ":1}}",
                        "\"context.address\"", "256 characters"),
                Arguments.of("a long list", list(1_001), "\"context.tags\"", "1000 items"),
                Arguments.of("nesting too deep", nested(11), "\"context.deep", "10 levels"),
                Arguments.of("a long targeting key", "{\"targetingKey\":" + quoted("k".repeat(1_025)) + "}",
                        "\"context.targetingKey\"", "1024 characters"),
                Arguments.of("a number beyond a double", "{\"age\":1e400}", "\"context.age\"", "finite number"),
                Arguments.of("a negative number beyond a double", "{\"age\":-1e400}", "\"context.age\"", "finite number"),
                Arguments.of("a huge integer", "{\"n\":1" + "0".repeat(400) + "}", "\"context.n\"", "finite number"),
                Arguments.of("a huge number in a list", "{\"ns\":[1,1e999]}", "\"context.ns[1]\"", "finite number"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void oversized_or_non_finite_contexts_are_refused_naming_the_field(String what, String context, String field,
                                                                       String saying) throws Exception {
        JsonNode node = json(context);

        assertThatThrownBy(() -> ContextJson.fromJson(node)).as(what)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(field)
                .hasMessageContaining(saying);
    }

    @Test
    void contexts_exactly_at_every_bound_are_accepted() throws Exception {
        assertThat(ContextJson.fromJson(json(attributes(1_000))).attributes()).hasSize(1_000);
        assertThat(ContextJson.fromJson(json("{" + quoted("n".repeat(256)) + ":1}")).attribute("n".repeat(256))).isEqualTo(1L);
        assertThat(ContextJson.fromJson(json("{\"bio\":" + quoted("x".repeat(10_000)) + "}")).attribute("bio"))
                .isEqualTo("x".repeat(10_000));
        assertThat((List<?>) ContextJson.fromJson(json(list(1_000))).attribute("tags")).hasSize(1_000);
        assertThat(ContextJson.fromJson(json(nested(10))).attribute("deep")).isInstanceOf(List.class);
        assertThat(ContextJson.fromJson(json("{\"targetingKey\":" + quoted("k".repeat(1_024)) + "}")).targetingKey())
                .hasSize(1_024);
        assertThat(ContextJson.fromJson(json("{\"x\":1.7976931348623157e308}")).attribute("x")).isEqualTo(Double.MAX_VALUE);
    }

    @Test
    void the_limits_are_published_for_the_edge_and_the_sdk_to_document() {
        assertThat(List.of(ContextJson.MAX_ATTRIBUTES, ContextJson.MAX_NAME_LENGTH, ContextJson.MAX_STRING_LENGTH,
                ContextJson.MAX_LIST_ITEMS, ContextJson.MAX_DEPTH, ContextJson.MAX_TARGETING_KEY_LENGTH))
                .containsExactly(1_000, 256, 10_000, 1_000, 10, 1_024);
    }

    @Test
    void a_valid_context_becomes_plain_java_and_drops_top_level_nulls() throws Exception {
        EvaluationContext context = ContextJson.fromJson(json(
                "{\"targetingKey\":\"user-1\",\"tier\":\"pro\",\"age\":31,\"score\":2.5,\"beta\":true,"
                        + "\"tags\":[\"a\",null],\"address\":{\"city\":\"Pune\"},\"gone\":null}"));

        assertThat(context.targetingKey()).isEqualTo("user-1");
        assertThat(context.attributes()).containsOnlyKeys("tier", "age", "score", "beta", "tags", "address")
                .containsEntry("age", 31L).containsEntry("score", 2.5).containsEntry("address", Map.of("city", "Pune"));
    }
}
