package io.flagplane.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class AggregateRefTest {

    static Stream<Arguments> refs() {
        return Stream.of(
                Arguments.of(new FlagRef("production", "checkout.new_ui"), "production/checkout.new_ui",
                        "production/checkout.new_ui", "flag", "flag 'checkout.new_ui' in environment 'production'"),
                Arguments.of(new SegmentRef("production", "beta-users"), "production/segment:beta-users",
                        "production/beta-users", "segment", "segment 'beta-users' in environment 'production'"),
                Arguments.of(new EnvironmentRef("staging"), "staging/environment:",
                        "staging/staging", "environment", "environment 'staging'"),
                Arguments.of(new ChangeRequestRef("production", "cr-1a2b"), "production/change-request:cr-1a2b",
                        "production/change-request:cr-1a2b", "change-request", "change request 'cr-1a2b' in environment 'production'"),
                Arguments.of(new PlanRef("production", "action-plan-rollout"), "production/plan:action-plan-rollout",
                        "production/plan:action-plan-rollout", "plan", "rollout plan 'action-plan-rollout' in environment 'production'"),
                Arguments.of(new ScheduleRef("production", "sc-9f8e"), "production/schedule:sc-9f8e",
                        "production/schedule:sc-9f8e", "schedule", "scheduled change 'sc-9f8e' in environment 'production'"));
    }

    @ParameterizedTest
    @MethodSource("refs")
    void each_kind_has_its_event_key_state_key_noun_and_description(AggregateRef ref, String eventKey, String stateKey,
                                                                    String noun, String describe) {
        assertThat(ref.eventKey()).isEqualTo(eventKey);
        assertThat(ref.stateKey()).isEqualTo(stateKey);
        assertThat(ref.noun()).isEqualTo(noun);
        assertThat(ref.describe()).isEqualTo(describe);
    }

    @ParameterizedTest
    @MethodSource("refs")
    void an_event_key_parses_back_to_the_ref_it_came_from(AggregateRef ref, String eventKey) {
        assertThat(AggregateRef.ofEventKey(eventKey)).isEqualTo(ref);
    }

    @Test
    void an_environment_is_its_own_environment_and_key() {
        EnvironmentRef staging = new EnvironmentRef("staging");
        assertThat(staging.environment()).isEqualTo("staging");
        assertThat(staging.key()).isEqualTo("staging");
    }

    @Test
    void state_keys_parse_to_the_kind_their_topic_holds() {
        assertThat(FlagRef.ofStateKey("production/checkout.new_ui")).isEqualTo(new FlagRef("production", "checkout.new_ui"));
        assertThat(SegmentRef.ofStateKey("production/beta-users")).isEqualTo(new SegmentRef("production", "beta-users"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "production", "/checkout", "production/", "production/segment:", "production/change-request:",
            "production/plan:",
            "production/schedule:"})
    void malformed_event_keys_are_refused(String key) {
        assertThatThrownBy(() -> AggregateRef.ofEventKey(key)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void a_null_key_is_refused() {
        assertThatThrownBy(() -> AggregateRef.ofEventKey(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FlagRef("production", null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void an_environment_with_a_slash_has_no_event_key() {
        assertThatThrownBy(() -> new FlagRef("prod/eu", "a.b").eventKey()).isInstanceOf(IllegalArgumentException.class);
    }
}
