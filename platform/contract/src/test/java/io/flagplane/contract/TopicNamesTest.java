package io.flagplane.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicNamesTest {

    @Test
    void default_names_have_no_prefix() {
        assertThat(TopicNames.DEFAULT).isEqualTo(new TopicNames("flag-events", "flag-state", "segment-state", "flag-events-dlq",
                "evaluator-reports", "command-leader", "flag-notices",
                "flag-exposures", "tracking-events", "release-signals"));
    }

    @Test
    void a_prefix_goes_in_front_of_every_topic() {
        assertThat(TopicNames.withPrefix("team-a.")).isEqualTo(new TopicNames("team-a.flag-events", "team-a.flag-state", "team-a.segment-state",
                "team-a.flag-events-dlq", "team-a.evaluator-reports", "team-a.command-leader", "team-a.flag-notices",
                "team-a.flag-exposures", "team-a.tracking-events", "team-a.release-signals"));
    }

    @Test
    void a_prefix_with_characters_kafka_refuses_is_refused() {
        assertThatThrownBy(() -> TopicNames.withPrefix("a/b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a/b");
    }
}
