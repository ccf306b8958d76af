package io.flagplane.command.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.flagplane.avro.Condition;
import io.flagplane.avro.Experiment;
import io.flagplane.avro.ExperimentCreated;
import io.flagplane.avro.ExperimentDefinition;
import io.flagplane.avro.ExperimentLaunched;
import io.flagplane.avro.ExperimentMetric;
import io.flagplane.avro.ExperimentPaused;
import io.flagplane.avro.ExperimentResumed;
import io.flagplane.avro.ExperimentStatus;
import io.flagplane.avro.ExperimentStopped;
import io.flagplane.avro.ExperimentUpdated;
import io.flagplane.avro.FlagCreated;
import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.FlagEnabled;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagKilled;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.FlagType;
import io.flagplane.avro.MetricKind;
import io.flagplane.avro.Rule;
import io.flagplane.avro.Serve;
import io.flagplane.avro.Split;
import io.flagplane.avro.TargetList;
import io.flagplane.avro.Variant;
import io.flagplane.avro.WeightedVariant;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.FlagStateFold;
import io.flagplane.fixtures.Events;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The experiment rules of the flag aggregate, decided as the writer decides them (without Kafka):
 * what each accepted command writes, each refusal's code, field and sentence, and what a running
 * experiment forbids its flag.
 */
class ExperimentRulesTest {

    private static final String ENV = "production";
    private static final String FLAG = "pricing.display";
    private static final FlagRef REF = new FlagRef(ENV, FLAG);
    private static final String KEY = "pricing-display-test";
    private static final List<WeightedVariant> HALVES = List.of(new WeightedVariant("control", 5_000),
            new WeightedVariant("upfront", 5_000));

    private ModelWriter writer;

    /** A string flag, enabled: control / upfront / extra, a rule "beta" and the fallthrough both split control/upfront 50/50. */
    static FlagDefinition pricing() {
        Split halves = new Split(HALVES, null);
        return FlagDefinition.newBuilder()
                .setType(FlagType.STRING)
                .setVariants(List.of(new Variant("control", "\"control\"", null), new Variant("upfront", "\"upfront\"", null),
                        new Variant("extra", "\"extra\"", null)))
                .setOffVariant("control")
                .setRules(List.of(new Rule("beta", null, List.of(new Condition("tier", "in", List.of("beta"))),
                        Serve.newBuilder().setSplit(halves).build())))
                .setFallthrough(Serve.newBuilder().setSplit(halves).build())
                .setSalt(FLAG)
                .build();
    }

    static ExperimentDefinition.Builder definition() {
        return ExperimentDefinition.newBuilder().setDescription("fees upfront vs at checkout")
                .setPrimaryMetric(ExperimentMetric.newBuilder().setEventKey("booking_confirmed").setKind(MetricKind.CONVERSION).build());
    }

    @BeforeEach
    void seed() {
        writer = new ModelWriter(() -> Instant.parse("2026-03-01T12:00:00Z"),
                Events.on(ENV, ENV).version(1).environmentCreated(),
                Events.on(ENV, FLAG).version(1).created(pricing(), true),
                Events.on(ENV, "checkout.new_ui").version(1).createdBoolean(true));
    }

    private static Command create(String key, ExperimentDefinition definition) {
        return new Command.CreateExperiment(ENV, key, FLAG, definition, null);
    }

    private static Command create(String key) {
        return create(key, definition().build());
    }

    private static Command step(Command.Kind kind, String key) {
        return new Command.ExperimentStep(kind, ENV, key, null, null);
    }

    private static Command launch(String key) {
        return step(Command.Kind.LAUNCH_EXPERIMENT, key);
    }

    private static Command stop(String key, String winner) {
        return new Command.ExperimentStep(Command.Kind.STOP_EXPERIMENT, ENV, key, winner, null);
    }

    private FlagState flag() {
        return writer.model().flag(ENV, FLAG);
    }

    private Experiment experiment(String key) {
        return flag().getExperiments().stream().filter(e -> e.getKey().equals(key)).findFirst().orElseThrow();
    }

