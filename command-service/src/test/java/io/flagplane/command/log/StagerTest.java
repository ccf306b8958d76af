package io.flagplane.command.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.flagplane.avro.EnvironmentArchived;
import io.flagplane.avro.EnvironmentCreated;
import io.flagplane.avro.FlagArchived;
import io.flagplane.avro.FlagCreated;
import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.FlagDisabled;
import io.flagplane.avro.FlagEnabled;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagKilled;
import io.flagplane.avro.FlagRevived;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.RolloutChanged;
import io.flagplane.avro.SegmentArchived;
import io.flagplane.avro.SegmentCreated;
import io.flagplane.avro.SegmentDefinition;
import io.flagplane.avro.SegmentReplaced;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.contract.AggregateRef;
import io.flagplane.contract.EnvironmentRef;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.SegmentRef;
import io.flagplane.fixtures.Events;
import io.flagplane.fixtures.States;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What each accepted command writes, staged without Kafka: the events (payload, target, version),
 * the change reported per target, the envelope (change set, idempotency key, fingerprint) and the
 * event time, on a fixed clock.
 */
class StagerTest {

    private static final String ENV = "production";
    /** After every fixture's last change (fixtures change at {@code Events.T0} + version seconds). */
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Stager STAGER = new Stager(Clock.fixed(NOW, ZoneOffset.UTC));

    private static final FlagRef LIVE = new FlagRef(ENV, "checkout.new_ui");          // enabled, live, v3
    private static final FlagRef KILLED = new FlagRef(ENV, "legacy.banner");          // killed, v5
    private static final FlagRef DARK = new FlagRef(ENV, "search.beta");              // disabled, v2
    private static final FlagRef FRESH = new FlagRef(ENV, "brand.new");               // does not exist
    private static final SegmentRef SEGMENT = new SegmentRef(ENV, "beta-users");         // v2
    private static final EnvironmentRef SANDBOX = new EnvironmentRef("sandbox");             // declared, no flags, v1

    /**
     * production (declared) with the flags above, three of them tagged {@code checkout}; sandbox
     * declared and empty.
     */
    private static WriteModel model() {
        WriteModel model = WriteModel.of(Events.on(ENV, ENV).version(1).environmentCreated(),
                Events.on("sandbox", "sandbox").version(1).environmentCreated());
        model.put(LIVE, tagged(States.booleanState(ENV, LIVE.key(), 3), "checkout"));
        model.put(KILLED, tagged(FlagState.newBuilder(States.booleanState(ENV, KILLED.key(), 5)).setKilled(true).build(),
                "checkout"));
        model.put(DARK, tagged(FlagState.newBuilder(States.booleanState(ENV, DARK.key(), 2)).setEnabled(false).build(),
                "checkout"));
        model.put(SEGMENT, States.segment(ENV, SEGMENT.key(), 2, "u1", "u2"));
        return model;
    }

    private static FlagState tagged(FlagState state, String tag) {
        return FlagState.newBuilder(state)
                .setDefinition(FlagDefinition.newBuilder(state.getDefinition()).setTags(List.of(tag)).build()).build();
    }

    private static Staged stage(Command... commands) {
        return STAGER.stage(new CommandRequest(List.of(commands), Events.ALICE, "because", null, null), model());
    }

    /** One target's expected change: the payload written (null: nothing written) and the version after. */
    private record Expect(AggregateRef target, Class<?> payload, long version) {
    }

    private static Expect wrote(AggregateRef target, Class<?> payload, long version) {
        return new Expect(target, payload, version);
    }

    private static Expect unchanged(AggregateRef target, long version) {
        return new Expect(target, null, version);
    }

