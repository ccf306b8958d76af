package io.flagplane.projection.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flagplane.avro.FlagState;
import io.flagplane.avro.Prerequisite;
import io.flagplane.avro.SegmentState;
import io.flagplane.evaluation.EvaluationContext;
import io.flagplane.evaluation.Reason;
import io.flagplane.fixtures.States;
import io.flagplane.registry.InMemorySchemaRegistry;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A time-travel evaluation over segments as another instance sends them: the contract's Avro, through the one mapper. */
class TimeTravelTest {

    private static final Instant AT = Instant.parse("2026-11-21T09:00:00Z");
    private final StateWire wire = new StateWire(new InMemorySchemaRegistry(), "flag-state", "segment-state");
    private final FlagState flag = States.segmentGated("production", "checkout.new_ui", 4, "beta-users");

    /** Each segment sent over the wire and read back, as a neighbour instance would. */
    private TimeTravel.Answer evaluate(String targetingKey, Map<String, SegmentState> segments) {
        Map<String, byte[]> sent = new HashMap<>();
        segments.forEach((key, state) -> sent.put(key, wire.encodeSegment(state)));
        return TimeTravel.evaluate(flag, AT, EvaluationContext.of(targetingKey),
                key -> sent.containsKey(key) ? wire.decodeSegment(sent.get(key), "neighbour:8082") : null, key -> null);
    }

    @Test
    void a_member_of_a_segment_sent_as_avro_matches_the_rule_and_others_fall_through() {
        Map<String, SegmentState> segments = Map.of("beta-users", States.segment("production", "beta-users", 2, "u-1"));

        TimeTravel.Answer member = evaluate("u-1", segments);
        assertThat(member.value()).isEqualTo(true);
        assertThat(member.variant()).isEqualTo("on");
        assertThat(member.reason()).isEqualTo(Reason.TARGETING_MATCH);
        assertThat(member.flagVersion()).isEqualTo(4);
        assertThat(member.asOf()).isEqualTo(AT);
        assertThat(member.errorCode()).isNull();

        TimeTravel.Answer other = evaluate("u-9", segments);
        assertThat(other.value()).isEqualTo(false);
        assertThat(other.reason()).isNotEqualTo(Reason.TARGETING_MATCH);
    }

    @Test
    void a_segment_that_did_not_exist_then_contains_nobody() {
        TimeTravel.Answer answer = evaluate("u-1", Map.of());

        assertThat(answer.value()).isEqualTo(false);
        assertThat(answer.reason()).isNotEqualTo(Reason.TARGETING_MATCH);
    }

    @Test
    void an_archived_segment_contains_nobody_even_its_old_members() {
        SegmentState archived = SegmentState.newBuilder(States.segment("production", "beta-users", 3, "u-1")).setArchived(true)
                .build();

        assertThat(evaluate("u-1", Map.of("beta-users", archived)).value()).isEqualTo(false);
    }

    @Test
    void a_prerequisite_is_evaluated_as_it_was_then_sent_as_avro_by_the_instance_holding_it() {
        FlagState ui = States.booleanState("production", "charges.ui", 3);
        ui.getDefinition().setPrerequisites(List.of(new Prerequisite("charges.engine", List.of("on"))));
        FlagState engineThen = States.booleanState("production", "charges.engine", 1);
        FlagState engineKilled = FlagState.newBuilder(States.booleanState("production", "charges.engine", 2)).setKilled(true).build();
        Map<String, byte[]> asked = new HashMap<>();

        TimeTravel.Answer before = TimeTravel.evaluate(ui, AT, EvaluationContext.of("u-1"), key -> null,
                key -> wire.decodeFlag(asked.computeIfAbsent(key, k -> wire.encodeFlag(engineThen)), "neighbour:8082"));
        TimeTravel.Answer after = TimeTravel.evaluate(ui, AT, EvaluationContext.of("u-1"), key -> null,
                key -> wire.decodeFlag(wire.encodeFlag(engineKilled), "neighbour:8082"));
        TimeTravel.Answer missing = TimeTravel.evaluate(ui, AT, EvaluationContext.of("u-1"), key -> null, key -> null);

        assertThat(asked).containsOnlyKeys("charges.engine");
        assertThat(before.value()).isEqualTo(true);
        assertThat(before.reasonDetail()).isNull();
        assertThat(after.value()).isEqualTo(false);
        assertThat(after.reason()).isEqualTo(Reason.PREREQUISITE_FAILED);
        assertThat(after.reasonDetail()).isEqualTo("prerequisite charges.engine served off, needs on");
        assertThat(missing.reasonDetail()).isEqualTo("prerequisite charges.engine does not exist, needs on");
    }

    @Test
    void segments_named_by_a_prerequisite_are_fetched_as_of_the_instant_too() {
        FlagState ui = States.booleanState("production", "charges.ui", 3);
        ui.getDefinition().setPrerequisites(List.of(new Prerequisite("checkout.new_ui", List.of("on"))));
        Map<String, SegmentState> segments = Map.of("beta-users", States.segment("production", "beta-users", 2, "u-1"));

        TimeTravel.Answer member = TimeTravel.evaluate(ui, AT, EvaluationContext.of("u-1"), segments::get,
                key -> key.equals("checkout.new_ui") ? flag : null);
        TimeTravel.Answer other = TimeTravel.evaluate(ui, AT, EvaluationContext.of("u-2"), segments::get,
                key -> key.equals("checkout.new_ui") ? flag : null);

        assertThat(member.value()).isEqualTo(true);
        assertThat(other.reason()).isEqualTo(Reason.PREREQUISITE_FAILED);
    }

    @Test
    void a_prerequisite_cycle_in_old_data_is_answered_as_an_error_without_looping() {
        FlagState a = States.booleanState("production", "cycle.a", 1);
        a.getDefinition().setPrerequisites(List.of(new Prerequisite("cycle.b", List.of("on"))));
        FlagState b = States.booleanState("production", "cycle.b", 1);
        b.getDefinition().setPrerequisites(List.of(new Prerequisite("cycle.a", List.of("on"))));
        int[] asked = {0};

        TimeTravel.Answer answer = TimeTravel.evaluate(a, AT, EvaluationContext.of("u"), key -> null, key -> {
            asked[0]++;
            return key.equals("cycle.a") ? a : b;
        });

        assertThat(answer.errorCode()).isEqualTo(io.flagplane.evaluation.ErrorCode.GENERAL);
        assertThat(asked[0]).as("each flag fetched once").isEqualTo(1);
    }

    @Test
    void bytes_that_are_not_a_segment_state_are_unavailable_to_retry_not_a_wrong_answer() {
        assertThatThrownBy(() -> wire.decodeSegment(new byte[] {42}, "neighbour:8082"))
                .isInstanceOfSatisfying(QueryException.class, e -> assertThat(e.code()).isEqualTo(QueryErrorCode.UNAVAILABLE))
                .hasMessageContaining("neighbour:8082");
    }
}
