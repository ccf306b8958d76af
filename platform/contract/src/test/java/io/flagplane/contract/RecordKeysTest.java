package io.flagplane.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RecordKeysTest {

    @Test
    void key_is_environment_slash_flag_key_and_parses_back() {
        String key = RecordKeys.of("production", "checkout.new_ui");
        assertThat(key).isEqualTo("production/checkout.new_ui");
        assertThat(RecordKeys.parse(key)).isEqualTo(new RecordKeys.Parts("production", "checkout.new_ui"));
    }

    @Test
    void a_plan_is_keyed_by_its_environment_and_plan_prefix_on_both_topics_it_is_on() {
        String key = RecordKeys.ofPlanEvents("production", "action-plan-rollout");
        assertThat(key).isEqualTo("production/plan:action-plan-rollout");
        assertThat(RecordKeys.parse(key)).isEqualTo(new RecordKeys.Parts("production", "plan:action-plan-rollout"));
        assertThat(AggregateRef.ofEventKey(key)).isEqualTo(new PlanRef("production", "action-plan-rollout"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "production", "/checkout", "production/"})
    void malformed_keys_are_refused(String key) {
        assertThatThrownBy(() -> RecordKeys.parse(key)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void environment_with_a_slash_is_refused() {
        assertThatThrownBy(() -> RecordKeys.of("prod/eu", "a.b")).isInstanceOf(IllegalArgumentException.class);
    }
}
