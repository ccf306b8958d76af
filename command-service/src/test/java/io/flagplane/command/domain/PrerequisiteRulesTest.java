package io.flagplane.command.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.flagplane.avro.DefinitionReplaced;
import io.flagplane.avro.FlagArchived;
import io.flagplane.avro.FlagCreated;
import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagKilled;
import io.flagplane.avro.FlagRestored;
import io.flagplane.avro.FlagType;
import io.flagplane.avro.Prerequisite;
import io.flagplane.avro.Serve;
import io.flagplane.avro.Variant;
import io.flagplane.contract.FlagRef;
import io.flagplane.evaluation.Evaluator;
import io.flagplane.fixtures.Events;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Prerequisites as the writer decides them (without Kafka), on seed 000's flags: what an accepted
 * definition writes, and each refusal's code, field and sentence, with nothing written.
 */
class PrerequisiteRulesTest {

    private static final String ENV = "production";
    private static final FlagRef ENGINE = new FlagRef(ENV, "charges.engine");
    private static final FlagRef UI = new FlagRef(ENV, "charges.ui");
    private static final FlagRef FUZZY = new FlagRef(ENV, "referrer.fuzzy");
    private static final FlagRef AUTO = new FlagRef(ENV, "auto_compute.charges");

    private ModelWriter writer;

    @BeforeEach
    void seed() {
        writer = new ModelWriter(() -> Instant.parse("2026-03-01T12:00:00Z"),
                Events.on(ENV, ENV).version(1).environmentCreated(),
                Events.on(ENV, ENGINE.key()).version(1).created(booleanFlag(), true),
                Events.on(ENV, FUZZY.key()).version(1).created(booleanFlag(), true),
                Events.on(ENV, AUTO.key()).version(1).created(booleanFlag(), true));
    }

    private static FlagDefinition booleanFlag(Prerequisite... prerequisites) {
        return FlagDefinition.newBuilder().setType(FlagType.BOOLEAN)
                .setVariants(List.of(new Variant("on", "true", null), new Variant("off", "false", null)))
                .setOffVariant("off").setFallthrough(Serve.newBuilder().setVariant("on").build()).setSalt("s")
                .setPrerequisites(List.of(prerequisites)).build();
    }

    private static Prerequisite needs(FlagRef flag, String... variants) {
        return new Prerequisite(flag.key(), List.of(variants));
    }

    private static Command create(FlagRef flag, Prerequisite... prerequisites) {
        return new Command.CreateFlag(flag, booleanFlag(prerequisites), true);
    }

    private static Command replace(FlagRef flag, Prerequisite... prerequisites) {
        return new Command.ReplaceDefinition(flag, booleanFlag(prerequisites), null);
    }

    private CommandException refusal(Command... commands) {
        List<FlagEvent> before = List.copyOf(writer.written());
        CommandException refused = catchThrowableOfType(CommandException.class, () -> writer.write(commands));
        assertThat(refused).as("refused").isNotNull();
        assertThat(writer.written()).as("a refused command writes nothing").isEqualTo(before);
        return refused;
    }

    // ------------------------------------------------------------------ accepted

    @Test
    void a_flag_naming_a_live_flag_and_its_variant_is_created_with_the_prerequisite() {
        List<FlagEvent> events = writer.write(create(UI, needs(ENGINE, "on")));

        assertThat(events).singleElement().satisfies(e -> assertThat(((FlagCreated) e.getPayload()).getDefinition()
                .getPrerequisites()).containsExactly(needs(ENGINE, "on")));
        assertThat(writer.model().flag(ENV, UI.key()).getDefinition().getPrerequisites()).containsExactly(needs(ENGINE, "on"));
    }

    @Test
    void a_chain_and_a_diamond_are_fine_and_one_change_set_may_create_a_prerequisite_and_its_dependant() {
        FlagRef nav = new FlagRef(ENV, "charges.nav");
        FlagRef reports = new FlagRef(ENV, "charges.reports");

        writer.write(create(reports), create(UI, needs(ENGINE, "on"), needs(reports, "on")));
        List<FlagEvent> events = writer.write(create(nav, needs(UI, "on"), needs(ENGINE, "on", "off")));

        assertThat(events).hasSize(1);
    }

    @Test
    void replacing_a_definition_can_add_change_and_remove_prerequisites() {
        writer.write(create(UI, needs(ENGINE, "on")));

        List<FlagEvent> changed = writer.write(replace(UI, needs(ENGINE, "on", "off"), needs(FUZZY, "on")));
        List<FlagEvent> removed = writer.write(replace(UI));

        assertThat(((DefinitionReplaced) changed.get(0).getPayload()).getDefinition().getPrerequisites()).hasSize(2);
        assertThat(((DefinitionReplaced) removed.get(0).getPayload()).getDefinition().getPrerequisites()).isEmpty();
    }

