package io.flagplane.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * A context keeps up to {@value EvaluationContext#SMALL} attributes in arrays it scans and more in
 * a HashMap: either way every attribute is found, by any String with its name.
 */
class EvaluationContextTest {

    private static Map<String, Object> attributes(int count) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            map.put("attr" + i, "value" + i);
        }
        return map;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 8, 9, 1_000})
    void every_attribute_is_found_by_a_name_built_at_run_time_and_no_other(int count) {
        EvaluationContext context = EvaluationContext.of("user-1", attributes(count));
        for (int i = 0; i < count; i++) {
            String name = new StringBuilder("attr").append(i).toString();
            assertThat(context.attributeValue(name)).as(name).isEqualTo("value" + i);
            assertThat(context.attribute(name)).isEqualTo("value" + i);
        }
        assertThat(context.attributeValue("attr" + count)).isNull();
        assertThat(context.attributeValue("ATTR0")).isNull();
        assertThat(context.attributes()).isEqualTo(attributes(count));
    }

    @Test
    void a_name_with_an_attributes_hash_code_but_other_characters_finds_nothing() {
        assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
        EvaluationContext context = EvaluationContext.of("u", Map.of("Aa", "x", "tier", "pro"));
        assertThat(context.attributeValue("BB")).isNull();
        assertThat(context.attributeValue("Aa")).isEqualTo("x");
    }

    @Test
    void the_targeting_key_is_its_own_field_not_an_attribute() {
        EvaluationContext context = EvaluationContext.of("user-1", Map.of("tier", "pro"));
        assertThat(context.attribute(EvaluationContext.TARGETING_KEY)).isEqualTo("user-1");
        assertThat(context.attributeValue(EvaluationContext.TARGETING_KEY)).isNull();
        assertThat(context.attributes()).doesNotContainKey(EvaluationContext.TARGETING_KEY);
    }

    @Test
    void a_null_name_or_value_is_an_absent_attribute_and_nothing_breaks() {
        Map<String, Object> map = new HashMap<>();
        map.put(null, "ignored");
        map.put("empty", null);
        map.put("tier", "pro");
        EvaluationContext context = EvaluationContext.of("u", map);
        assertThat(context.attribute(null)).isNull();
        assertThat(context.attributeValue("empty")).isNull();
        assertThat(context.attributeValue("tier")).isEqualTo("pro");
        assertThat(context.attributes()).containsEntry("tier", "pro").containsEntry("empty", null).doesNotContainKey(null);
    }

    @Test
    void the_context_keeps_its_own_copy_and_shows_it_unmodifiable() {
        Map<String, Object> map = new HashMap<>(Map.of("tier", "pro"));
        EvaluationContext context = EvaluationContext.of("u", map);
        map.put("tier", "free");
        map.put("country", "US");
        assertThat(context.attributeValue("tier")).isEqualTo("pro");
        assertThat(context.attributeValue("country")).isNull();
        assertThatThrownBy(() -> context.attributes().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void rules_match_on_small_and_large_contexts_alike() {
        Flag flag = Fixtures.booleanFlag("f").fallthrough("off")
                .rule("pro", java.util.List.of(ConditionSpec.of("tier", "in", "pro", "enterprise")), ServeSpec.variant("on"))
                .build();
        FlagView view = Fixtures.view(flag);
        for (int extra : new int[] {0, 2, 7, 8, 20}) {
            Map<String, Object> map = attributes(extra);
            map.put(new String("tier".toCharArray()), "enterprise");
            assertThat(Evaluator.evaluate(view, "f", FlagType.BOOLEAN, false, EvaluationContext.of("u", map)).value())
                    .as("%d other attributes", extra).isTrue();
            map.put("tier", "free");
            assertThat(Evaluator.evaluate(view, "f", FlagType.BOOLEAN, false, EvaluationContext.of("u", map)).value())
                    .as("%d other attributes", extra).isFalse();
        }
    }
}