    static Stream<Arguments> accepted() {
        SegmentDefinition other = SegmentDefinition.newBuilder().setIncluded(List.of("u3")).build();
        return Stream.of(
                Arguments.of("createFlag → FlagCreated at version 1",
                        new Command.CreateFlag(FRESH, Events.booleanFlag(FRESH.key()), true), wrote(FRESH, FlagCreated.class, 1)),
                Arguments.of("kill of a live flag at v3 → FlagKilled at v4",
                        new Command.Kill(LIVE, null), wrote(LIVE, FlagKilled.class, 4)),
                Arguments.of("kill of a killed flag → nothing written, version unchanged",
                        new Command.Kill(KILLED, null), unchanged(KILLED, 5)),
                Arguments.of("revive of a killed flag → FlagRevived",
                        new Command.Revive(KILLED, 5L), wrote(KILLED, FlagRevived.class, 6)),
                Arguments.of("enable of an enabled flag → nothing written",
                        new Command.Enable(LIVE, null), unchanged(LIVE, 3)),
                Arguments.of("enable of a disabled flag → FlagEnabled",
                        new Command.Enable(DARK, 2L), wrote(DARK, FlagEnabled.class, 3)),
                Arguments.of("disable → FlagDisabled",
                        new Command.Disable(LIVE, 3L), wrote(LIVE, FlagDisabled.class, 4)),
                Arguments.of("setRollout → RolloutChanged",
                        new Command.SetRollout(LIVE, null, null, 2_500, null), wrote(LIVE, RolloutChanged.class, 4)),
                Arguments.of("archive → FlagArchived",
                        new Command.Archive(LIVE, null), wrote(LIVE, FlagArchived.class, 4)),
                Arguments.of("createSegment → SegmentCreated at version 1",
                        new Command.CreateSegment(new SegmentRef(ENV, "new-segment"), other),
                        wrote(new SegmentRef(ENV, "new-segment"), SegmentCreated.class, 1)),
                Arguments.of("replaceSegment → SegmentReplaced",
                        new Command.ReplaceSegment(SEGMENT, other, 2L), wrote(SEGMENT, SegmentReplaced.class, 3)),
                Arguments.of("replaceSegment with the same definition → nothing written",
                        new Command.ReplaceSegment(SEGMENT, model().segment(ENV, SEGMENT.key()).getDefinition(), null),
                        unchanged(SEGMENT, 2)),
                Arguments.of("archiveSegment of an unused segment → SegmentArchived",
                        new Command.ArchiveSegment(SEGMENT, null), wrote(SEGMENT, SegmentArchived.class, 3)),
                Arguments.of("createEnvironment → EnvironmentCreated at version 1",
                        new Command.CreateEnvironment("staging", "pre-production"),
                        wrote(new EnvironmentRef("staging"), EnvironmentCreated.class, 1)),
                Arguments.of("archiveEnvironment of an empty environment → EnvironmentArchived",
                        new Command.ArchiveEnvironment("sandbox", 1L), wrote(SANDBOX, EnvironmentArchived.class, 2)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void an_accepted_command_writes_exactly_its_event_at_the_next_version(String why, Command command, Expect expect) {
        Staged staged = stage(command);

        assertThat(staged.changes()).as(why).hasSize(1);
        Change change = staged.changes().get(0);
        assertThat(change.target()).as(why).isEqualTo(expect.target());
        assertThat(change.version()).as(why).isEqualTo(expect.version());
        assertThat(change.changed()).as(why).isEqualTo(expect.payload() != null);
        assertThat(change.partition()).as("not written yet").isNull();
        assertThat(staged.wrote()).as(why).containsExactly(expect.payload() != null);
        if (expect.payload() == null) {
            assertThat(staged.events()).as(why).isEmpty();
            assertThat(staged.states()).as(why).isEmpty();
            assertThat(change.state()).as("the target as it is").isEqualTo(model().state(expect.target()));
            return;
        }
        assertThat(staged.events()).as(why).hasSize(1);
        FlagEvent event = staged.events().get(0);
        assertThat(event.getPayload()).as(why).isInstanceOf(expect.payload());
        assertThat(event.getVersion()).as(why).isEqualTo(expect.version());
        assertThat(event.getEnvironment()).as(why).isEqualTo(expect.target().environment());
        assertThat(event.getFlagKey()).as(why).isEqualTo(expect.target().key());
        assertThat(event.getOccurredAt()).as(why).isEqualTo(NOW);
        assertThat(event.getActor()).as(why).isEqualTo(Events.ALICE);
        assertThat(event.getReason()).as(why).isEqualTo("because");
        assertThat(event.getChangeSetId()).as("a single command is no change set").isNull();
        assertThat(event.getChangeSetIndex()).as("a single command is no change set").isNull();
        // the reported state is the event folded into the state before it
        assertThat(staged.states()).as(why).containsEntry(expect.target(), change.state());
        assertThat(model().fold(event)).as(why).isEqualTo(change.state());
    }

    @Test
    void a_kill_of_a_killed_flag_reports_the_flag_as_it_is_and_writes_nothing() {
        Staged staged = stage(new Command.Kill(KILLED, null));

        Change change = staged.changes().get(0);
        assertThat(change.changed()).isFalse();
        assertThat(change.version()).isEqualTo(5);
        assertThat(change.state()).isEqualTo(model().flag(ENV, KILLED.key()));
        assertThat(staged.events()).isEmpty();
    }

    @Test
    void a_change_set_on_one_flag_takes_consecutive_versions_with_indexes_under_one_change_set_id() {
        Staged staged = stage(new Command.Enable(DARK, 2L), new Command.SetRollout(DARK, null, null, 1_000, null));

        assertThat(staged.events()).extracting(FlagEvent::getVersion).containsExactly(3L, 4L);
        assertThat(staged.events()).extracting(FlagEvent::getChangeSetIndex).containsExactly(0, 1);
        assertThat(staged.events()).extracting(e -> (Object) e.getPayload().getClass())
                .containsExactly(FlagEnabled.class, RolloutChanged.class);
        assertThat(staged.changeSetId()).isNotNull();
        assertThat(staged.events()).extracting(FlagEvent::getChangeSetId).containsOnly(staged.changeSetId());
        assertThat(staged.changes()).extracting(Change::version).containsExactly(3L, 4L);
        assertThat(staged.wrote()).containsExactly(true, true);
        FlagState last = (FlagState) staged.states().get(DARK);
        assertThat(last.getVersion()).isEqualTo(4);
        assertThat(last.getEnabled()).isTrue();
    }

    @Test
    void kill_by_tag_kills_every_live_tagged_flag_under_one_change_set_and_reports_the_killed_one_unchanged() {
        WriteModel model = model();
        FlagRef another = new FlagRef(ENV, "checkout.pay_later");
        model.put(another, tagged(States.booleanState(ENV, another.key(), 7), "checkout"));

        Staged staged = STAGER.stage(CommandRequest.of(new Command.KillByTag(ENV, "checkout"), Events.ALICE, null), model);

        // flags in key order: checkout.new_ui (v3), checkout.pay_later (v7), legacy.banner (killed), search.beta (v2)
        assertThat(staged.events()).extracting(FlagEvent::getFlagKey)
                .containsExactly(LIVE.key(), another.key(), DARK.key());
        assertThat(staged.events()).extracting(e -> (Object) e.getPayload().getClass()).containsOnly(FlagKilled.class);
        assertThat(staged.events()).extracting(FlagEvent::getVersion).containsExactly(4L, 8L, 3L);
        assertThat(staged.events()).extracting(FlagEvent::getChangeSetIndex).containsExactly(0, 1, 2);
        assertThat(staged.events()).extracting(FlagEvent::getChangeSetId).containsOnly(staged.changeSetId()).doesNotContainNull();
        assertThat(staged.changes()).extracting(Change::target).containsExactly(LIVE, another, KILLED, DARK);
        assertThat(staged.changes()).extracting(Change::changed).containsExactly(true, true, false, true);
        assertThat(staged.wrote()).containsExactly(true);
    }

    @Test
    void idempotency_key_and_request_fingerprint_are_on_every_event_of_the_request() {
        CommandRequest request = new CommandRequest(List.of(new Command.Kill(LIVE, null), new Command.Enable(DARK, null),
                new Command.CreateEnvironment("staging", null)), Events.ALICE, null, "retry-me-1", "sha256:abc");

        Staged staged = STAGER.stage(request, model());

        assertThat(staged.events()).hasSize(3);
        assertThat(staged.events()).extracting(FlagEvent::getIdempotencyKey).containsOnly("retry-me-1");
        assertThat(staged.events()).extracting(FlagEvent::getRequestFingerprint).containsOnly("sha256:abc");
    }

    @Test
    void without_an_idempotency_key_no_fingerprint_is_written() {
        CommandRequest request = new CommandRequest(List.of(new Command.Kill(LIVE, null)), Events.ALICE, null, null, "sha256:abc");

        FlagEvent event = STAGER.stage(request, model()).events().get(0);

        assertThat(event.getIdempotencyKey()).isNull();
        assertThat(event.getRequestFingerprint()).isNull();
    }

    static Stream<Arguments> clocks() {
        Instant lastChange = Events.T0.plusSeconds(3);   // the live flag's last change (v3)
        Instant segmentChange = Events.T0.plusSeconds(2);   // the segment's (v2)
        Instant environmentChange = Events.T0.plusSeconds(1);   // sandbox's (v1)
        Command kill = new Command.Kill(LIVE, null);
        Command replace = new Command.ReplaceSegment(SEGMENT, SegmentDefinition.newBuilder().setIncluded(List.of("u9")).build(), null);
        Command archive = new Command.ArchiveEnvironment("sandbox", null);
        return Stream.of(
                Arguments.of("flag, clock behind", kill, lastChange.minusSeconds(3_600), lastChange),
                Arguments.of("flag, clock equal", kill, lastChange, lastChange),
                Arguments.of("flag, clock ahead", kill, lastChange.plusSeconds(60), lastChange.plusSeconds(60)),
                Arguments.of("segment, clock behind", replace, segmentChange.minusSeconds(1), segmentChange),
                Arguments.of("segment, clock ahead", replace, NOW, NOW),
                Arguments.of("environment, clock behind", archive, environmentChange.minusSeconds(1), environmentChange),
                Arguments.of("environment, clock ahead", archive, NOW, NOW),
                Arguments.of("new flag, any clock", new Command.CreateFlag(FRESH, Events.booleanFlag("x"), false),
                        Instant.EPOCH, Instant.EPOCH));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clocks")
    void event_time_is_the_clock_but_never_before_the_targets_last_change(String why, Command command, Instant clock,
                                                                         Instant expected) {
        Stager stager = new Stager(Clock.fixed(clock, ZoneOffset.UTC));

        Staged staged = stager.stage(CommandRequest.of(command, Events.ALICE, null), model());

        assertThat(staged.events()).as(why).hasSize(1);
        assertThat(staged.events().get(0).getOccurredAt()).as(why).isEqualTo(expected);
    }

    @Test
    void event_time_never_goes_backwards_within_a_change_set_on_one_flag() {
        Instant lastChange = Events.T0.plusSeconds(3);
        Stager behind = new Stager(Clock.fixed(lastChange.minusSeconds(3_600), ZoneOffset.UTC));

        Staged staged = behind.stage(new CommandRequest(List.of(new Command.Kill(LIVE, null), new Command.Revive(LIVE, null)),
                Events.ALICE, null, null, null), model());

        assertThat(staged.events()).extracting(FlagEvent::getOccurredAt).containsExactly(lastChange, lastChange);
    }

    @Test
    void a_request_staged_over_the_batchs_overlay_continues_its_versions() {
        WriteModel committed = model();
        Overlay batch = new Overlay(committed);

        Staged first = STAGER.stage(CommandRequest.of(new Command.CreateFlag(FRESH, Events.booleanFlag(FRESH.key()), false),
                Events.ALICE, null), batch);
        batch.putAll(first.states());
        Staged second = STAGER.stage(CommandRequest.of(new Command.Enable(FRESH, 1L), Events.ALICE, null), batch);

        assertThat(first.events().get(0).getVersion()).isEqualTo(1);
        assertThat(second.events().get(0).getVersion()).isEqualTo(2);
        assertThat(batch.flags(ENV)).extracting(FlagState::getFlagKey).contains(FRESH.key());
        assertThat(committed.flag(ENV, FRESH.key())).as("nothing reaches the committed model before the commit").isNull();
    }

    @Test
    void a_refused_command_in_a_change_set_refuses_the_request_and_names_its_index() {
        CommandException refused = catchThrowableOfType(CommandException.class, () -> stage(new Command.Kill(LIVE, null),
                new Command.Enable(FRESH, null)));

        assertThat(refused.code()).isEqualTo(ErrorCode.FLAG_NOT_FOUND);
        assertThat(refused.getMessage()).contains("brand.new");
        assertThat(refused.field()).isEqualTo("commands[1]");
    }
}
