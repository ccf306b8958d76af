package io.flagplane.projection.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.PlanStepStarted;
import io.flagplane.fixtures.Events;
import io.flagplane.projection.guardrails.Plans;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a plan's event looks on the live event stream, and which filters it passes. */
class EventStreamRenderTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final FlagEvent stepStarted = Events.on(Plans.ENV, Plans.PLAN).version(4).with(new PlanStepStarted(1, List.of()));

    @Test
    void a_plan_event_is_a_plan_with_a_sentence_naming_the_step() throws Exception {
        JsonNode rendered = JSON.readTree(EventStream.render(stepStarted, Plans.seed001().definition()));

        assertThat(rendered.get("kind").asText()).isEqualTo("plan");
        assertThat(rendered.get("key").asText()).isEqualTo(Plans.PLAN);
        assertThat(rendered.get("type").asText()).isEqualTo("PlanStepStarted");
        assertThat(rendered.get("summary").asText()).isEqualTo("plan seed-001-rollout: step beta started (2 of 4)");
    }

    @Test
    void without_the_plans_definition_the_step_is_named_by_number() throws Exception {
        JsonNode rendered = JSON.readTree(EventStream.render(stepStarted));

        assertThat(rendered.get("summary").asText()).isEqualTo("plan seed-001-rollout: step 2 started");
    }

    @Test
    void a_flag_filter_does_not_let_a_plan_through_but_a_type_filter_does() {
        assertThat(EventStream.matches(new EventStream.Filter(null, Plans.PLAN, null, null, env -> true), stepStarted, List.of()))
                .isFalse();
        assertThat(EventStream.matches(new EventStream.Filter(Plans.ENV, null, null, "PlanStepStarted", env -> true), stepStarted,
                List.of())).isTrue();
    }

    @Test
    void a_flag_event_has_no_summary() throws Exception {
        JsonNode rendered = JSON.readTree(EventStream.render(Events.on(Plans.ENV, Plans.FLAG).version(2).killed()));

        assertThat(rendered.has("summary")).isFalse();
        assertThat(rendered.get("kind").asText()).isEqualTo("flag");
    }
}
