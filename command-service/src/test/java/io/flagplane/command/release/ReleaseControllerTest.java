package io.flagplane.command.release;

import io.flagplane.testkit.MovableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flagplane.avro.ActorKind;
import io.flagplane.avro.BreachAction;
import io.flagplane.avro.Condition;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.Guardrail;
import io.flagplane.avro.GuardrailKind;
import io.flagplane.avro.GuardrailReading;
import io.flagplane.avro.GuardrailVerdict;
import io.flagplane.avro.PlanPaused;
import io.flagplane.avro.PlanRolledBack;
import io.flagplane.avro.PlanStatus;
import io.flagplane.avro.PlanStep;
import io.flagplane.avro.PlanStepAwaitingApproval;
import io.flagplane.avro.PlanStepStarted;
import io.flagplane.avro.PlanUpdated;
import io.flagplane.avro.ReleaseSignal;
import io.flagplane.avro.RollbackAction;
import io.flagplane.avro.RolloutPlanDefinition;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.avro.Rule;
import io.flagplane.avro.SegmentDefinition;
import io.flagplane.avro.Serve;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.domain.ModelWriter;
import io.flagplane.command.http.PlanChangeSets;
import io.flagplane.command.log.CommandRequest;
import io.flagplane.command.log.CommandResult;
import io.flagplane.contract.AvroContract;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.FlagStateFold;
import io.flagplane.contract.PlanRef;
import io.flagplane.contract.SegmentRef;
import io.flagplane.fixtures.Events;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The release controller on a clock the test moves and with verdicts handed over in memory,
 * against a writer without Kafka: hold times, fresh healthy verdicts, minimum samples and the
 * manual go gate each move; a breach rolls back, pauses or holds as its guardrail says, with the
 * figures as the reason; every move is applied once, as SYSTEM; what the writer refuses for good
 * is made visible on the plan.
 */
class ReleaseControllerTest {

    static {
        AvroContract.trustGeneratedClasses();
    }

    private static final String ENV = "production";
    private static final String KEY = "checkout.new_flow";
    private static final FlagRef FLAG = new FlagRef(ENV, KEY);
    private static final PlanRef PLAN = new PlanRef(ENV, "ramp");
    private static final Instant T0 = Instant.parse("2026-12-01T09:00:00Z");
    private static final Duration INTERVAL = Duration.ofSeconds(10);
    private static final Duration HOUR = Duration.ofHours(1);

    private final MovableClock clock = new MovableClock(T0);
    private final ReleaseSignals.InMemory signals = new ReleaseSignals.InMemory();
    private final AtomicBoolean ready = new AtomicBoolean(true);
    private final List<String> seen = new ArrayList<>();
    private final ReleaseController.Listener listener = new ReleaseController.Listener() {
        @Override
        public void breach(BreachAction action) {
            seen.add("breach " + action);
        }

        @Override
        public void controllerRefused(String action, ErrorCode code) {
            seen.add("refused " + action + " " + code);
        }

        @Override
        public void tickFailed() {
            seen.add("tick failed");
        }
    };
    private ModelWriter writer;

    @BeforeEach
    void seed() {
        writer = new ModelWriter(clock::instant, Events.on(ENV, ENV).version(1).environmentCreated(),
                Events.on(ENV, KEY).version(1).createdBoolean(false));
    }

    private ReleaseController controller() {
        return controller(writer::submit);
    }

    private ReleaseController controller(Function<CommandRequest, CompletableFuture<CommandResult>> submit) {
        return new ReleaseController(ready::get, submit, writer.model(), signals, clock, INTERVAL, listener);
    }

    /** A step of the ramp: {@code percent} % of the fallthrough (and the flag on). */
    private record Step(PlanStep step, List<Command> commands) {
    }

    private static Step step(String name, int percent, Duration hold, boolean manual, long minimumSample) {
        return step(name, "{\"action\":\"setRollout\",\"environment\":\"production\",\"flag\":\"" + KEY + "\",\"percentage\":" + percent
                + "}", new Command.SetRollout(FLAG, null, null, percent * 100, null), hold, manual, minimumSample);
    }