    private CommandException refusal(Command... commands) {
        List<FlagEvent> before = List.copyOf(writer.written());
        CommandException refused = catchThrowableOfType(CommandException.class, () -> writer.write(commands));
        assertThat(writer.written()).as("a refused command writes nothing").isEqualTo(before);
        return refused;
    }

    private static List<Object> payloads(List<FlagEvent> events) {
        return events.stream().map(FlagEvent::getPayload).toList();
    }

    // ------------------------------------------------------------------ what accepted commands write

    @Test
    void creating_on_a_flag_writes_a_draft_on_that_flag_and_indexes_its_key() {
        List<FlagEvent> events = writer.write(create(KEY));

        assertThat(payloads(events)).containsExactly(new ExperimentCreated(KEY, definition().build()));
        assertThat(events.get(0).getFlagKey()).isEqualTo(FLAG);
        assertThat(events.get(0).getVersion()).isEqualTo(2);
        assertThat(experiment(KEY).getStatus()).isEqualTo(ExperimentStatus.DRAFT);
        assertThat(writer.model().experimentFlag(ENV, KEY)).isEqualTo(FLAG);
        assertThat(writer.model().experimentFlag("staging", KEY)).as("keys are per environment").isNull();
    }

    @Test
    void launching_fixes_the_measured_split_as_the_arms_and_a_disabled_flag_is_enabled_after_it() {
        writer.write(create(KEY), new Command.Disable(REF, null));

        List<FlagEvent> events = writer.write(launch(KEY));

        assertThat(payloads(events)).containsExactly(new ExperimentLaunched(KEY, HALVES), new FlagEnabled());
        assertThat(experiment(KEY).getStatus()).isEqualTo(ExperimentStatus.RUNNING);
        assertThat(experiment(KEY).getLaunchedAtVersion()).as("exposures count from the launch").isEqualTo(events.get(0).getVersion());
        assertThat(flag().getEnabled()).isTrue();
        assertThat(new Command.ExperimentStep(Command.Kind.LAUNCH_EXPERIMENT, ENV, KEY, null, null).maySpread())
                .as("its request is a change set").isTrue();
    }

    @Test
    void a_launch_measures_the_rule_it_names_and_leaves_an_enabled_flag_alone() {
        writer.write(create(KEY, definition().setRuleId("beta").setControlVariant("upfront").build()));

        assertThat(payloads(writer.write(launch(KEY)))).containsExactly(new ExperimentLaunched(KEY, HALVES));
    }

    @Test
    void pause_resume_and_stop_with_a_winner_serve_the_winner_in_place_of_the_split() {
        writer.write(create(KEY), launch(KEY));

        assertThat(payloads(writer.write(step(Command.Kind.PAUSE_EXPERIMENT, KEY)))).containsExactly(new ExperimentPaused(KEY));
        assertThat(payloads(writer.write(step(Command.Kind.RESUME_EXPERIMENT, KEY)))).containsExactly(new ExperimentResumed(KEY));
        assertThat(payloads(writer.write(stop(KEY, "upfront")))).containsExactly(new ExperimentStopped(KEY, "upfront"));

        assertThat(experiment(KEY).getStatus()).isEqualTo(ExperimentStatus.STOPPED);
        assertThat(flag().getDefinition().getFallthrough()).isEqualTo(Serve.newBuilder().setVariant("upfront").build());
        assertThat(flag().getDefinition().getRules().get(0).getServe().getSplit()).as("another split is not measured")
                .isEqualTo(new Split(HALVES, null));
    }

    @Test
    void a_draft_is_updated_as_a_whole_and_the_same_definition_writes_nothing() {
        writer.write(create(KEY));
        ExperimentDefinition next = definition().setDescription("second thoughts").setSecondaryMetrics(List.of(
                ExperimentMetric.newBuilder().setEventKey("revenue").setKind(MetricKind.VALUE).setMinimumSample(500L).build())).build();

        assertThat(payloads(writer.write(new Command.UpdateExperiment(ENV, KEY, next, null))))
                .containsExactly(new ExperimentUpdated(KEY, next));
        assertThat(writer.write(new Command.UpdateExperiment(ENV, KEY, next, null))).isEmpty();
        assertThat(experiment(KEY).getDefinition()).isEqualTo(next);
    }