    @Test
    void a_prerequisite_is_killed_freely_and_its_dependants_then_archived_before_it() {
        writer.write(create(UI, needs(ENGINE, "on")));

        assertThat(writer.write(new Command.Kill(ENGINE, null))).singleElement()
                .satisfies(e -> assertThat(e.getPayload()).isInstanceOf(FlagKilled.class));
        List<FlagEvent> archived = writer.write(new Command.Archive(UI, null), new Command.Archive(ENGINE, null));
        assertThat(archived).allSatisfy(e -> assertThat(e.getPayload()).isInstanceOf(FlagArchived.class)).hasSize(2);
    }

    @Test
    void a_dependant_whose_prerequisite_is_archived_may_be_restored_and_then_serves_off_until_the_prerequisite_is() {
        writer.write(create(UI, needs(ENGINE, "on")));
        writer.write(new Command.Archive(UI, null), new Command.Archive(ENGINE, null));

        assertThat(writer.write(new Command.Restore(UI, null))).singleElement()
                .satisfies(e -> assertThat(e.getPayload()).isInstanceOf(FlagRestored.class));
    }

    // ------------------------------------------------------------------ refused

    @Test
    void a_cycle_is_refused_and_named() {
        writer.write(create(UI, needs(ENGINE, "on")));

        CommandException refused = refusal(replace(ENGINE, needs(FUZZY, "on"), needs(UI, "on")));

        assertThat(refused.code()).isEqualTo(ErrorCode.PREREQUISITE_CYCLE);
        assertThat(refused.field()).isEqualTo("prerequisites[1].flagKey");
        assertThat(refused.getMessage()).contains("charges.engine -> charges.ui -> charges.engine");
        assertThat(refused.details()).containsExactly("charges.engine", "charges.ui", "charges.engine");
    }

    @Test
    void a_longer_cycle_is_named_whole() {
        FlagRef nav = new FlagRef(ENV, "charges.nav");
        writer.write(create(UI, needs(ENGINE, "on")), create(nav, needs(UI, "on")));

        CommandException refused = refusal(replace(ENGINE, needs(nav, "on")));

        assertThat(refused.code()).isEqualTo(ErrorCode.PREREQUISITE_CYCLE);
        assertThat(refused.getMessage()).contains("charges.engine -> charges.nav -> charges.ui -> charges.engine");
    }

    @Test
    void a_flag_that_live_flags_depend_on_cannot_be_archived_and_they_are_named() {
        writer.write(create(UI, needs(ENGINE, "on")), create(new FlagRef(ENV, "charges.nav"), needs(ENGINE, "on")));

        CommandException refused = refusal(new Command.Archive(ENGINE, null));

        assertThat(refused.code()).isEqualTo(ErrorCode.FLAG_HAS_DEPENDANTS);
        assertThat(refused.details()).containsExactlyInAnyOrder("charges.ui", "charges.nav");
        assertThat(refused.getMessage()).contains("is a prerequisite of 2 live flag(s)");
        assertThat(refused.currentVersion()).isEqualTo(1);
    }

    @Test
    void a_variant_a_dependant_needs_cannot_be_removed() {
        writer.write(create(UI, needs(ENGINE, "on")));
        FlagDefinition renamed = FlagDefinition.newBuilder(booleanFlag())
                .setVariants(List.of(new Variant("enabled", "true", null), new Variant("off", "false", null)))
                .setFallthrough(Serve.newBuilder().setVariant("enabled").build()).build();

        CommandException refused = refusal(new Command.ReplaceDefinition(ENGINE, renamed, null));

        assertThat(refused.code()).isEqualTo(ErrorCode.FLAG_HAS_DEPENDANTS);
        assertThat(refused.field()).isEqualTo("variants");
        assertThat(refused.details()).containsExactly("charges.ui");
        assertThat(refused.getMessage()).contains("variant(s) on of");
    }

