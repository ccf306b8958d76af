package io.flagplane.command.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flagplane.avro.Actor;
import io.flagplane.avro.ActorKind;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.ScheduledChangeApplied;
import io.flagplane.avro.ScheduledChangeCancelled;
import io.flagplane.avro.ScheduledChangeCreated;
import io.flagplane.avro.ScheduledChangeFailed;
import io.flagplane.avro.ScheduledChangeState;
import io.flagplane.avro.ScheduledChangeStatus;
import io.flagplane.contract.ChangeRequestRef;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.ScheduleRef;
import io.flagplane.contract.SegmentRef;
import io.flagplane.fixtures.Events;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Scheduled changes decided without a broker: created pending, then applied, failed or cancelled once. */
class ScheduledChangeDeciderTest {

    private static final Actor SYSTEM = new Actor("release-controller", ActorKind.SYSTEM);
    private static final ScheduleRef REF = new ScheduleRef("production", "sc-1");
    private static final FlagRef CHECKOUT = new FlagRef("production", "checkout.new_ui");
    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    private static final Instant APPLY_AT = Instant.parse("2026-12-01T09:00:00Z");
    private static final String KILL_JSON = "[{\"action\":\"kill\",\"environment\":\"production\",\"flag\":\"checkout.new_ui\"}]";

    private final ModelWriter writer = new ModelWriter(() -> NOW,
            Events.on("production", "production").version(1).environmentCreated(),
            Events.on("production", "checkout.new_ui").version(1).createdBoolean(false),
            Events.on("production", "checkout.new_ui").version(2).enabled());

    private static Command.CreateSchedule create(List<Command> commands, Instant applyAt, boolean applyIfMoved) {
        return new Command.CreateSchedule(REF, Events.ALICE, "Kill the old checkout", "seed 002: the night switch", KILL_JSON,
                commands, applyAt, applyIfMoved, NOW);
    }

    private static Command.CreateSchedule killAt(Instant applyAt) {
        return create(List.of(new Command.Kill(CHECKOUT, null)), applyAt, false);
    }

    private ScheduledChangeState state() {
        return (ScheduledChangeState) writer.model().state(REF);
    }

    private static CommandException refusal(Runnable action) {
        try {
            action.run();
        } catch (CommandException e) {
            return e;
        }
        throw new AssertionError("not refused");
    }

    @Test
    void creating_writes_a_pending_change_that_records_the_version_of_every_flag_and_segment_it_touches() {
        List<FlagEvent> written = writer.write(create(List.of(new Command.Kill(CHECKOUT, null),
                new Command.Enable(new FlagRef("production", "not.yet"), null),
                new Command.ArchiveSegment(new SegmentRef("production", "beta-users"), null)), APPLY_AT, false));

        assertThat(written).hasSize(1);
        ScheduledChangeCreated created = (ScheduledChangeCreated) written.get(0).getPayload();
        assertThat(created.getApplyAt()).isEqualTo(APPLY_AT);
        assertThat(created.getApplyIfMoved()).isFalse();
        assertThat(created.getContent().getCommandsJson()).isEqualTo(KILL_JSON);
        assertThat(created.getContent().getDraftedAgainst()).containsExactly(Map.entry("checkout.new_ui", 2L),
                Map.entry("not.yet", 0L), Map.entry("segment:beta-users", 0L));
        assertThat(state().getStatus()).isEqualTo(ScheduledChangeStatus.PENDING);
        assertThat(state().getAuthor()).isEqualTo(Events.ALICE);
    }

    static Stream<Arguments> badInstants() {
        return Stream.of(
                Arguments.of("missing", null, "applyAt is required"),
                Arguments.of("in the past", NOW.minusSeconds(1), "is not in the future"),
                Arguments.of("now", NOW, "is not in the future"),
                Arguments.of("more than a year ahead", NOW.plus(Duration.ofDays(367)), "at most a year ahead"));
    }