    private static Step step(String name, String json, Command command, Duration hold, boolean manual, long minimumSample) {
        String enable = "{\"action\":\"enable\",\"environment\":\"production\",\"flag\":\"" + KEY + "\"}";
        return new Step(PlanStep.newBuilder().setName(name).setCommandsJson("[" + json + "," + enable + "]")
                .setHoldSeconds(hold.getSeconds()).setManualApproval(manual).setMinimumSample(minimumSample).build(),
                List.of(command, new Command.Enable(FLAG, null)));
    }

    private static Guardrail guardrail(BreachAction onBreach) {
        return Guardrail.newBuilder().setName("error-rate").setKind(GuardrailKind.THRESHOLD).setEventKey("http_error")
                .setPerEventKey("request").setLimit(0.05).setOnBreach(onBreach).build();
    }

    private void draft(List<Guardrail> guardrails, Instant startAt, Step... steps) {
        RolloutPlanDefinition definition = RolloutPlanDefinition.newBuilder().setFlagKeys(List.of(KEY))
                .setSteps(List.of(steps).stream().map(Step::step).toList()).setGuardrails(guardrails)
                .setRollbackAction(RollbackAction.RESTORE).setStartAt(startAt).build();
        writer.write(new Command.CreatePlan(PLAN, definition, List.of(steps).stream().map(Step::commands).toList()));
    }

    private void startByHand() {
        writer.submit(PlanChangeSets.start(plan(), Events.ALICE, "go")).join();
    }

    private RolloutPlanState plan() {
        return (RolloutPlanState) writer.model().state(PLAN);
    }

    private List<FlagEvent> since(int from) {
        return List.copyOf(writer.written().subList(from, writer.written().size()));
    }

    private static List<String> types(List<FlagEvent> events) {
        return events.stream().map(FlagStateFold::typeOf).toList();
    }

    private ReleaseSignal signal(GuardrailVerdict verdict, String summary, Instant evaluatedAt, Map<String, Long> exposed) {
        RolloutPlanState plan = plan();
        return new ReleaseSignal(UUID.randomUUID().toString(), ENV, PLAN.key(), plan.getCurrentStep(), plan.getStepStartedAt(),
                evaluatedAt, exposed, List.of(new GuardrailReading("error-rate", GuardrailKind.THRESHOLD, verdict, 0.004, 0.05, 5_000L,
                summary)));
    }

    private ReleaseSignal healthy() {
        return signal(GuardrailVerdict.HEALTHY, "http_error rate 0.4 % <= 5 % over 10 min on variant on", clock.instant(), Map.of());
    }

    @Test
    void a_plan_without_guardrails_moves_on_hold_time_alone_each_step_once_as_system_and_completes_after_the_last() {
        draft(List.of(), null, step("ten", 10, HOUR, false, 0), step("fifty", 50, HOUR, false, 0), step("all", 100, HOUR, false, 0));
        startByHand();
        ReleaseController controller = controller();
        int before = writer.written().size();

        assertThat(controller.tick()).isZero();
        clock.set(T0.plus(HOUR).minusSeconds(1));
        assertThat(controller.tick()).as("one second short of the hold").isZero();
        clock.set(T0.plus(HOUR));
        assertThat(controller.tick()).isEqualTo(1);
        assertThat(controller.tick()).as("the next step's hold starts now").isZero();
        clock.advance(HOUR);
        assertThat(controller.tick()).isEqualTo(1);
        clock.advance(HOUR.plusMinutes(5));
        assertThat(controller.tick()).isEqualTo(1);
        assertThat(controller.tick()).isZero();

        List<FlagEvent> events = since(before);
        assertThat(types(events)).containsExactly("PlanStepStarted", "RolloutChanged", "PlanStepStarted", "RolloutChanged",
                "PlanCompleted", "FlagPlanSet");
        assertThat(events).allSatisfy(e -> {
            assertThat(e.getActor().getKind()).isEqualTo(ActorKind.SYSTEM);
            assertThat(e.getActor().getId()).isEqualTo("release-controller");
        });
        assertThat(events.get(0).getOccurredAt()).isEqualTo(T0.plus(HOUR));
        assertThat(events.get(0).getReason()).isEqualTo("release controller: step ten passed its gates (held 1 h (needs 1 h));"
                + " starting step fifty");
        assertThat(events.get(4).getReason()).contains("last step all passed its gates (held 1 h 5 min (needs 1 h))", "plan completed");
        assertThat(plan().getStatus()).isEqualTo(PlanStatus.COMPLETED);
        assertThat(writer.model().flag(ENV, KEY).getPlan()).isNull();
        assertThat(seen).isEmpty();
    }

