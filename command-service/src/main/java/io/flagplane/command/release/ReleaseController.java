package io.flagplane.command.release;

import io.flagplane.avro.Actor;
import io.flagplane.avro.ActorKind;
import io.flagplane.avro.BreachAction;
import io.flagplane.avro.EnvironmentState;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.Guardrail;
import io.flagplane.avro.GuardrailReading;
import io.flagplane.avro.GuardrailVerdict;
import io.flagplane.avro.PlanStatus;
import io.flagplane.avro.PlanStep;
import io.flagplane.avro.RollbackAction;
import io.flagplane.avro.RolloutPlanDefinition;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.avro.ReleaseSignal;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.http.PlanChangeSets;
import io.flagplane.command.log.CommandProcessor;
import io.flagplane.command.log.CommandRequest;
import io.flagplane.command.log.CommandResult;
import io.flagplane.command.log.WriteModel;
import io.flagplane.contract.PlanRef;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The release controller: runs rollout plans by themselves in the active writer. Each tick, for
 * every plan: a draft whose {@code startAt} has come is started; a running plan whose latest
 * verdict for its current step (same step, same start instant, evaluated within three evaluation
 * intervals) has a breached guardrail is rolled back, paused or held as that guardrail says, with a
 * reason naming the step, the guardrail, the figures and the threshold; otherwise, once the step
 * has been held long enough, every guardrail reads healthy in a fresh verdict (a plan without
 * guardrails needs none) and the step's minimum sample of exposed users is met, the plan waits for
 * a person's go (once) when the step asks for one, or moves to the next step, or completes after
 * the last. Every action is an ordinary request by the actor SYSTEM ({@code release-controller}).
 *
 * <p>Exactly once (Promise 7): every request carries the plan version it was decided against
 * ({@link PlanChangeSets}), so a retry, an overlapping tick or a standby that takes over mid-way is
 * refused with a version conflict instead of applying a step twice; a plan with a request in
 * flight is not looked at again until it is answered. Hold times run on the writer's clock.
 *
 * <p>What the writer refuses for good is made visible, never retried blindly: a step whose commands
 * are refused pauses the plan with the refusal as the reason; a RESTORE or PREVIOUS_STEP rollback
 * that cannot be applied (a flag's old definition names an archived segment) kills the flags
 * instead, and says so; a draft that cannot start at its {@code startAt} has its {@code startAt}
 * cleared, with the refusal as the reason.
 */
public final class ReleaseController extends DueWorkScheduler {

    private static final Logger LOG = LoggerFactory.getLogger(ReleaseController.class);
    public static final Actor CONTROLLER = new Actor("release-controller", ActorKind.SYSTEM);
    /** Failures that say nothing about the action itself: the plan is looked at again on the next tick. */
    private static final Set<ErrorCode> TRANSIENT = EnumSet.of(ErrorCode.VERSION_CONFLICT, ErrorCode.UNAVAILABLE,
            ErrorCode.NOT_READY, ErrorCode.WRITER_STANDBY, ErrorCode.WRITER_FENCED, ErrorCode.INTERNAL);
    /** A verdict older than this many evaluation intervals no longer counts. */
    static final int FRESH_INTERVALS = 3;

    /** Told what the controller did and what failed, for metrics. */
    public interface Listener {
        Listener NONE = new Listener() {
        };

        /** A breached guardrail was acted on (once per verdict): rolled back, paused or held. */
        default void breach(BreachAction action) {
        }

        /** A tick failed (it is logged; the next one runs as usual). */
        default void tickFailed() {
        }

        /** The writer refused an action for good: {@code action} is start, advance, complete, await, pause or rollback. */
        default void controllerRefused(String action, ErrorCode code) {
        }
    }

    /** What the controller does to one plan this tick. */
    private record Move(String action, CommandRequest request, BreachAction breach, String signalId) {
    }

    private final Readiness readiness;
    private final Function<CommandRequest, CompletableFuture<CommandResult>> writer;
    private final WriteModel model;
    private final ReleaseSignals signals;
    private final Clock clock;
    private final Duration freshFor;
    private final Listener listener;
    private final Set<PlanRef> inFlight = ConcurrentHashMap.newKeySet();
    /** Per plan, the verdict last acted on: a breach is acted on once, even if it stays the latest verdict. */
    private final Map<PlanRef, String> actedOn = new ConcurrentHashMap<>();

    public ReleaseController(CommandProcessor processor, WriteModel model, ReleaseSignals signals, Clock clock,
                             Duration signalInterval, Listener listener) {
        this(processor::isReady, processor::submit, model, signals, clock, signalInterval, listener);
    }

    /**
     * @param writer         submits a request to the single writer (tests: a writer without Kafka, or one that
     *                       is fenced between deciding and committing)
     * @param signalInterval how often the projection evaluates guardrails; a verdict counts for three of them
     */
    public ReleaseController(BooleanSupplier ready, Function<CommandRequest, CompletableFuture<CommandResult>> writer, WriteModel model,
                             ReleaseSignals signals, Clock clock, Duration signalInterval, Listener listener) {
        this(new Readiness(ready), writer, model, signals, clock, signalInterval, listener);
    }

    private ReleaseController(Readiness readiness, Function<CommandRequest, CompletableFuture<CommandResult>> writer,
                              WriteModel model, ReleaseSignals signals, Clock clock, Duration signalInterval, Listener listener) {
        super("release-controller", LOG, "rollout plans", readiness, clock);
        this.readiness = readiness;
        this.writer = writer;
        this.model = model;
        this.signals = signals;
        this.clock = clock;
        this.freshFor = signalInterval.multipliedBy(FRESH_INTERVALS);
        this.listener = listener;
    }

    /** Whether this instance is the ready writer, remembering a spell as anything else (the signals are then read back again). */
    private static final class Readiness implements BooleanSupplier {
        private final BooleanSupplier ready;
        private volatile boolean lost = true;

        Readiness(BooleanSupplier ready) {
            this.ready = ready;
        }

        @Override
        public boolean getAsBoolean() {
            boolean now = ready.getAsBoolean();
            if (!now) {
                lost = true;
            }
            return now;
        }

        boolean regained() {
            boolean was = lost;
            lost = false;
            return was;
        }
    }

    @Override
    int submitDue(Instant now) {
        try {
            boolean rewind = readiness.regained();
            try {
                signals.poll(rewind);
            } catch (RuntimeException e) {
                // plans without guardrails still move on hold time alone; the others wait for verdicts
                listener.tickFailed();
                LOG.warn("release signals could not be read this tick (plans with guardrails hold): {}", e.toString());
            }
            int submitted = 0;
            for (EnvironmentState environment : model.environments()) {
                if (environment.getArchived()) {
                    continue;
                }
                for (Object state : model.all(PlanRef.class, environment.getName())) {
                    RolloutPlanState plan = (RolloutPlanState) state;
                    PlanRef ref = new PlanRef(plan.getEnvironment(), plan.getKey());
                    if (inFlight.contains(ref)) {
                        continue;
                    }
                    Move move = decide(plan, now);
                    if (move != null && inFlight.add(ref)) {
                        submitted++;
                        submit(ref, move);
                    }
                }
            }
            return submitted;
        } catch (RuntimeException e) {
            listener.tickFailed();
            throw e;
        }
    }

    /** What is due for one plan at {@code now}, or null. */
    private Move decide(RolloutPlanState plan, Instant now) {
        RolloutPlanDefinition definition = plan.getDefinition();
        if (plan.getStatus() == PlanStatus.DRAFT) {
            Instant startAt = definition.getStartAt();
            if (startAt == null || startAt.isAfter(now)) {
                return null;
            }
            return new Move("start", PlanChangeSets.start(plan, CONTROLLER, "release controller: rollout plan " + plan.getKey()
                    + " started at its startAt (" + startAt + ")"), null, null);
        }
        if (plan.getStatus() != PlanStatus.RUNNING || plan.getCurrentStep() < 0 || !flagsLive(plan)) {
            return null;   // a kill paused the plan in the kill's own change set; nothing moves while a flag is down
        }
        PlanRef ref = new PlanRef(plan.getEnvironment(), plan.getKey());
        PlanStep step = definition.getSteps().get(plan.getCurrentStep());
        ReleaseSignal signal = freshSignal(ref, plan, now);
        Move breach = breach(ref, plan, step, signal);
        if (breach != null || (signal != null && breached(plan, signal) != null)) {
            return breach;   // a breach held (or already acted on) keeps the step where it is
        }
        Duration held = Duration.between(plan.getStepStartedAt(), now);
        Duration hold = Duration.ofSeconds(step.getHoldSeconds());
        if (held.compareTo(hold) < 0) {
            return null;
        }
        List<String> gates = new ArrayList<>();
        gates.add("held " + duration(held) + " (needs " + duration(hold) + ")");
        if (!definition.getGuardrails().isEmpty()) {
            if (signal == null) {
                return null;
            }
            for (Guardrail guardrail : definition.getGuardrails()) {
                GuardrailReading reading = reading(signal, guardrail.getName());
                if (reading == null || reading.getVerdict() != GuardrailVerdict.HEALTHY) {
                    return null;
                }
                gates.add(guardrail.getName() + ": " + reading.getSummary());
            }
        }
        if (step.getMinimumSample() > 0) {
            long exposed = signal == null ? 0 : signal.getExposedUsers().values().stream().mapToLong(Long::longValue).sum();
            if (exposed < step.getMinimumSample()) {
                return null;
            }
            gates.add(String.format(Locale.ROOT, "%,d exposed users (needs %,d)", exposed, step.getMinimumSample()));
        }
        String summary = String.join("; ", gates);
        boolean last = plan.getCurrentStep() == definition.getSteps().size() - 1;
        if (step.getManualApproval() && !plan.getStepApproved()) {
            if (plan.getAwaitingApproval()) {
                return null;
            }
            return new Move("await", PlanChangeSets.awaitApproval(plan, summary, CONTROLLER, "release controller: step "
                    + step.getName() + " passed its gates (" + summary + "); waiting for a person's go"), null, null);
        }
        if (last) {
            return new Move("complete", PlanChangeSets.complete(plan, "step " + step.getName() + ", the last, passed its gates: "
                    + summary, CONTROLLER, "release controller: last step " + step.getName() + " passed its gates (" + summary
                    + "); plan completed"), null, null);
        }
        String next = definition.getSteps().get(plan.getCurrentStep() + 1).getName();
        return new Move("advance", PlanChangeSets.advance(plan, CONTROLLER, "release controller: step " + step.getName()
                + " passed its gates (" + summary + "); starting step " + next), null, null);
    }

    /** The latest verdict for the plan's current step, when it is fresh; null otherwise. */
    private ReleaseSignal freshSignal(PlanRef ref, RolloutPlanState plan, Instant now) {
        ReleaseSignal signal = signals.latest(ref);
        if (signal == null || signal.getStep() != plan.getCurrentStep() || plan.getStepStartedAt() == null
                || signal.getStepStartedAt().toEpochMilli() != plan.getStepStartedAt().toEpochMilli()) {
            return null;
        }
        return Duration.between(signal.getEvaluatedAt(), now).compareTo(freshFor) > 0 ? null : signal;
    }

    /** The first breached reading of one of the plan's guardrails, or null. */
    private static GuardrailReading breached(RolloutPlanState plan, ReleaseSignal signal) {
        for (GuardrailReading reading : signal.getReadings()) {
            if (reading.getVerdict() == GuardrailVerdict.BREACHED && guardrail(plan, reading.getGuardrail()) != null) {
                return reading;
            }
        }
        return null;
    }

    /** What a breach in a fresh verdict calls for, once per verdict; null when there is none (or it was acted on). */
    private Move breach(PlanRef ref, RolloutPlanState plan, PlanStep step, ReleaseSignal signal) {
        if (signal == null) {
            return null;
        }
        GuardrailReading reading = breached(plan, signal);
        if (reading == null || signal.getSignalId().equals(actedOn.get(ref))) {
            return null;
        }
        Guardrail guardrail = guardrail(plan, reading.getGuardrail());
        String breach = "step " + step.getName() + ": " + guardrail.getName() + ": " + summaryOf(reading);
        return switch (guardrail.getOnBreach()) {
            case ROLLBACK -> {
                RollbackAction action = plan.getDefinition().getRollbackAction();
                String why = breach + "; rolled back (" + action + ")";
                yield new Move("rollback", PlanChangeSets.rollBack(model, plan, action, guardrail.getName(), why, CONTROLLER,
                        "release controller: " + why), BreachAction.ROLLBACK, signal.getSignalId());
            }
            case PAUSE -> {
                String why = breach + "; paused";
                yield new Move("pause", PlanChangeSets.pause(plan, why, CONTROLLER, "release controller: " + why),
                        BreachAction.PAUSE, signal.getSignalId());
            }
            case HOLD -> {
                actedOn.put(ref, signal.getSignalId());
                listener.breach(BreachAction.HOLD);
                LOG.info("rollout plan {} in {}: {}; held at step {} (the guardrail holds, it does not roll back)", plan.getKey(),
                        plan.getEnvironment(), breach, step.getName());
                yield null;
            }
        };
    }

    /** The reading's own words; figures and limit when it has none. */
    private static String summaryOf(GuardrailReading reading) {
        if (reading.getSummary() != null && !reading.getSummary().isBlank()) {
            return reading.getSummary();
        }
        return reading.getKind().name().toLowerCase(Locale.ROOT) + " " + reading.getObserved() + " over the limit " + reading.getLimit()
                + " (sample " + reading.getSample() + ")";
    }

    private static Guardrail guardrail(RolloutPlanState plan, String name) {
        for (Guardrail guardrail : plan.getDefinition().getGuardrails()) {
            if (guardrail.getName().equals(name)) {
                return guardrail;
            }
        }
        return null;
    }

    private static GuardrailReading reading(ReleaseSignal signal, String guardrail) {
        for (GuardrailReading reading : signal.getReadings()) {
            if (reading.getGuardrail().equals(guardrail)) {
                return reading;
            }
        }
        return null;
    }

    private boolean flagsLive(RolloutPlanState plan) {
        for (String key : plan.getDefinition().getFlagKeys()) {
            FlagState flag = model.flag(plan.getEnvironment(), key);
            if (flag == null || flag.getArchived() || flag.getKilled()) {
                return false;
            }
        }
        return true;
    }

    private void submit(PlanRef ref, Move move) {
        send(ref, new Next(move.request(), move.action(), (result, refusal) -> {
            if (refusal != null) {
                return afterRefusal(ref, move, refusal);
            }
            if (move.breach() != null) {
                actedOn.put(ref, move.signalId());
                listener.breach(move.breach());
            }
            LOG.info("{} ({} in {})", move.request().reason(), ref.key(), ref.environment());
            return null;
        }));
    }

    /** What to do with an answer: the refusal (null on success) when it is not one to simply try again on the next tick. */
    private interface Handler {
        /** @return what to send next, or null */
        Next handle(CommandResult result, CommandException refusal);
    }

    /** A request to send, and what to do with its answer. */
    private record Next(CommandRequest request, String action, Handler then) {
    }

    /** Sends a request and what follows from its answer; the plan stays in flight until the last of them is answered. */
    private void send(PlanRef ref, Next next) {
        CompletableFuture<CommandResult> answer;
        try {
            answer = writer.apply(next.request());
        } catch (RuntimeException e) {
            inFlight.remove(ref);
            LOG.warn("{} of rollout plan {} in {} was not submitted: {}", next.action(), ref.key(), ref.environment(), e.toString());
            return;
        }
        answer.whenComplete((result, failure) -> {
            Next after = null;
            try {
                if (failure == null) {
                    after = next.then().handle(result, null);
                } else {
                    Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                    if (cause instanceof CommandException refusal && !TRANSIENT.contains(refusal.code())) {
                        LOG.warn("{} of rollout plan {} in {} refused: {}: {}", next.action(), ref.key(), ref.environment(),
                                refusal.code(), refusal.getMessage());
                        listener.controllerRefused(next.action(), refusal.code());
                        after = next.then().handle(null, refusal);
                    } else {
                        LOG.debug("{} of rollout plan {} not applied yet, looked at again on the next tick: {}", next.action(),
                                ref.key(), cause.toString());
                    }
                }
            } catch (RuntimeException e) {
                LOG.warn("the answer to {} of rollout plan {} in {} could not be handled: {}", next.action(), ref.key(),
                        ref.environment(), e.toString());
            }
            if (after != null) {
                send(ref, after);
            } else {
                inFlight.remove(ref);
            }
        });
    }

    /** What follows an action refused for good: it is made visible on the plan, and never looped on. */
    private Next afterRefusal(PlanRef ref, Move move, CommandException refusal) {
        String refused = refusal.code() + ": " + refusal.getMessage();
        RolloutPlanState now = (RolloutPlanState) model.state(ref);
        if (now == null) {
            return null;
        }
        Handler done = (result, again) -> null;
        switch (move.action()) {
            case "advance", "complete", "await" -> {
                if (now.getStatus() != PlanStatus.RUNNING) {
                    return null;
                }
                int failed = "advance".equals(move.action()) ? now.getCurrentStep() + 1 : now.getCurrentStep();
                String why = "step " + now.getDefinition().getSteps().get(failed).getName() + " could not be applied: " + refused
                        + "; paused";
                return new Next(PlanChangeSets.pause(now, why, CONTROLLER, "release controller: " + why), "pause", done);
            }
            case "rollback" -> {
                Command.RollBackPlan asked = (Command.RollBackPlan) move.request().commands().get(0);
                if (asked.action() == RollbackAction.KILL || !(now.getStatus() == PlanStatus.RUNNING
                        || now.getStatus() == PlanStatus.PAUSED)) {
                    return null;
                }
                String why = asked.why() + "; restoring was refused (" + refused + "), so the flags were killed instead";
                return new Next(PlanChangeSets.rollBack(model, now, RollbackAction.KILL, asked.guardrail(), why, CONTROLLER,
                        "release controller: " + why), "rollback", (result, again) -> {
                            if (again == null) {
                                actedOn.put(ref, move.signalId());
                                listener.breach(BreachAction.ROLLBACK);
                            }
                            return null;
                        });
            }
            case "start" -> {
                if (now.getStatus() != PlanStatus.DRAFT || now.getDefinition().getStartAt() == null) {
                    return null;
                }
                return new Next(PlanChangeSets.unschedule(now, CONTROLLER, "release controller: rollout plan " + now.getKey()
                        + " could not start at its startAt (" + now.getDefinition().getStartAt() + "): " + refused
                        + "; startAt cleared"), "unschedule", done);
            }
            default -> {
                return null;
            }
        }
    }

    /** A duration as people read it: {@code 3 d}, {@code 72 h 5 min}, {@code 10 min}, {@code 45 s} (two largest units). */
    static String duration(Duration d) {
        long s = Math.max(0, d.getSeconds());
        long[] sizes = {86_400, 3_600, 60, 1};
        String[] units = {"d", "h", "min", "s"};
        for (int i = 0; i < sizes.length; i++) {
            long n = s / sizes[i];
            if (n > 0) {
                long rest = i + 1 < sizes.length ? (s % sizes[i]) / sizes[i + 1] : 0;
                return n + " " + units[i] + (rest > 0 ? " " + rest + " " + units[i + 1] : "");
            }
        }
        return "0 s";
    }
}