    @ParameterizedTest(name = "applyAt {0}")
    @MethodSource("badInstants")
    void apply_at_must_be_ahead_of_now_and_at_most_a_year_ahead(String why, Instant applyAt, String message) {
        CommandException refused = refusal(() -> writer.write(killAt(applyAt)));

        assertThat(refused.code()).isEqualTo(ErrorCode.INVALID_FIELD);
        assertThat(refused.field()).isEqualTo("applyAt");
        assertThat(refused.getMessage()).contains(message);
        assertThat(writer.written()).isEmpty();
        assertThat(writer.write(killAt(NOW.plus(Duration.ofDays(366))))).as("a year ahead is allowed").hasSize(1);
    }

    static Stream<Arguments> badContents() {
        Command kill = new Command.Kill(CHECKOUT, null);
        return Stream.of(
                Arguments.of(new Command.CreateSchedule(REF, Events.ALICE, " ", "r", "[]", List.of(kill), APPLY_AT, false, NOW), "title"),
                Arguments.of(new Command.CreateSchedule(REF, Events.ALICE, "t", "", "[]", List.of(kill), APPLY_AT, false, NOW), "reason"),
                Arguments.of(create(List.of(), APPLY_AT, false), "commands"),
                Arguments.of(create(List.of(new Command.CreateEnvironment("qa", null)), APPLY_AT, false), "commands[0].action"),
                Arguments.of(create(List.of(kill, new Command.ReviewChangeRequest(Command.Kind.APPLY_CHANGE_REQUEST,
                        new ChangeRequestRef("production", "cr-1"), Events.ALICE, null, null, null, null)), APPLY_AT, false),
                        "commands[1].action"),
                Arguments.of(create(List.of(new Command.Kill(new FlagRef("staging", "checkout.new_ui"), null)), APPLY_AT, false),
                        "commands[0].environment"),
                Arguments.of(create(List.of(kill, new Command.ReplaceRules(CHECKOUT, List.of(io.flagplane.avro.Rule.newBuilder()
                        .setId("r1").setConditions(List.of(new io.flagplane.avro.Condition("email", "resembles", List.of("x"))))
                        .setServe(io.flagplane.avro.Serve.newBuilder().setVariant("on").build()).build()), null)), APPLY_AT, false),
                        "commands[1].rules[0].conditions[0].operator"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badContents")
    void a_change_it_cannot_hold_is_refused_naming_the_field(Command.CreateSchedule create, String field) {
        CommandException refused = refusal(() -> writer.write(create));

        assertThat(refused.code()).isEqualTo(ErrorCode.INVALID_FIELD);
        assertThat(refused.field()).isEqualTo(field);
        assertThat(writer.written()).isEmpty();
    }

    @Test
    void it_applies_once_against_the_version_it_was_read_at() {
        writer.write(killAt(APPLY_AT));
        Command.ApplySchedule apply = new Command.ApplySchedule(REF, SYSTEM, 1L);

        List<FlagEvent> applied = writer.write(apply, new Command.Kill(CHECKOUT, null));

        assertThat(applied).extracting(e -> e.getPayload().getClass().getSimpleName())
                .containsExactly("ScheduledChangeApplied", "FlagKilled");
        assertThat(state().getStatus()).isEqualTo(ScheduledChangeStatus.APPLIED);
        CommandException again = refusal(() -> writer.write(apply, new Command.Kill(CHECKOUT, null)));
        assertThat(again.code()).as("a retry, or a standby that read the same version").isEqualTo(ErrorCode.VERSION_CONFLICT);
        CommandException unversioned = refusal(() -> writer.write(new Command.ApplySchedule(REF, SYSTEM, 2L),
                new Command.Kill(CHECKOUT, null)));
        assertThat(unversioned.code()).isEqualTo(ErrorCode.INVALID_STATE);
        assertThat(unversioned.getMessage()).contains("is applied and cannot be applied");
        assertThat(writer.written()).hasSize(3);
    }

    @Test
    void a_change_whose_flag_moved_is_not_applied_and_says_what_moved() {
        writer.write(killAt(APPLY_AT));
        writer.write(new Command.Disable(CHECKOUT, null));

        CommandException refused = refusal(() -> writer.write(new Command.ApplySchedule(REF, SYSTEM, 1L),
                new Command.Kill(CHECKOUT, null)));

        assertThat(refused.code()).isEqualTo(ErrorCode.MOVED_SINCE_SCHEDULED);
        assertThat(refused.details()).containsExactly("checkout.new_ui: scheduled at version 2, now at 3");
        assertThat(refused.getMessage()).contains("applyIfMoved");
        assertThat(state().getStatus()).isEqualTo(ScheduledChangeStatus.PENDING);
        assertThat(writer.model().flag("production", "checkout.new_ui").getKilled()).isFalse();
    }

    @Test
    void with_apply_if_moved_it_applies_over_a_flag_that_moved() {
        writer.write(create(List.of(new Command.Kill(CHECKOUT, null)), APPLY_AT, true));
        writer.write(new Command.Disable(CHECKOUT, null));

        writer.write(new Command.ApplySchedule(REF, SYSTEM, 1L), new Command.Kill(CHECKOUT, null));

        assertThat(state().getStatus()).isEqualTo(ScheduledChangeStatus.APPLIED);
        assertThat(writer.model().flag("production", "checkout.new_ui").getKilled()).isTrue();
    }

    @Test
    void a_failure_is_recorded_with_its_code_and_sentence_and_ends_the_change() {
        writer.write(killAt(APPLY_AT));

        List<FlagEvent> failed = writer.write(new Command.FailSchedule(REF, SYSTEM, ErrorCode.FLAG_NOT_FOUND,
                "commands[1]: flag 'x' does not exist", 1L));

        assertThat(failed.get(0).getPayload()).isEqualTo(new ScheduledChangeFailed("FLAG_NOT_FOUND",
                "commands[1]: flag 'x' does not exist"));
        assertThat(state().getStatus()).isEqualTo(ScheduledChangeStatus.FAILED);
        assertThat(refusal(() -> writer.write(new Command.ApplySchedule(REF, SYSTEM, null), new Command.Kill(CHECKOUT, null)))
                .code()).isEqualTo(ErrorCode.INVALID_STATE);
        assertThat(refusal(() -> writer.write(new Command.FailSchedule(REF, SYSTEM, ErrorCode.INTERNAL, " ", null))).field())
                .isEqualTo("why");
    }

    @Test
    void a_cancelled_change_never_applies_and_only_a_pending_one_is_cancelled() {
        writer.write(killAt(APPLY_AT));

        assertThat(writer.write(new Command.CancelSchedule(REF, Events.ALICE, null)).get(0).getPayload())
                .isEqualTo(new ScheduledChangeCancelled());

        assertThat(refusal(() -> writer.write(new Command.ApplySchedule(REF, SYSTEM, null), new Command.Kill(CHECKOUT, null)))
                .getMessage()).contains("is cancelled and cannot be applied");
        assertThat(refusal(() -> writer.write(new Command.CancelSchedule(REF, Events.ALICE, null))).code())
                .isEqualTo(ErrorCode.INVALID_STATE);
        assertThat(writer.model().flag("production", "checkout.new_ui").getKilled()).isFalse();
    }

    @Test
    void a_step_on_a_change_that_does_not_exist_or_in_an_undeclared_environment_is_refused() {
        assertThat(refusal(() -> writer.write(new Command.CancelSchedule(REF, Events.ALICE, null))).code())
                .isEqualTo(ErrorCode.SCHEDULE_NOT_FOUND);
        Command.CreateSchedule elsewhere = new Command.CreateSchedule(new ScheduleRef("qa", "sc-1"), Events.ALICE, "t", "r", "[]",
                List.of(new Command.Kill(new FlagRef("qa", "a.flag"), null)), APPLY_AT, false, NOW);
        assertThat(refusal(() -> writer.write(elsewhere)).code()).isEqualTo(ErrorCode.ENVIRONMENT_NOT_FOUND);
    }

    @Test
    void applied_is_what_the_fold_makes_of_the_decision() {
        writer.write(killAt(APPLY_AT));
        assertThat(Aggregates.decide(writer.model(), new Command.ApplySchedule(REF, SYSTEM, 1L)).get(0).payload())
                .isEqualTo(new ScheduledChangeApplied(null));
    }
}
