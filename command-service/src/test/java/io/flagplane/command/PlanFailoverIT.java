package io.flagplane.command;

import io.flagplane.testkit.MovableClock;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.avro.Actor;
import io.flagplane.avro.ActorKind;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.GuardrailVerdict;
import io.flagplane.avro.PlanStep;
import io.flagplane.avro.PlanStepStarted;
import io.flagplane.avro.RolloutPlanDefinition;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.http.PlanChangeSets;
import io.flagplane.command.log.CommandProcessor;
import io.flagplane.command.log.CommandRequest;
import io.flagplane.command.log.CommandResult;
import io.flagplane.command.log.WriteModel;
import io.flagplane.command.release.ReleaseController;
import io.flagplane.command.release.ReleaseSignals;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.PlanRef;
import io.flagplane.contract.TopicNames;
import io.flagplane.fixtures.Events;
import io.flagplane.testkit.http.Api;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Promise 7 for rollout plans: a step is applied exactly once across a failover. The writer is
 * fenced between the release controller deciding a step and committing it, and the new writer's
 * controller applies the step once; the old request, retried, is refused as stale; and with the
 * leader election, a standby that takes over mid-plan reads the verdicts back and moves the plan on
 * once while the deposed writer writes nothing.
 */
@ExtendWith(SharedTestStack.class)
class PlanFailoverIT {

    private static final Actor ALICE = new Actor("alice@example.com", ActorKind.USER);
    private static final String ENV = "production";
    private static final String KEY = "checkout.new_flow";
    private static final FlagRef FLAG = new FlagRef(ENV, KEY);
    private static final PlanRef PLAN = new PlanRef(ENV, "ramp");
    private static final Instant T0 = Instant.parse("2026-12-01T09:00:00Z");
    private static final Duration HOUR = Duration.ofHours(1);

    private final MovableClock clock = new MovableClock(T0);

    private CommandProcessor writer(TestStack stack, TopicNames topics, String transactionalId, WriteModel model) {
        return new CommandProcessor(new CommandProcessor.Settings(stack.bootstrapServers(), topics.flagEvents(), transactionalId,
                Duration.ofSeconds(5), 1_000), stack.registryClient(), model, clock).start(Duration.ofSeconds(30));
    }

    private static CommandResult write(CommandProcessor processor, CommandRequest request) throws Exception {
        return processor.submit(request).get(20, TimeUnit.SECONDS);
    }

    private static PlanStep step(String name, int percent) {
        return PlanStep.newBuilder().setName(name).setHoldSeconds(HOUR.getSeconds()).setCommandsJson("[{\"action\":\"setRollout\","
                + "\"environment\":\"production\",\"flag\":\"" + KEY + "\",\"percentage\":" + percent + "}]").build();
    }

    private static List<Command> stepCommands(int percent) {
        return List.of(new Command.SetRollout(FLAG, null, null, percent * 100, null));
    }

    private static List<FlagEvent> stepsStarted(List<FlagEvent> events, int step) {
        return events.stream().filter(e -> e.getPayload() instanceof PlanStepStarted s && s.getStep() == step).toList();
    }

    @Test
    void a_writer_fenced_between_deciding_a_step_and_committing_it_applies_nothing_and_the_new_writer_applies_it_once(TestStack stack)
            throws Exception {
        TopicNames topics = stack.newTopics("plan-fence");
        String transactionalId = TestStack.uniqueName("plan-fence-writer");
        WriteModel oldModel = new WriteModel(Duration.ofHours(48));
        CommandProcessor old = writer(stack, topics, transactionalId, oldModel);
        List<CommandProcessor> opened = new ArrayList<>(List.of(old));
        try {
            write(old, CommandRequest.of(new Command.CreateEnvironment(ENV, null), ALICE, null));
            write(old, CommandRequest.of(new Command.CreateFlag(FLAG, Events.booleanFlag(KEY), true), ALICE, null));
            write(old, CommandRequest.of(new Command.CreatePlan(PLAN, RolloutPlanDefinition.newBuilder().setFlagKeys(List.of(KEY))
                    .setSteps(List.of(step("ten", 10), step("fifty", 50), step("all", 100))).build(),
                    List.of(stepCommands(10), stepCommands(50), stepCommands(100))), ALICE, null));
            write(old, PlanChangeSets.start((RolloutPlanState) oldModel.state(PLAN), ALICE, "start"));
            clock.set(T0.plus(HOUR));

            // the old writer's controller decides step fifty; before its request is committed, a new writer takes over
            WriteModel newModel = new WriteModel(Duration.ofHours(48));
            List<CommandRequest> decided = new ArrayList<>();
            List<CompletableFuture<CommandResult>> answers = new ArrayList<>();
            Function<CommandRequest, CompletableFuture<CommandResult>> fencedMidway = request -> {
                decided.add(request);
                opened.add(writer(stack, topics, transactionalId, newModel));   // initTransactions fences the old writer
                CompletableFuture<CommandResult> answer = old.submit(request);
                answers.add(answer);
                return answer;
            };
            ReleaseController oldController = new ReleaseController(old::isReady, fencedMidway, oldModel, new ReleaseSignals.InMemory(),
                    clock, Duration.ofSeconds(10), ReleaseController.Listener.NONE);
            assertThat(oldController.tick()).isEqualTo(1);
            ExecutionException fenced = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> answers.get(0).get(20, TimeUnit.SECONDS));
            assertThat(((CommandException) fenced.getCause()).code()).isEqualTo(ErrorCode.WRITER_FENCED);
            assertThat(old.isFenced()).isTrue();
            assertThat(oldController.tick()).as("a fenced writer is not the ready writer").isZero();

            CommandProcessor current = opened.get(1);
            ReleaseController newController = new ReleaseController(current::isReady, current::submit, newModel,
                    new ReleaseSignals.InMemory(), clock, Duration.ofSeconds(10), ReleaseController.Listener.NONE);
            assertThat(((RolloutPlanState) newModel.state(PLAN)).getCurrentStep()).as("nothing of the old writer's step committed")
                    .isZero();
            assertThat(newController.tick()).isEqualTo(1);
            Awaitility.await().atMost(Duration.ofSeconds(20))
                    .until(() -> ((RolloutPlanState) newModel.state(PLAN)).getCurrentStep() == 1);
            assertThat(newController.tick()).isZero();

            // the old request, retried against the new writer (a client's retry, a controller that came back): stale, refused
            ExecutionException stale = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> write(current, decided.get(0)));
            assertThat(((CommandException) stale.getCause()).code()).isEqualTo(ErrorCode.VERSION_CONFLICT);

