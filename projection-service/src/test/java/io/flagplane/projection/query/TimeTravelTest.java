package io.flagplane.projection.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flagplane.avro.FlagState;
import io.flagplane.avro.SegmentState;
import io.flagplane.evaluation.EvaluationContext;
import io.flagplane.evaluation.Reason;
import io.flagplane.fixtures.States;
import io.flagplane.registry.InMemorySchemaRegistry;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A time-travel evaluation over segments as another instance sends them: the contract's Avro, through the one mapper. */
class TimeTravelTest {

    private static final Instant AT = Instant.parse("2026-11-21T09:00:00Z");
    private final SegmentStateWire wire = new SegmentStateWire(new InMemorySchemaRegistry(), "segment-state");
    private final FlagState flag = States.segmentGated("production", "checkout.new_ui", 4, "beta-users");

    /** Each segment sent over the wire and read back, as a neighbour instance would. */
    private TimeTravel.Answer evaluate(String targetingKey, Map<String, SegmentState> segments) {
        Map<String, byte[]> sent = new HashMap<>();
        segments.forEach((key, state) -> sent.put(key, wire.encode(state)));
        return TimeTravel.evaluate(flag, AT, EvaluationContext.of(targetingKey),
                key -> sent.containsKey(key) ? wire.decode(sent.get(key), "neighbour:8082") : null);
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
    void bytes_that_are_not_a_segment_state_are_unavailable_to_retry_not_a_wrong_answer() {
        assertThatThrownBy(() -> wire.decode(new byte[] {42}, "neighbour:8082"))
                .isInstanceOfSatisfying(QueryException.class, e -> assertThat(e.code()).isEqualTo(QueryErrorCode.UNAVAILABLE))
                .hasMessageContaining("neighbour:8082");
    }
}