    @Test
    void a_draft_is_started_when_its_start_at_comes() {
        draft(List.of(), T0.plus(HOUR), step("ten", 10, HOUR, false, 0));
        ReleaseController controller = controller();

        assertThat(controller.tick()).isZero();
        clock.set(T0.plus(HOUR));
        assertThat(controller.tick()).isEqualTo(1);
        assertThat(controller.tick()).isZero();

        assertThat(plan().getStatus()).isEqualTo(PlanStatus.RUNNING);
        assertThat(plan().getLastChange().getActor().getId()).isEqualTo("release-controller");
        assertThat(plan().getLastChange().getReason()).isEqualTo("release controller: rollout plan ramp started at its startAt ("
                + T0.plus(HOUR) + ")");
        assertThat(writer.model().flag(ENV, KEY).getEnabled()).isTrue();
    }

    @Test
    void guardrails_need_a_fresh_healthy_verdict_for_the_current_step() {
        draft(List.of(guardrail(BreachAction.ROLLBACK)), null, step("ten", 10, HOUR, false, 0), step("all", 100, HOUR, false, 0));
        startByHand();
        ReleaseController controller = controller();
        clock.set(T0.plus(HOUR));
        assertThat(controller.tick()).as("no verdict yet").isZero();

        signals.publish(signal(GuardrailVerdict.HEALTHY, "ok", clock.instant().minus(INTERVAL.multipliedBy(3)).minusMillis(1), Map.of()));
        assertThat(controller.tick()).as("older than three intervals").isZero();
        RolloutPlanState plan = plan();
        signals.publish(new ReleaseSignal("other-start", ENV, PLAN.key(), 0, plan.getStepStartedAt().minusSeconds(5), clock.instant(),
                Map.of(), healthy().getReadings()));
        assertThat(controller.tick()).as("a verdict on another start of the step").isZero();
        signals.publish(signal(GuardrailVerdict.INSUFFICIENT, "2 users of 100", clock.instant(), Map.of()));
        assertThat(controller.tick()).as("not enough sample yet").isZero();

        signals.publish(healthy());
        assertThat(controller.tick()).isEqualTo(1);

        assertThat(plan().getCurrentStep()).isEqualTo(1);
        assertThat(plan().getLastChange().getReason()).contains("error-rate: http_error rate 0.4 % <= 5 % over 10 min on variant on");
    }

    @Test
    void a_breach_rolls_back_at_the_step_it_happens_before_the_hold_is_over_with_the_figures_as_the_reason_once() {
        draft(List.of(guardrail(BreachAction.ROLLBACK)), null, step("ten", 10, HOUR, false, 0), step("all", 100, HOUR, false, 0));
        startByHand();
        ReleaseController controller = controller();
        int before = writer.written().size();
        clock.advance(Duration.ofMinutes(12));

        signals.publish(signal(GuardrailVerdict.BREACHED, "http_error rate 7.2 % > 5 % over 10 min on variant on", clock.instant(),
                Map.of("on", 480L, "off", 4_520L)));
        assertThat(controller.tick()).isEqualTo(1);
        assertThat(controller.tick()).isZero();

        List<FlagEvent> events = since(before);
        assertThat(types(events)).containsExactly("PlanRolledBack", "FlagPlanSet", "DefinitionReplaced", "FlagDisabled");
        PlanRolledBack rolledBack = (PlanRolledBack) events.get(0).getPayload();
        assertThat(rolledBack.getWhy()).isEqualTo("step ten: error-rate: http_error rate 7.2 % > 5 % over 10 min on variant on;"
                + " rolled back (RESTORE)");
        assertThat(rolledBack.getGuardrail()).isEqualTo("error-rate");
        assertThat(rolledBack.getStep()).isZero();
        assertThat(events).allSatisfy(e -> assertThat(e.getActor().getKind()).isEqualTo(ActorKind.SYSTEM));
        assertThat(writer.model().flag(ENV, KEY).getEnabled()).as("as before the plan").isFalse();
        assertThat(seen).containsExactly("breach ROLLBACK");
    }

