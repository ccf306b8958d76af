package io.flagplane.command.release;

import io.flagplane.avro.Actor;
import io.flagplane.avro.ActorKind;
import io.flagplane.avro.BreachAction;
import io.flagplane.avro.EnvironmentState;
import io.flagplane.avro.PlanStatus;
import io.flagplane.avro.RollbackAction;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.http.PlanChangeSets;
import io.flagplane.command.log.CommandProcessor;
import io.flagplane.command.log.CommandRequest;
import io.flagplane.command.log.CommandResult;
import io.flagplane.command.log.WriteModel;
import io.flagplane.command.release.PlanMoves.Move;
import io.flagplane.contract.PlanRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

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

    private final Readiness readiness;
    private final Function<CommandRequest, CompletableFuture<CommandResult>> writer;
    private final WriteModel model;
    private final ReleaseSignals signals;
    private final PlanMoves moves;
    private final Listener listener;
    private final Set<PlanRef> inFlight = ConcurrentHashMap.newKeySet();
    /** Per plan, the verdict last acted on: a breach is acted on once, even if it stays the latest verdict. */
    private final Map<PlanRef, String> actedOn = new ConcurrentHashMap<>();
    /** The last failure to read the signals, logged once while it lasts (the ticker thread's own). */
    private String lastSignalFailure;

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
        this.moves = new PlanMoves(model, signalInterval.multipliedBy(FRESH_INTERVALS));
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
            boolean succeeded = false;
            try {
                signals.poll(rewind);
                succeeded = true;
            } catch (RuntimeException e) {
                // plans without guardrails still move on hold time alone; the others wait for verdicts
                listener.tickFailed();
                String why = e.toString();
                if (!why.equals(lastSignalFailure)) {   // said once, not every second, while it lasts
                    LOG.warn("release signals could not be read (plans with guardrails hold until they can): {}", why);
                }
                lastSignalFailure = why;
            }
            if (lastSignalFailure != null && succeeded) {
                LOG.info("release signals are read again");
                lastSignalFailure = null;
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
                    Move move = moves.next(plan, signals.latest(ref), actedOn.get(ref), now);
                    if (move == null) {
                        continue;
                    }
                    if (move.request() == null) {   // a breach whose guardrail holds the step: nothing to write
                        actedOn.put(ref, move.signalId());
                        listener.breach(move.breach());
                        LOG.info("rollout plan {} in {} is held at step {}: a breach of a guardrail that holds", plan.getKey(),
                                plan.getEnvironment(), plan.getCurrentStep());
                    } else if (inFlight.add(ref)) {
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
}