    static Stream<Arguments> repeats() {
        return Stream.of(Arguments.of(List.of(launch(KEY)), launch(KEY)),
                Arguments.of(List.of(launch(KEY), step(Command.Kind.PAUSE_EXPERIMENT, KEY)), step(Command.Kind.PAUSE_EXPERIMENT, KEY)),
                Arguments.of(List.of(launch(KEY)), step(Command.Kind.RESUME_EXPERIMENT, KEY)),
                Arguments.of(List.of(launch(KEY), stop(KEY, null)), stop(KEY, null)),
                Arguments.of(List.of(launch(KEY), stop(KEY, "control")), stop(KEY, "control")),
                Arguments.of(List.of(launch(KEY), stop(KEY, "control")), stop(KEY, null)));
    }

    @ParameterizedTest(name = "{1} after {0}")
    @MethodSource("repeats")
    void a_repeated_step_writes_nothing(List<Command> before, Command repeat) {
        writer.write(create(KEY));
        for (Command command : before) {
            writer.write(command);
        }

        assertThat(writer.write(repeat)).isEmpty();
    }

    @Test
    void seed_003s_standalone_shape_creates_a_disabled_string_flag_split_by_the_weights_and_the_draft_in_one_change_set() {
        FlagDefinition flag = StandaloneExperiment.flag("experiment.checkout-redesign", "seed 003",
                List.of(new StandaloneExperiment.Arm("A", java.math.BigDecimal.ONE), new StandaloneExperiment.Arm("B",
                        java.math.BigDecimal.valueOf(2))), null);
        Command create = new Command.CreateExperiment(ENV, "checkout-redesign", "experiment.checkout-redesign",
                definition().build(), flag);

        List<FlagEvent> events = writer.write(create);

        assertThat(create.maySpread()).as("its request is a change set").isTrue();
        assertThat(events).extracting(FlagStateFold::typeOf).containsExactly("FlagCreated", "ExperimentCreated");
        assertThat(events).extracting(FlagEvent::getVersion).containsExactly(1L, 2L);
        FlagCreated created = (FlagCreated) events.get(0).getPayload();
        assertThat(created.getEnabled()).as("nobody gets a variant before the launch").isFalse();
        assertThat(created.getDefinition().getType()).isEqualTo(FlagType.STRING);
        assertThat(created.getDefinition().getKind().name()).isEqualTo("EXPERIMENT");
        assertThat(created.getDefinition().getOffVariant()).isEqualTo("A");
        assertThat(created.getDefinition().getVariants()).extracting(Variant::getValueJson).containsExactly("\"A\"", "\"B\"");
        assertThat(created.getDefinition().getFallthrough().getSplit().getVariants())
                .containsExactly(new WeightedVariant("A", 3_333), new WeightedVariant("B", 6_667));
        assertThat(writer.model().experimentFlag(ENV, "checkout-redesign")).isEqualTo("experiment.checkout-redesign");
    }

    @Test
    void a_flag_carries_one_experiment_after_another_and_a_stopped_one_frees_the_split() {
        writer.write(create(KEY), launch(KEY), stop(KEY, null));
        writer.write(new Command.SetRollout(REF, null, "upfront", 2_000, null));

        writer.write(create("pricing-display-test-2"), launch("pricing-display-test-2"));

        assertThat(flag().getExperiments()).extracting(Experiment::getStatus)
                .containsExactly(ExperimentStatus.STOPPED, ExperimentStatus.RUNNING);
        assertThat(experiment("pricing-display-test-2").getArms())
                .containsExactly(new WeightedVariant("upfront", 2_000), new WeightedVariant("control", 8_000));
    }

    @Test
    void an_experiment_created_earlier_in_the_same_request_is_found_by_its_key() {
        List<FlagEvent> events = writer.write(create(KEY), launch(KEY));

        assertThat(events).extracting(FlagStateFold::typeOf).containsExactly("ExperimentCreated", "ExperimentLaunched");
    }

