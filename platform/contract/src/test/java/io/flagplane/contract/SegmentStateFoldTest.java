package io.flagplane.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.Condition;
import io.flagplane.avro.SegmentArchived;
import io.flagplane.avro.SegmentCreated;
import io.flagplane.avro.SegmentDefinition;
import io.flagplane.avro.SegmentReplaced;
import io.flagplane.avro.SegmentRule;
import io.flagplane.avro.SegmentState;
import io.flagplane.contract.FlagStateFold.Outcome;
import io.flagplane.fixtures.Events;
import java.util.List;
import org.junit.jupiter.api.Test;

class SegmentStateFoldTest {

    private final Events.Builder tiers = Events.on("production", "paying-tiers");
    private final SegmentDefinition paying = SegmentDefinition.newBuilder()
            .setDescription("seed 001: pro and enterprise")
            .setRules(List.of(new SegmentRule(List.of(new Condition("tier", "in", List.of("pro", "enterprise"))))))
            .build();

    @Test
    void a_segment_is_created_replaced_and_archived() {
        SegmentState state = SegmentStateFold.apply(null, tiers.version(1).with(new SegmentCreated(paying))).state();
        assertThat(state.getSegmentKey()).isEqualTo("paying-tiers");
        assertThat(state.getDefinition().getRules()).hasSize(1);

        SegmentDefinition withBeta = SegmentDefinition.newBuilder(paying).setIncluded(List.of("1", "2", "3")).build();
        state = SegmentStateFold.apply(state, tiers.version(2).with(new SegmentReplaced(withBeta))).state();
        assertThat(state.getDefinition().getIncluded()).containsExactly("1", "2", "3");

        SegmentStateFold.Result archived = SegmentStateFold.apply(state, tiers.version(3).with(new SegmentArchived()));
        assertThat(archived.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(archived.state().getArchived()).isTrue();
        assertThat(archived.state().getVersion()).isEqualTo(3);
        assertThat(archived.state().getLastChange().getEventType()).isEqualTo("SegmentArchived");
    }

    @Test
    void replays_are_stale_and_flag_events_are_rejected() {
        SegmentState state = SegmentStateFold.apply(null, tiers.version(1).with(new SegmentCreated(paying))).state();

        assertThat(SegmentStateFold.apply(state, tiers.version(1).with(new SegmentCreated(paying))).outcome())
                .isEqualTo(Outcome.STALE);
        assertThat(SegmentStateFold.apply(state, tiers.version(2).killed()).outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(SegmentStateFold.apply(null, tiers.version(1).with(new SegmentArchived())).outcome()).isEqualTo(Outcome.REJECTED);
    }

    @Test
    void segment_and_flag_events_are_told_apart() {
        assertThat(SegmentStateFold.isSegmentEvent(tiers.with(new SegmentCreated(paying)))).isTrue();
        assertThat(SegmentStateFold.isSegmentEvent(tiers.killed())).isFalse();
        assertThat(FlagStateFold.apply(null, tiers.with(new SegmentCreated(paying))).outcome()).isEqualTo(Outcome.REJECTED);
    }

    @Test
    void segment_events_have_their_own_record_keys() {
        assertThat(RecordKeys.ofSegmentEvents("production", "paying-tiers")).isEqualTo("production/segment:paying-tiers");
    }
}
