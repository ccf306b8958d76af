package io.flagplane.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.ActorKind;
import io.flagplane.avro.ChangeRequestContent;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.ScheduledChangeApplied;
import io.flagplane.avro.ScheduledChangeCancelled;
import io.flagplane.avro.ScheduledChangeCreated;
import io.flagplane.avro.ScheduledChangeFailed;
import io.flagplane.avro.ScheduledChangeState;
import io.flagplane.avro.ScheduledChangeStatus;
import io.flagplane.contract.FlagStateFold.Outcome;
import io.flagplane.fixtures.Events;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A scheduled change's events folded to its state: PENDING, then one final status, version-gated. */
class ScheduledChangeFoldTest {

    private static final Instant APPLY_AT = Instant.parse("2026-12-01T09:00:00Z");
    private static final ChangeRequestContent CONTENT = new ChangeRequestContent("Kill the old checkout", "seed 002",
            "[{\"action\":\"kill\",\"environment\":\"production\",\"flag\":\"checkout.new_ui\"}]", Map.of("checkout.new_ui", 3L));
    private static final io.flagplane.avro.Actor SYSTEM = new io.flagplane.avro.Actor("release-controller", ActorKind.SYSTEM);

    private final Events.Builder schedule = Events.on("production", "sc-1");

    private static ScheduledChangeState created() {
        FlagEvent event = Events.on("production", "sc-1").version(1).reason("night change")
                .with(new ScheduledChangeCreated(CONTENT, APPLY_AT, true));
        ScheduledChangeFold.Result result = ScheduledChangeFold.apply(null, event);
        assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
        return result.state();
    }

    @Test
    void creation_gives_a_pending_change_at_version_1_with_its_content_instant_and_author() {
        ScheduledChangeState state = created();

        assertThat(state.getEnvironment()).isEqualTo("production");
        assertThat(state.getId()).isEqualTo("sc-1");
        assertThat(state.getVersion()).isEqualTo(1);
        assertThat(state.getStatus()).isEqualTo(ScheduledChangeStatus.PENDING);
        assertThat(state.getContent()).isEqualTo(CONTENT);
        assertThat(state.getApplyAt()).isEqualTo(APPLY_AT);
        assertThat(state.getApplyIfMoved()).isTrue();
        assertThat(state.getAuthor()).isEqualTo(Events.ALICE);
        assertThat(state.getCreatedAt()).isEqualTo(Events.T0.plusSeconds(1));
        assertThat(state.getLastChange().getEventType()).isEqualTo("ScheduledChangeCreated");
        assertThat(state.getLastChange().getReason()).isEqualTo("night change");
        assertThat(state.getFailure()).isNull();
        assertThat(state.getAppliedChangeSetId()).isNull();
    }

    @Test
    void applied_keeps_the_change_set_it_was_applied_in_from_the_envelope_when_the_payload_has_none() {
        ScheduledChangeFold.Result result = ScheduledChangeFold.apply(created(),
                schedule.version(2).by(SYSTEM).changeSet("cs-42").with(new ScheduledChangeApplied(null)));

        assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(result.state().getStatus()).isEqualTo(ScheduledChangeStatus.APPLIED);
        assertThat(result.state().getAppliedChangeSetId()).isEqualTo("cs-42");
        assertThat(result.state().getVersion()).isEqualTo(2);
        assertThat(result.state().getLastChange().getActor()).isEqualTo(SYSTEM);
        assertThat(ScheduledChangeFold.apply(created(), schedule.version(2).changeSet("cs-42")
                .with(new ScheduledChangeApplied("cs-named"))).state().getAppliedChangeSetId()).isEqualTo("cs-named");
    }

    @Test
    void failed_says_its_code_and_why() {
        ScheduledChangeState failed = ScheduledChangeFold.apply(created(), schedule.version(2).by(SYSTEM)
                .with(new ScheduledChangeFailed("MOVED_SINCE_SCHEDULED", "checkout.new_ui: scheduled at version 3, now at 4")))
                .state();

        assertThat(failed.getStatus()).isEqualTo(ScheduledChangeStatus.FAILED);
        assertThat(failed.getFailure()).isEqualTo("MOVED_SINCE_SCHEDULED: checkout.new_ui: scheduled at version 3, now at 4");
        assertThat(failed.getAppliedChangeSetId()).isNull();
    }

    @Test
    void cancelled_is_cancelled() {
        assertThat(ScheduledChangeFold.apply(created(), schedule.version(2).with(new ScheduledChangeCancelled())).state()
                .getStatus()).isEqualTo(ScheduledChangeStatus.CANCELLED);
    }

    @Test
    void an_event_at_or_below_the_current_version_is_stale_and_changes_nothing() {
        ScheduledChangeState state = created();

        ScheduledChangeFold.Result replayed = ScheduledChangeFold.apply(state, schedule.version(1)
                .with(new ScheduledChangeApplied(null)));

        assertThat(replayed.outcome()).isEqualTo(Outcome.STALE);
        assertThat(replayed.state()).isSameAs(state);
    }

    @Test
    void a_step_of_a_change_never_created_and_an_unknown_payload_are_rejected() {
        assertThat(ScheduledChangeFold.apply(null, schedule.version(1).with(new ScheduledChangeCancelled())).outcome())
                .isEqualTo(Outcome.REJECTED);
        ScheduledChangeFold.Result unknown = ScheduledChangeFold.apply(created(), schedule.version(2).killed());
        assertThat(unknown.outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(unknown.state().getStatus()).isEqualTo(ScheduledChangeStatus.PENDING);
    }

    @Test
    void its_events_are_recognised_by_their_payload() {
        assertThat(ScheduledChangeFold.isScheduledChangeEvent(schedule.with(new ScheduledChangeCancelled()))).isTrue();
        assertThat(ScheduledChangeFold.isScheduledChangeEvent(schedule.killed())).isFalse();
    }
}