            List<FlagEvent> events = CommandServiceFixture.events(stack, topics, 1);
            assertThat(stepsStarted(events, 1)).as("step fifty, once").singleElement()
                    .satisfies(e -> assertThat(e.getActor().getId()).isEqualTo("release-controller"));
            assertThat(events.stream().filter(e -> e.getFlagKey().equals(KEY)
                    && e.getPayload() instanceof io.flagplane.avro.RolloutChanged)).as("10 %, then 50 % once").hasSize(2);
        } finally {
            for (CommandProcessor processor : opened) {
                processor.close();
            }
        }
    }

    @Test
    void a_standby_that_takes_over_mid_plan_reads_the_verdicts_back_and_moves_the_plan_on_once(TestStack stack) {
        Map<String, String> shortLease = Map.of("command.leader.session.timeout.ms", "2000");
        try (CommandServiceFixture fixture = new CommandServiceFixture(stack, "plan-failover", shortLease, clock);
             CommandService standby = fixture.start(shortLease, clock);
             SignalPublisher signals = new SignalPublisher(stack, fixture.topics.releaseSignals())) {
            Api active = fixture.admin();
            assertThat(active.post("/api/v1/environments/production/flags", "{\"key\":\"" + KEY + "\",\"type\":\"boolean\"}").status())
                    .isEqualTo(201);
            Api.Response created = active.post("/api/v1/environments/production/plans", "{\"key\":\"ramp\",\"flagKeys\":[\"" + KEY
                    + "\"],\"preset\":\"seed-002-percent\",\"presetParameters\":{\"manualApproval\":false},\"guardrails\":[{\"name\":"
                    + "\"error-rate\",\"kind\":\"threshold\",\"eventKey\":\"http_error\",\"limit\":0.05}]}");
            assertThat(created.status()).as(created.raw()).isEqualTo(201);
            assertThat(active.post("/api/v1/environments/production/plans/ramp/start", "").status()).isEqualTo(200);
            JsonNode plan = active.get("/api/v1/environments/production/plans/ramp").body();
            Instant holdEnds = Instant.parse(plan.get("stepStartedAt").asText()).plus(Duration.ofDays(1));
            // the projection's verdict for step 1-percent, published while the first instance writes; the hold is not over yet
            signals.publish(ENV, plan, GuardrailVerdict.HEALTHY, "http_error rate 0.2 % <= 5 %", holdEnds, Map.of("on", 50L));

            fixture.service.election().vanish();   // the writer stops heartbeating: a crash, as the group sees it
            Api current = new Api(standby.url(), fixture.tokens.admin());
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> current.get("/health/ready").status() == 200);
            clock.set(holdEnds);

            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> current.get("/api/v1/environments/production/plans/ramp").body().get("currentStep").asInt() == 1);
            // more ticks on both instances: the deposed one is not the ready writer, the new one has nothing more due
            Awaitility.await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> true);

            List<FlagEvent> events = fixture.events(1);
            assertThat(stepsStarted(events, 1)).as("step 10-percent, once").singleElement()
                    .satisfies(e -> assertThat(e.getActor().getKind()).isEqualTo(ActorKind.SYSTEM));
            assertThat(stepsStarted(events, 2)).isEmpty();
            assertThat(active.post("/api/v1/environments/production/plans/ramp/pause", "").status())
                    .as("the deposed writer writes nothing").isEqualTo(503);
        }
    }
}