    @Test
    void a_breach_that_pauses_pauses_once_and_the_step_holds_until_a_healthy_verdict() {
        draft(List.of(guardrail(BreachAction.PAUSE)), null, step("ten", 10, HOUR, false, 0), step("all", 100, HOUR, false, 0));
        startByHand();
        ReleaseController controller = controller();
        clock.set(T0.plus(HOUR));
        signals.publish(signal(GuardrailVerdict.BREACHED, "http_error rate 6 % > 5 % over 10 min on variant on", clock.instant(),
                Map.of()));

        assertThat(controller.tick()).isEqualTo(1);
        assertThat(plan().getStatus()).isEqualTo(PlanStatus.PAUSED);
        assertThat(plan().getStatusReason()).isEqualTo("step ten: error-rate: http_error rate 6 % > 5 % over 10 min on variant on;"
                + " paused");

        writer.write(new Command.ResumePlan(PLAN, null));
        assertThat(controller.tick()).as("the same verdict is not acted on twice, and a breached verdict holds the step").isZero();
        assertThat(plan().getStatus()).isEqualTo(PlanStatus.RUNNING);
        assertThat(plan().getCurrentStep()).isZero();

        clock.advance(Duration.ofSeconds(10));
        signals.publish(healthy());
        assertThat(controller.tick()).isEqualTo(1);
        assertThat(plan().getCurrentStep()).isEqualTo(1);
        assertThat(seen).containsExactly("breach PAUSE");
    }

    @Test
    void a_breach_that_holds_writes_nothing_and_keeps_the_step_until_the_verdict_turns() {
        draft(List.of(guardrail(BreachAction.HOLD)), null, step("ten", 10, HOUR, false, 0), step("all", 100, HOUR, false, 0));
        startByHand();
        ReleaseController controller = controller();
        int before = writer.written().size();
        clock.set(T0.plus(HOUR));
        signals.publish(signal(GuardrailVerdict.BREACHED, "http_error rate 6 % > 5 %", clock.instant(), Map.of()));

        assertThat(controller.tick()).isZero();
        assertThat(controller.tick()).isZero();
        assertThat(since(before)).isEmpty();
        assertThat(seen).as("counted once per verdict").containsExactly("breach HOLD");

        signals.publish(healthy());
        assertThat(controller.tick()).isEqualTo(1);
    }

    @Test
    void a_manual_step_waits_for_a_persons_go_says_so_once_and_moves_on_after_it() {
        draft(List.of(), null, step("pilot", 10, HOUR, true, 0), step("all", 100, HOUR, false, 0));
        startByHand();
        ReleaseController controller = controller();
        int before = writer.written().size();
        clock.set(T0.plus(HOUR));

        assertThat(controller.tick()).isEqualTo(1);
        assertThat(controller.tick()).isZero();
        clock.advance(HOUR);
        assertThat(controller.tick()).as("still waiting, said once").isZero();
        List<FlagEvent> awaiting = since(before);
        assertThat(types(awaiting)).containsExactly("PlanStepAwaitingApproval");
        assertThat(((PlanStepAwaitingApproval) awaiting.get(0).getPayload()).getSummary()).isEqualTo("held 1 h (needs 1 h)");
        assertThat(plan().getAwaitingApproval()).isTrue();

        writer.write(new Command.ApprovePlanStep(PLAN, Events.ALICE, 0, true, "finance signed off", null));
        assertThat(controller.tick()).isEqualTo(1);
        assertThat(plan().getCurrentStep()).isEqualTo(1);
        assertThat(plan().getAwaitingApproval()).isFalse();
    }