    // ------------------------------------------------------------------ a running experiment and its flag

    static Stream<Arguments> allowedWhileRunning() {
        Rule moreBeta = new Rule("beta", null, List.of(new Condition("tier", "in", List.of("beta", "pro"))),
                Serve.newBuilder().setSplit(new Split(HALVES, null)).build());
        return Stream.of(
                Arguments.of("kill", new Command.Kill(REF, null)),
                Arguments.of("disable", new Command.Disable(REF, null)),
                Arguments.of("rollout of another split", new Command.SetRollout(REF, "beta", "upfront", 1_000, null)),
                Arguments.of("conditions of the measured rule", new Command.ReplaceRules(REF, List.of(moreBeta), null)),
                Arguments.of("allow list", new Command.ChangeTargets(REF, TargetList.ALLOW, "upfront", List.of("u1"), List.of(), null)),
                Arguments.of("metadata", new Command.SetMetadata(REF, "new words", null, null, null)),
                Arguments.of("a variant that is no arm", new Command.ReplaceDefinition(REF, FlagDefinition.newBuilder(pricing())
                        .setVariants(pricing().getVariants().subList(0, 2)).build(), null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allowedWhileRunning")
    void a_running_experiment_leaves_kills_audiences_and_other_splits_alone(String why, Command change) {
        writer.write(create(KEY), launch(KEY));

        assertThat(writer.write(change)).as(why).hasSize(1);
    }

    @Test
    void a_kill_stops_the_measuring_without_touching_the_experiment() {
        writer.write(create(KEY), launch(KEY));

        assertThat(payloads(writer.write(new Command.Kill(REF, null)))).containsExactly(new FlagKilled());
        assertThat(experiment(KEY).getStatus()).isEqualTo(ExperimentStatus.RUNNING);
        assertThat(flag().getKilled()).isTrue();
    }

    static Stream<Arguments> refusedWhileRunning() {
        FlagDefinition fiftyFive = FlagDefinition.newBuilder(pricing()).setFallthrough(Serve.newBuilder().setSplit(new Split(
                List.of(new WeightedVariant("control", 4_500), new WeightedVariant("upfront", 5_500)), null)).build()).build();
        FlagDefinition newValue = FlagDefinition.newBuilder(pricing()).setVariants(List.of(new Variant("control", "\"control\"", null),
                new Variant("upfront", "\"fees-first\"", null), new Variant("extra", "\"extra\"", null))).build();
        FlagDefinition rebucketed = FlagDefinition.newBuilder(pricing()).setFallthrough(Serve.newBuilder()
                .setSplit(new Split(HALVES, "accountId")).build()).build();
        return Stream.of(
                Arguments.of("rollout of the measured split", new Command.SetRollout(REF, null, "upfront", 9_000, null), "percentage"),
                Arguments.of("definition with other weights", new Command.ReplaceDefinition(REF, fiftyFive, null), "fallthrough"),
                Arguments.of("definition with another bucketing", new Command.ReplaceDefinition(REF, rebucketed, null), "fallthrough"),
                Arguments.of("an arm's value changed", new Command.ReplaceDefinition(REF, newValue, null), "variants"),
                Arguments.of("archive", new Command.Archive(REF, null), null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedWhileRunning")
    void a_running_or_paused_experiment_refuses_changes_to_its_arms_and_weights(String why, Command change, String field) {
        writer.write(create(KEY), launch(KEY));
        for (boolean paused : new boolean[] {false, true}) {
            if (paused) {
                writer.write(step(Command.Kind.PAUSE_EXPERIMENT, KEY));
            }
            CommandException refused = refusal(change);

            assertThat(refused.code()).as(why).isEqualTo(ErrorCode.EXPERIMENT_RUNNING);
            assertThat(refused.field()).as(why).isEqualTo(field);
            assertThat(refused.details()).containsExactly(KEY);
            assertThat(refused.getMessage()).contains("experiment '" + KEY + "' is " + (paused ? "paused" : "running"), "stop it first",
                    "/experiments/" + KEY + "/stop");
        }
    }

    @Test
    void rules_that_drop_or_reserve_the_measured_rule_are_refused_while_it_runs() {
        writer.write(create(KEY, definition().setRuleId("beta").build()), launch(KEY));
        Rule served = new Rule("beta", null, List.of(new Condition("tier", "in", List.of("beta"))),
                Serve.newBuilder().setVariant("upfront").build());

        assertThat(refusal(new Command.ReplaceRules(REF, List.of(), null)).code()).isEqualTo(ErrorCode.EXPERIMENT_RUNNING);
        assertThat(refusal(new Command.ReplaceRules(REF, List.of(served), null)).field()).isEqualTo("rules");
        assertThat(writer.write(new Command.SetRollout(REF, null, "upfront", 9_000, null)))
                .as("the fallthrough is not measured here").hasSize(1);
    }

    @Test
    void the_measured_split_is_free_again_once_the_experiment_stops() {
        writer.write(create(KEY), launch(KEY));
        Command rollout = new Command.SetRollout(REF, null, "upfront", 9_000, null);
        assertThat(refusal(rollout).code()).isEqualTo(ErrorCode.EXPERIMENT_RUNNING);

        writer.write(stop(KEY, null));

        assertThat(writer.write(rollout)).hasSize(1);
        assertThat(writer.write(new Command.Archive(REF, null))).hasSize(1);
    }

    @Test
    void a_draft_does_not_hold_its_flag_back_and_waits_on_an_archived_flag() {
        writer.write(create(KEY));

        assertThat(writer.write(new Command.SetRollout(REF, null, "upfront", 9_000, null))).hasSize(1);
        assertThat(writer.write(new Command.Archive(REF, null))).hasSize(1);
        CommandException refused = refusal(launch(KEY));
        assertThat(refused.code()).isEqualTo(ErrorCode.INVALID_STATE);
        assertThat(refused.getMessage()).contains("archived", "restore it");
    }

    // ------------------------------------------------------------------ refusals

    record Refused(String why, List<Command> before, Command command, ErrorCode code, String field, String message) {
        @Override
        public String toString() {
            return why;
        }
    }

    static Stream<Refused> refusals() {
        Command pause = step(Command.Kind.PAUSE_EXPERIMENT, KEY);
        Command resume = step(Command.Kind.RESUME_EXPERIMENT, KEY);
        Command update = new Command.UpdateExperiment(ENV, KEY, definition().setDescription("x").build(), null);
        Command lopsided = new Command.SetRollout(REF, null, "upfront", 10_000, null);
        return Stream.of(
                new Refused("a key taken on another flag", List.of(new Command.CreateExperiment(ENV, KEY, "checkout.new_ui",
                        definition().build(), null)), create(KEY), ErrorCode.EXPERIMENT_ALREADY_EXISTS, "key", "on flag 'checkout.new_ui'"),
                new Refused("a flag that does not exist", List.of(), new Command.CreateExperiment(ENV, KEY, "no.such",
                        definition().build(), null), ErrorCode.FLAG_NOT_FOUND, "flagKey", "does not exist"),
                new Refused("a standalone flag that exists", List.of(), new Command.CreateExperiment(ENV, KEY, FLAG,
                        definition().build(), pricing()), ErrorCode.FLAG_ALREADY_EXISTS, "flagKey", "already exists"),
                new Refused("a control that is no variant", List.of(), create(KEY, definition().setControlVariant("nope").build()),
                        ErrorCode.INVALID_FIELD, "controlVariant", "not a variant of the flag"),
                new Refused("an experiment nobody created", List.of(), launch("ghost"), ErrorCode.EXPERIMENT_NOT_FOUND, null,
                        "'ghost' does not exist"),
                new Refused("a stale version", List.of(create(KEY)), new Command.ExperimentStep(Command.Kind.LAUNCH_EXPERIMENT, ENV,
                        KEY, null, 1L), ErrorCode.VERSION_CONFLICT, "expectedVersion", "at version 2, not 1"),
                new Refused("update while running", List.of(create(KEY), launch(KEY)), update, ErrorCode.EXPERIMENT_NOT_DRAFT, null,
                        "only a draft"),
                new Refused("update when stopped", List.of(create(KEY), launch(KEY), stop(KEY, null)), update,
                        ErrorCode.EXPERIMENT_STOPPED, null, "final"),
                new Refused("launch after stop", List.of(create(KEY), launch(KEY), stop(KEY, null)), launch(KEY),
                        ErrorCode.EXPERIMENT_STOPPED, null, "cannot be launched again"),
                new Refused("launch while paused", List.of(create(KEY), launch(KEY), pause), launch(KEY),
                        ErrorCode.EXPERIMENT_NOT_DRAFT, null, "resume it"),
                new Refused("a second experiment at once", List.of(create(KEY), launch(KEY), create("second-test")),
                        launch("second-test"), ErrorCode.EXPERIMENT_ALREADY_RUNNING, null, "already runs experiment '" + KEY + "'"),
                new Refused("a rule the flag lacks", List.of(create(KEY, definition().setRuleId("gone").build())), launch(KEY),
                        ErrorCode.EXPERIMENT_SPLIT_INVALID, "ruleId", "does not have"),
                new Refused("one variant, not a split", List.of(new Command.CreateExperiment(ENV, KEY, "checkout.new_ui",
                        definition().build(), null)), launch(KEY), ErrorCode.EXPERIMENT_SPLIT_INVALID, null, "not a split"),
                new Refused("a split with one arm getting traffic", List.of(create(KEY), lopsided), launch(KEY),
                        ErrorCode.EXPERIMENT_SPLIT_INVALID, null, "two or more arms"),
                new Refused("a control without traffic", List.of(create(KEY, definition().setControlVariant("extra").build())),
                        launch(KEY), ErrorCode.EXPERIMENT_SPLIT_INVALID, "controlVariant", "gets no traffic"),
                new Refused("pause a draft", List.of(create(KEY)), pause, ErrorCode.EXPERIMENT_NOT_RUNNING, null, "launch it"),
                new Refused("resume a draft", List.of(create(KEY)), resume, ErrorCode.EXPERIMENT_NOT_RUNNING, null, "launch it"),
                new Refused("stop a draft", List.of(create(KEY)), stop(KEY, null), ErrorCode.EXPERIMENT_NOT_RUNNING, null, "never ran"),
                new Refused("pause when stopped", List.of(create(KEY), launch(KEY), stop(KEY, null)), pause,
                        ErrorCode.EXPERIMENT_STOPPED, null, "cannot be paused"),
                new Refused("resume when stopped", List.of(create(KEY), launch(KEY), stop(KEY, null)), resume,
                        ErrorCode.EXPERIMENT_STOPPED, null, "cannot be resumed"),
                new Refused("a winner that is no arm", List.of(create(KEY), launch(KEY)), stop(KEY, "extra"),
                        ErrorCode.INVALID_FIELD, "winner", "not an arm"),
                new Refused("another winner after the stop", List.of(create(KEY), launch(KEY), stop(KEY, "control")),
                        stop(KEY, "upfront"), ErrorCode.EXPERIMENT_STOPPED, null, "another winner"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void a_refused_experiment_command_has_its_code_field_and_sentence_and_writes_nothing(Refused r) {
        for (Command command : r.before()) {
            writer.write(command);
        }

        CommandException refused = refusal(r.command());

        assertThat(refused).as(r.why()).isNotNull();
        assertThat(refused.code()).as(r.why()).isEqualTo(r.code());
        assertThat(refused.field()).as(r.why()).isEqualTo(r.field());
        assertThat(refused.getMessage()).as(r.why()).contains(r.message());
    }

    @ParameterizedTest
    @EnumSource(value = ErrorCode.class, names = "EXPERIMENT_.*", mode = EnumSource.Mode.MATCH_ALL)
    void every_experiment_error_code_is_proven_by_a_refusal_above(ErrorCode code) {
        assertThat(refusals().map(Refused::code).toList() .contains(code) || code == ErrorCode.EXPERIMENT_RUNNING)
                .as(code + " has a case in refusals() (EXPERIMENT_RUNNING has its own tests)").isTrue();
    }
}
