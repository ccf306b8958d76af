package io.flagplane.command.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.EnvironmentArchived;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.ScheduledChangeCancelled;
import io.flagplane.avro.SegmentArchived;
import io.flagplane.avro.SegmentCreated;
import io.flagplane.avro.SegmentDefinition;
import io.flagplane.contract.AggregateRef;
import io.flagplane.contract.EnvironmentRef;
import io.flagplane.contract.EnvironmentStateFold;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.FlagStateFold;
import io.flagplane.contract.ScheduleRef;
import io.flagplane.contract.SegmentRef;
import io.flagplane.fixtures.Events;
import io.flagplane.fixtures.States;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every aggregate kind is registered once, and the writer reaches its events, fold and decider through it. */
class AggregatesTest {

    private static final FlagRef FLAG = new FlagRef("production", "checkout.new_ui");
    private static final SegmentRef SEGMENT = new SegmentRef("production", "beta-users");

    @Test
    void every_target_kind_has_exactly_one_aggregate() {
        assertThat(Aggregates.ALL.stream().<Class<?>>map(Aggregate::refType))
                .containsExactlyInAnyOrder(AggregateRef.class.getPermittedSubclasses());
        for (Aggregate<?> aggregate : Aggregates.ALL) {
            assertThat(Aggregates.of(aggregate.refType())).isSameAs(aggregate);
        }
    }

    static Stream<Arguments> events() {
        SegmentDefinition definition = SegmentDefinition.newBuilder().setIncluded(List.of("u1")).build();
        return Stream.of(
                Arguments.of(Events.on("production", "checkout.new_ui").killed(), FLAG),
                Arguments.of(Events.on("production", "checkout.new_ui").createdBoolean(true), FLAG),
                Arguments.of(Events.on("production", "beta-users").with(new SegmentCreated(definition)), SEGMENT),
                Arguments.of(Events.on("production", "beta-users").with(new SegmentArchived()), SEGMENT),
                Arguments.of(Events.on("production", "production").environmentCreated(), new EnvironmentRef("production")),
                Arguments.of(Events.on("staging", "staging").with(new EnvironmentArchived()), new EnvironmentRef("staging")),
                Arguments.of(Events.on("production", "sc-1").with(new ScheduledChangeCancelled()), new ScheduleRef("production", "sc-1")));
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("events")
    void an_event_belongs_to_exactly_one_kind_and_target(FlagEvent event, AggregateRef target) {
        assertThat(Aggregates.of(event).refType()).isEqualTo(target.getClass());
        assertThat(Aggregates.of(target)).isSameAs(Aggregates.of(event));
        assertThat(Aggregates.targetOf(event)).isEqualTo(target);
    }

    static Stream<Arguments> commands() {
        return Stream.of(
                Arguments.of(new Command.Kill(FLAG, null), FlagRef.class),
                Arguments.of(new Command.KillByTag("production", "checkout"), FlagRef.class),
                Arguments.of(new Command.ArchiveSegment(SEGMENT, null), SegmentRef.class),
                Arguments.of(new Command.CreateEnvironment("staging", null), EnvironmentRef.class),
                Arguments.of(new Command.ArchiveEnvironment("staging", null), EnvironmentRef.class),
                Arguments.of(new Command.CancelSchedule(new ScheduleRef("production", "sc-1"), Events.ALICE, null), ScheduleRef.class));
    }

    @ParameterizedTest(name = "{0} → {1}")
    @MethodSource("commands")
    void each_command_is_decided_by_exactly_one_kind(Command command, Class<? extends AggregateRef> kind) {
        assertThat(Aggregates.ALL.stream().filter(a -> a.decides(command))).extracting(Aggregate::refType).containsExactly(kind);
    }

    @Test
    void each_kind_reads_version_key_and_last_change_from_its_own_state() {
        var flag = States.booleanState("production", "checkout.new_ui", 3);
        var segment = States.segment("production", "beta-users", 2, "u1");
        var environment = EnvironmentStateFold.apply(null, Events.on("production", "production").version(4)
                .environmentCreated()).state();

        assertThat(Aggregates.of(FlagRef.class).versionOf(flag)).isEqualTo(3);
        assertThat(Aggregates.of(FlagRef.class).keyOf(flag)).isEqualTo("checkout.new_ui");
        assertThat(Aggregates.of(FlagRef.class).lastChangeOf(flag)).isEqualTo(Events.T0.plusSeconds(3));
        assertThat(Aggregates.of(SegmentRef.class).versionOf(segment)).isEqualTo(2);
        assertThat(Aggregates.of(SegmentRef.class).keyOf(segment)).isEqualTo("beta-users");
        assertThat(Aggregates.of(SegmentRef.class).lastChangeOf(segment)).isEqualTo(Events.T0.plusSeconds(2));
        assertThat(Aggregates.of(EnvironmentRef.class).versionOf(environment)).isEqualTo(4);
        assertThat(Aggregates.of(EnvironmentRef.class).keyOf(environment)).isEqualTo("production");
        assertThat(Aggregates.of(EnvironmentRef.class).lastChangeOf(environment)).isEqualTo(Events.T0.plusSeconds(4));
        for (Aggregate<?> aggregate : Aggregates.ALL) {
            assertThat(aggregate.versionOf(null)).as("no state yet").isZero();
            assertThat(aggregate.lastChangeOf(null)).as("no state yet").isNull();
        }
    }

    @Test
    void each_kind_folds_with_its_own_fold() {
        var folded = Aggregates.of(FlagRef.class).foldUntyped(States.booleanState("production", "checkout.new_ui", 3),
                Events.on("production", "checkout.new_ui").version(4).killed());

        assertThat(folded.outcome()).isEqualTo(FlagStateFold.Outcome.APPLIED);
        assertThat(folded.state()).isEqualTo(FlagStateFold.apply(States.booleanState("production", "checkout.new_ui", 3),
                Events.on("production", "checkout.new_ui").version(4).killed()).state());
        assertThat(Aggregates.of(SegmentRef.class).foldUntyped(null, Events.on("production", "beta-users")
                .with(new SegmentArchived())).applied()).as("a segment never created cannot be archived").isFalse();
    }
}