    @Test
    void a_step_waits_for_its_minimum_sample_of_exposed_users() {
        draft(List.of(), null, step("ten", 10, HOUR, false, 1_000), step("all", 100, HOUR, false, 0));
        startByHand();
        ReleaseController controller = controller();
        clock.set(T0.plus(HOUR));

        assertThat(controller.tick()).as("no verdict, no sample").isZero();
        signals.publish(new ReleaseSignal("s1", ENV, PLAN.key(), 0, plan().getStepStartedAt(), clock.instant(),
                Map.of("on", 400L, "off", 500L), List.of()));
        assertThat(controller.tick()).isZero();
        signals.publish(new ReleaseSignal("s2", ENV, PLAN.key(), 0, plan().getStepStartedAt(), clock.instant().plusMillis(1),
                Map.of("on", 600L, "off", 500L), List.of()));
        assertThat(controller.tick()).isEqualTo(1);

        assertThat(plan().getLastChange().getReason()).contains("1,100 exposed users (needs 1,000)");
    }

    @Test
    void a_move_decided_against_an_older_plan_is_refused_so_nothing_is_applied_twice() {
        draft(List.of(), null, step("ten", 10, HOUR, false, 0), step("fifty", 50, HOUR, false, 0), step("all", 100, HOUR, false, 0));
        startByHand();
        List<CommandRequest> held = new ArrayList<>();
        CompletableFuture<CommandResult> never = new CompletableFuture<>();
        ReleaseController first = controller(request -> {
            held.add(request);   // decided, not committed yet: the writer dies here
            return never;
        });
        ReleaseController second = controller();
        clock.set(T0.plus(HOUR));

        assertThat(first.tick()).isEqualTo(1);
        assertThat(first.tick()).as("in flight: not decided again").isZero();
        assertThat(second.tick()).as("the standby that took over").isEqualTo(1);
        CompletableFuture<CommandResult> late = writer.submit(held.get(0));   // the first one's request arrives after all

        assertThat(late).isCompletedExceptionally();
        assertThatThrownBy(late::join).hasCauseInstanceOf(CommandException.class).hasMessageContaining("is at version");
        assertThat(writer.written().stream().filter(e -> e.getPayload() instanceof PlanStepStarted s && s.getStep() == 1)).hasSize(1);
        assertThat(writer.written().stream().filter(e -> FlagStateFold.typeOf(e).equals("RolloutChanged"))).hasSize(2);
        assertThat(plan().getCurrentStep()).isEqualTo(1);
    }

    @Test
    void a_step_the_writer_refuses_pauses_the_plan_with_the_refusal_as_the_reason() {
        Step missingRule = step("tiers", "{\"action\":\"setRollout\",\"environment\":\"production\",\"flag\":\"" + KEY
                + "\",\"ruleId\":\"tiers\",\"percentage\":50}", new Command.SetRollout(FLAG, "tiers", null, 5_000, null), HOUR, false, 0);
        draft(List.of(), null, step("ten", 10, HOUR, false, 0), missingRule);
        startByHand();
        ReleaseController controller = controller();
        clock.set(T0.plus(HOUR));

        assertThat(controller.tick()).isEqualTo(1);
        assertThat(controller.tick()).isZero();

        assertThat(plan().getStatus()).isEqualTo(PlanStatus.PAUSED);
        assertThat(plan().getCurrentStep()).isZero();
        assertThat(plan().getStatusReason()).startsWith("step tiers could not be applied: INVALID_FIELD: ").contains("no rule 'tiers'")
                .endsWith("; paused");
        assertThat(seen).containsExactly("refused advance INVALID_FIELD");
    }

