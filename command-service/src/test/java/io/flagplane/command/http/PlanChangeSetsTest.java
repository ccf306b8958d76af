package io.flagplane.command.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.PlanStatus;
import io.flagplane.avro.RollbackAction;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.avro.Serve;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.ModelWriter;
import io.flagplane.command.log.CommandRequest;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.FlagStateFold;
import io.flagplane.contract.PlanRef;
import io.flagplane.fixtures.Events;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What each rollback action puts back, and how plan commands from a change set or a change
 * request are followed by the commands of their change.
 */
class PlanChangeSetsTest {

    private static final String ENV = "production";
    private static final String KEY = "checkout.new_flow";
    private static final FlagRef FLAG = new FlagRef(ENV, KEY);
    private static final PlanRef PLAN = new PlanRef(ENV, "ramp");

    private ModelWriter writer;

    @BeforeEach
    void seed() throws Exception {
        writer = new ModelWriter(() -> Instant.parse("2026-12-01T09:00:00Z"), Events.on(ENV, ENV).version(1).environmentCreated(),
                Events.on(ENV, KEY).version(1).createdBoolean(false));
        writer.write(PlanValidationTest.parse(writer.model(), "{\"action\":\"createPlan\",\"key\":\"ramp\",\"flagKeys\":[\"" + KEY
                + "\"],\"rollbackAction\":\"restore\",\"steps\":["
                + "{\"name\":\"ten\",\"commands\":[{\"action\":\"setRollout\",\"flag\":\"" + KEY + "\",\"percentage\":10},"
                + "{\"action\":\"enable\",\"flag\":\"" + KEY + "\"}]},"
                + "{\"name\":\"fifty\",\"commands\":[{\"action\":\"setRollout\",\"flag\":\"" + KEY + "\",\"percentage\":50},"
                + "{\"action\":\"setMetadata\",\"flag\":\"" + KEY + "\",\"owner\":\"growth\"}]}]}"));
    }

    private RolloutPlanState plan() {
        return (RolloutPlanState) writer.model().state(PLAN);
    }

    private FlagState flag() {
        return writer.model().flag(ENV, KEY);
    }

    private List<FlagEvent> run(CommandRequest request) {
        int before = writer.written().size();
        writer.submit(request).join();
        return List.copyOf(writer.written().subList(before, writer.written().size()));
    }

    private void startAndAdvance() {
        run(PlanChangeSets.start(plan(), Events.ALICE, "start"));
        run(PlanChangeSets.advance(plan(), Events.ALICE, "next"));
        assertThat(flag().getDefinition().getOwner()).isEqualTo("growth");
    }

    @Test
    void restore_puts_back_each_flags_definition_and_switch_from_before_the_plan() {
        Serve before = flag().getDefinition().getFallthrough();
        startAndAdvance();

        List<FlagEvent> events = run(PlanChangeSets.rollBack(writer.model(), plan(), null, null, "by hand", Events.ALICE, "undo"));

        assertThat(events).extracting(FlagStateFold::typeOf).containsExactly("PlanRolledBack", "FlagPlanSet", "DefinitionReplaced",
                "FlagDisabled");
        assertThat(flag().getDefinition().getFallthrough()).isEqualTo(before);
        assertThat(flag().getDefinition().getOwner()).isNull();
        assertThat(flag().getEnabled()).isFalse();
        assertThat(flag().getPlan()).isNull();
        assertThat(plan().getStatus()).isEqualTo(PlanStatus.ROLLED_BACK);
    }

    @Test
    void previous_step_puts_back_the_flags_as_the_current_step_found_them() {
        startAndAdvance();

        run(PlanChangeSets.rollBack(writer.model(), plan(), RollbackAction.PREVIOUS_STEP, null, "by hand", Events.ALICE, "undo"));

        assertThat(flag().getDefinition().getFallthrough().getSplit().getVariants().get(0).getWeight()).as("10 %").isEqualTo(1_000);
        assertThat(flag().getDefinition().getOwner()).isNull();
        assertThat(flag().getEnabled()).as("as step ten left it").isTrue();
    }

    @Test
    void kill_kills_each_flag_and_a_rollback_never_revives_what_someone_killed() {
        startAndAdvance();

        List<FlagEvent> events = run(PlanChangeSets.rollBack(writer.model(), plan(), RollbackAction.KILL, "error-rate", "breach",
                Events.ALICE, "undo"));

        assertThat(events).extracting(FlagStateFold::typeOf).containsExactly("PlanRolledBack", "FlagPlanSet", "FlagKilled");
        assertThat(flag().getKilled()).isTrue();
        assertThat(flag().getDefinition().getOwner()).as("only killed").isEqualTo("growth");
    }

    @Test
    void a_change_set_that_creates_and_starts_a_plan_gets_the_first_steps_commands_from_the_creation_and_expanding_twice_changes_nothing()
            throws Exception {
        PlanRef other = new PlanRef(ENV, "other");
        Command create = PlanValidationTest.parse(writer.model(), "{\"action\":\"createPlan\",\"key\":\"other\",\"flagKeys\":[\""
                + KEY + "\"],\"steps\":[{\"name\":\"all\",\"commands\":[{\"action\":\"enable\",\"flag\":\"" + KEY + "\"}]}]}");
        Command start = PlanValidationTest.parse(writer.model(), "{\"action\":\"startPlan\",\"plan\":\"other\"}");

        List<Command> expanded = PlanChangeSets.expand(writer.model(), List.of(create, start));

        assertThat(expanded).hasSize(3);
        assertThat(expanded.get(1)).isEqualTo(new Command.StartPlan(other, null, 1));
        assertThat(expanded.get(2)).isEqualTo(new Command.Enable(FLAG, null));
        assertThat(PlanChangeSets.expand(writer.model(), expanded)).isEqualTo(expanded);
        writer.write(expanded.toArray(Command[]::new));
        assertThat(flag().getEnabled()).isTrue();
        assertThat(flag().getPlan()).isEqualTo("other");
    }

    @Test
    void a_start_or_rollback_of_a_plan_in_the_model_is_pinned_to_the_version_it_was_expanded_from() throws Exception {
        Command start = PlanValidationTest.parse(writer.model(), "{\"action\":\"startPlan\",\"plan\":\"ramp\"}");

        List<Command> expanded = PlanChangeSets.expand(writer.model(), List.of(start));

        assertThat(expanded.get(0)).isEqualTo(new Command.StartPlan(PLAN, 1L, 2));
        writer.write(expanded.toArray(Command[]::new));
        Command rollBack = PlanValidationTest.parse(writer.model(), "{\"action\":\"rollBackPlan\",\"plan\":\"ramp\",\"rollbackAction\":\"kill\"}");
        List<Command> rolled = PlanChangeSets.expand(writer.model(), List.of(rollBack));
        assertThat(rolled).containsExactly(new Command.RollBackPlan(PLAN, RollbackAction.KILL, null, null, plan().getVersion(), 1),
                new Command.Kill(FLAG, null));
    }
}
