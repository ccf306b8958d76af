package io.flagplane.projection.plans;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventKeysTest {

    @ParameterizedTest
    @CsvSource({
            "production/plan:seed-001-rollout, production, seed-001-rollout, plan",
            "production/schedule:s-42, production, s-42, scheduled-change",
            "production/checkout.new_ui, production, checkout.new_ui, flag",
            "production/segment:beta-users, production, beta-users, segment",
            "production/change-request:cr-1, production, cr-1, change-request",
            "staging/environment:, staging, staging, environment"})
    void a_record_key_is_named_as_what_it_is(String recordKey, String environment, String key, String noun) {
        assertThat(EventKeys.of(recordKey)).isEqualTo(new EventKeys.Named(environment, key, noun));
    }
}