    @Test
    void a_restore_that_cannot_be_applied_kills_the_flags_instead_and_says_so() {
        writer.write(new Command.CreateSegment(new SegmentRef(ENV, "beta-users"), SegmentDefinition.newBuilder()
                .setIncluded(List.of("u1")).build()));
        writer.write(new Command.ReplaceRules(FLAG, List.of(new Rule("beta", null, List.of(new Condition("targetingKey", "in_segment",
                List.of("beta-users"))), Serve.newBuilder().setVariant("on").build())), null));
        Step clearRules = step("all", "{\"action\":\"replaceRules\",\"environment\":\"production\",\"flag\":\"" + KEY + "\",\"rules\":[]}",
                new Command.ReplaceRules(FLAG, List.of(), null), HOUR, false, 0);
        draft(List.of(guardrail(BreachAction.ROLLBACK)), null, clearRules);
        startByHand();
        writer.write(new Command.ArchiveSegment(new SegmentRef(ENV, "beta-users"), null));   // what the old definition names is gone
        ReleaseController controller = controller();
        signals.publish(signal(GuardrailVerdict.BREACHED, "http_error rate 9 % > 5 %", clock.instant(), Map.of()));

        assertThat(controller.tick()).isEqualTo(1);

        assertThat(plan().getStatus()).isEqualTo(PlanStatus.ROLLED_BACK);
        PlanRolledBack rolledBack = (PlanRolledBack) writer.written().stream().filter(e -> e.getPayload() instanceof PlanRolledBack)
                .findFirst().orElseThrow().getPayload();
        assertThat(rolledBack.getAction()).isEqualTo(RollbackAction.KILL);
        assertThat(rolledBack.getWhy()).startsWith("step all: error-rate: http_error rate 9 % > 5 %; rolled back (RESTORE);"
                + " restoring was refused (").endsWith("so the flags were killed instead");
        assertThat(writer.model().flag(ENV, KEY).getKilled()).isTrue();
        assertThat(seen).hasSize(2).last().isEqualTo("breach ROLLBACK");
    }

    @Test
    void a_draft_that_cannot_start_at_its_start_at_has_it_cleared_with_the_reason() {
        draft(List.of(), T0.plus(HOUR), step("ten", 10, HOUR, false, 0));
        writer.write(new Command.Kill(FLAG, null));
        ReleaseController controller = controller();
        int before = writer.written().size();
        clock.set(T0.plus(HOUR));

        assertThat(controller.tick()).isEqualTo(1);
        assertThat(controller.tick()).as("no longer scheduled").isZero();

        List<FlagEvent> events = since(before);
        assertThat(types(events)).containsExactly("PlanUpdated");
        assertThat(((PlanUpdated) events.get(0).getPayload()).getDefinition().getStartAt()).isNull();
        assertThat(events.get(0).getReason()).contains("could not start at its startAt", "is killed", "startAt cleared");
        assertThat(plan().getStatus()).isEqualTo(PlanStatus.DRAFT);
    }

    @Test
    void nothing_moves_on_a_standby_and_a_kill_stops_the_plan_where_it_is() {
        draft(List.of(), null, step("ten", 10, HOUR, false, 0), step("all", 100, HOUR, false, 0));
        startByHand();
        clock.set(T0.plus(HOUR));
        ready.set(false);
        assertThat(controller().tick()).isZero();

        ready.set(true);
        writer.write(new Command.Kill(FLAG, null));
        assertThat(((PlanPaused) writer.written().get(writer.written().size() - 1).getPayload()).getWhy())
                .isEqualTo("flag checkout.new_flow was killed");
        assertThat(controller().tick()).isZero();
        assertThat(plan().getCurrentStep()).isZero();
    }

    @Test
    void durations_read_as_people_say_them() {
        assertThat(PlanMoves.duration(Duration.ofDays(3))).isEqualTo("3 d");
        assertThat(PlanMoves.duration(Duration.ofHours(72).plusMinutes(5))).isEqualTo("3 d");
        assertThat(PlanMoves.duration(Duration.ofHours(25))).isEqualTo("1 d 1 h");
        assertThat(PlanMoves.duration(Duration.ofMinutes(10))).isEqualTo("10 min");
        assertThat(PlanMoves.duration(Duration.ofSeconds(45))).isEqualTo("45 s");
        assertThat(PlanMoves.duration(Duration.ZERO)).isEqualTo("0 s");
    }
}