    static Stream<Arguments> invalid() {
        FlagRef missing = new FlagRef(ENV, "charges.missing");
        Prerequisite[] eleven = new Prerequisite[11];
        for (int i = 0; i < eleven.length; i++) {
            eleven[i] = new Prerequisite("flag.n" + i, List.of("on"));
        }
        return Stream.of(
                Arguments.of("unknown flag", create(UI, needs(missing, "on")), ErrorCode.PREREQUISITE_NOT_FOUND,
                        "prerequisites[0].flagKey", "prerequisite 'charges.missing' does not exist"),
                Arguments.of("unknown variant", create(UI, needs(ENGINE, "on"), needs(FUZZY, "maybe")), ErrorCode.INVALID_FIELD,
                        "prerequisites[1].variants[0]", "flag 'referrer.fuzzy' has no variant 'maybe' (it has on, off)"),
                Arguments.of("self", create(UI, needs(UI, "on")), ErrorCode.INVALID_FIELD, "prerequisites[0].flagKey",
                        "a flag cannot be its own prerequisite"),
                Arguments.of("self on replace", replace(ENGINE, needs(ENGINE, "on")), ErrorCode.INVALID_FIELD,
                        "prerequisites[0].flagKey", "a flag cannot be its own prerequisite"),
                Arguments.of("too many", create(UI, eleven), ErrorCode.INVALID_FIELD, "prerequisites",
                        "at most 10 prerequisites, not 11"),
                Arguments.of("named twice", create(UI, needs(ENGINE, "on"), needs(ENGINE, "off")), ErrorCode.INVALID_FIELD,
                        "prerequisites[1].flagKey", "is named twice"),
                Arguments.of("no variant", create(UI, needs(ENGINE)), ErrorCode.INVALID_FIELD, "prerequisites[0].variants",
                        "names one or more variants"),
                Arguments.of("variant twice", create(UI, needs(ENGINE, "on", "on")), ErrorCode.INVALID_FIELD,
                        "prerequisites[0].variants[1]", "listed twice"),
                Arguments.of("not dot notation", create(UI, new Prerequisite("charges_engine", List.of("on"))),
                        ErrorCode.INVALID_FLAG_KEY, "prerequisites[0].flagKey", "dot notation"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void bad_prerequisites_are_refused_naming_the_field(String name, Command command, ErrorCode code, String field, String message) {
        CommandException refused = refusal(command);

        assertThat(refused.code()).isEqualTo(code);
        assertThat(refused.field()).isEqualTo(field);
        assertThat(refused.getMessage()).contains(message);
        assertThat(writer.model().flag(ENV, UI.key())).isNull();
    }

    @Test
    void an_archived_flag_cannot_be_named() {
        writer.write(new Command.Archive(FUZZY, null));

        CommandException refused = refusal(create(UI, needs(FUZZY, "on")));

        assertThat(refused.code()).isEqualTo(ErrorCode.PREREQUISITE_NOT_FOUND);
        assertThat(refused.getMessage()).contains("'referrer.fuzzy' is archived");
    }

    @Test
    void prerequisites_may_nest_as_deep_as_evaluators_follow_and_no_deeper() {
        List<Command> chain = new ArrayList<>();
        chain.add(create(new FlagRef(ENV, "chain.f" + Evaluator.MAX_PREREQUISITE_DEPTH)));
        for (int i = Evaluator.MAX_PREREQUISITE_DEPTH - 1; i >= 0; i--) {
            chain.add(create(new FlagRef(ENV, "chain.f" + i), needs(new FlagRef(ENV, "chain.f" + (i + 1)), "on")));
        }
        writer.write(chain.toArray(Command[]::new));   // f0 -> … -> f8: eight levels

        CommandException refused = refusal(create(new FlagRef(ENV, "chain.top"), needs(new FlagRef(ENV, "chain.f0"), "on")));
        CommandException deeperBelow = refusal(replace(new FlagRef(ENV, "chain.f8"), needs(ENGINE, "on")));

        assertThat(refused.getMessage()).contains("nest 9 deep under 'chain.top'");
        assertThat(deeperBelow.getMessage()).as("lengthening the bottom deepens every flag above").contains("nest 9 deep under 'chain.f0'");
    }

    @Test
    void a_diamond_whose_paths_add_up_to_too_many_evaluations_is_refused() {
        // level i has two flags, each needing both flags of level i+1: 2 + 4 + 8 + 16 + 32 evaluations from the top
        List<Command> commands = new ArrayList<>();
        int levels = 5;
        commands.add(create(new FlagRef(ENV, "d.l" + levels + "a")));
        commands.add(create(new FlagRef(ENV, "d.l" + levels + "b")));
        for (int level = levels - 1; level >= 1; level--) {
            for (String side : List.of("a", "b")) {
                commands.add(create(new FlagRef(ENV, "d.l" + level + side), needs(new FlagRef(ENV, "d.l" + (level + 1) + "a"), "on"),
                        needs(new FlagRef(ENV, "d.l" + (level + 1) + "b"), "on")));
            }
        }
        writer.write(commands.toArray(Command[]::new));   // d.l1a checks 2 + 4 + 8 + 16 = 30

        CommandException refused = refusal(create(new FlagRef(ENV, "d.top"), needs(new FlagRef(ENV, "d.l1a"), "on"),
                needs(new FlagRef(ENV, "d.l1b"), "on")));

        assertThat(refused.field()).isEqualTo("prerequisites");
        assertThat(refused.getMessage()).contains("would check 62 prerequisites");
    }
}
