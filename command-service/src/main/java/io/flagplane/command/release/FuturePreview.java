package io.flagplane.command.release;

import io.flagplane.avro.Actor;
import io.flagplane.avro.ActorKind;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.PlanStatus;
import io.flagplane.avro.PlanStep;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.avro.ScheduledChangeState;
import io.flagplane.avro.ScheduledChangeStatus;
import io.flagplane.avro.SegmentState;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.domain.ReadModel;
import io.flagplane.command.http.PlanChangeSets;
import io.flagplane.command.http.ScheduledChangeApply;
import io.flagplane.command.log.CommandRequest;
import io.flagplane.command.log.Sandbox;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.PlanRef;
import io.flagplane.contract.ScheduleRef;
import io.flagplane.evaluation.Evaluation;
import io.flagplane.evaluation.EvaluationContext;
import io.flagplane.evaluation.Evaluator;
import io.flagplane.evaluation.Flag;
import io.flagplane.evaluation.FlagView;
import io.flagplane.evaluation.Reason;
import io.flagplane.evaluation.Segment;
import io.flagplane.mapping.FlagStateMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * "What will this context be served at instant T?" The write model as it is now, with everything
 * the release controller will do by T applied in order of time, on a {@link Sandbox} (decided by
 * the same deciders, never written):
 * <ul>
 *   <li>the pending scheduled changes due by T, each applied as the controller applies it, so one
 *       that would fail then (something it touches moved, a command refused, its scope protected)
 *       is skipped here with the same refusal;</li>
 *   <li>rollout plans' steps, assuming every gate passes: a draft with a {@code startAt} starts
 *       then; a running plan at step i, started at t, starts step i+1 at t + hold_i (a person's go
 *       assumed at that moment for a manual step), and so on, and completes after its last step's
 *       hold. A paused plan, or one whose flag is killed, does not move.</li>
 * </ul>
 * Each happens at its own instant, or now when it is already due (the controller is about to act).
 * Then the context is evaluated by the engine the edge nodes run, fed through the same
 * contract-to-engine mapper. T at or before now evaluates the current state.
 */
public final class FuturePreview {

    private static final Logger LOG = LoggerFactory.getLogger(FuturePreview.class);
    /** At most this many things are assumed to happen before T (plans with many short steps, many schedules). */
    static final int MAX_ITEMS = 1_000;
    /** The person whose go the preview assumes at a manual step. */
    private static final Actor ASSUMED_GO = new Actor("preview: a person's go, assumed", ActorKind.USER);

    /**
     * Something the preview assumed happens by T, at {@code at}: a scheduled change ({@code schedule},
     * its id), a plan step starting ({@code plan-step}, {@code planKey/stepName}) or a plan completing
     * ({@code plan-complete}, the plan's key).
     */
    public record Assumed(String kind, String id, Instant at) {
    }

    /** Something due by T that would not happen, and the refusal that would stop it. */
    public record Skipped(String kind, String id, Instant at, ErrorCode code, String message) {
    }

    /**
     * What the flag would serve. {@code variant} is null when the engine served the default;
     * {@code errorCode} and {@code errorMessage} are set only for an error.
     */
    public record Answer(String environment, String key, Instant asOf, long flagVersion, Object value, String variant,
                         Reason reason, io.flagplane.evaluation.ErrorCode errorCode, String errorMessage,
                         List<Assumed> assumed, List<Skipped> skipped) {
    }

    /** One thing due: what it is, when it falls due, and the requests that do it against the state it will meet. */
    private interface Upcoming {
        String kind();

        String id();

        Instant due();

        /** Applies it to the sandbox at {@code when}, as the controller would; throws the refusal that would stop it. */
        void apply(Sandbox sandbox, Instant when);

        /** A refusal, as the item would say it. */
        String why(CommandException refused);
    }

    private FuturePreview() {
    }

    /**
     * @param now  the service's clock: what is due before it is overdue and happens at once
     * @param asOf the instant asked about; null or at/before {@code now} is now
     * @throws CommandException {@code FLAG_NOT_FOUND} when the flag neither exists nor would by then
     */
    public static Answer evaluate(ReadModel model, FlagRef flag, Instant now, Instant asOf, EvaluationContext context) {
        Instant at = asOf == null || !asOf.isAfter(now) ? now : asOf;
        Sandbox sandbox = new Sandbox(model);
        List<Assumed> assumed = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        if (at.isAfter(now)) {
            Set<String> done = new HashSet<>();
            for (int n = 0; n < MAX_ITEMS; n++) {
                Upcoming item = next(sandbox.view(), flag.environment(), now, at, done);
                if (item == null) {
                    break;
                }
                Instant when = item.due().isBefore(now) ? now : item.due();
                done.add(item.kind() + " " + item.id());
                try {
                    item.apply(sandbox, when);
                    assumed.add(new Assumed(item.kind(), item.id(), when));
                } catch (CommandException refused) {
                    skipped.add(new Skipped(item.kind(), item.id(), when, refused.code(), item.why(refused)));
                }
            }
        }
        ReadModel then = sandbox.view();
        FlagState state = then.flag(flag.environment(), flag.key());
        if (state == null) {
            throw new CommandException(ErrorCode.FLAG_NOT_FOUND, null, flag.describe() + " does not exist"
                    + (at.isAfter(now) ? ", nor would it by " + at : ""));
        }
        Evaluation<Object> result = Evaluator.evaluate(view(then, flag.environment()), flag.key(), null, null, context);
        return new Answer(flag.environment(), flag.key(), at, state.getVersion(), result.value(), result.variant(), result.reason(),
                result.isError() ? result.errorCode() : null, result.isError() ? errorMessage(flag, result) : null,
                List.copyOf(assumed), List.copyOf(skipped));
    }

    /**
     * The first thing the controller would do next in the environment, as the state now stands in
     * the sandbox, if it falls due by {@code asOf}; null when nothing does. {@code done} holds what
     * was applied or skipped already, so a refused item is not tried again.
     */
    private static Upcoming next(ReadModel view, String environment, Instant now, Instant asOf, Set<String> done) {
        List<Upcoming> due = new ArrayList<>();
        for (Object state : view.all(ScheduleRef.class, environment)) {
            ScheduledChangeState change = (ScheduledChangeState) state;
            if (change.getStatus() == ScheduledChangeStatus.PENDING) {
                due.add(new ScheduledItem(change));
            }
        }
        for (Object state : view.all(PlanRef.class, environment)) {
            Upcoming move = PlanItem.of(view, (RolloutPlanState) state);
            if (move != null) {
                due.add(move);
            }
        }
        return due.stream()
                .filter(item -> !item.due().isAfter(asOf) && !done.contains(item.kind() + " " + item.id()))
                .min(Comparator.comparing((Upcoming item) -> item.due().isBefore(now) ? now : item.due())
                        .thenComparing(Upcoming::kind).thenComparing(Upcoming::id))
                .orElse(null);
    }

    /** A pending scheduled change, applied as the controller will apply it. */
    private record ScheduledItem(ScheduledChangeState change) implements Upcoming {
        @Override
        public String kind() {
            return "schedule";
        }

        @Override
        public String id() {
            return change.getId();
        }

        @Override
        public Instant due() {
            return change.getApplyAt();
        }

        @Override
        public void apply(Sandbox sandbox, Instant when) {
            sandbox.apply(ScheduledChangeApply.request(sandbox.view(), change, ScheduledChangeScheduler.RELEASE_CONTROLLER), when);
        }

        @Override
        public String why(CommandException refused) {
            return ScheduledChangeApply.why(refused);
        }
    }

    /** A rollout plan's next move, assuming its gates pass: start, the next step, or completion. */
    private record PlanItem(String kind, String id, Instant due, RolloutPlanState plan) implements Upcoming {

        /** The plan's next move, or null when it makes none by itself (a draft without startAt, paused, ended, a flag killed). */
        static PlanItem of(ReadModel view, RolloutPlanState plan) {
            List<PlanStep> steps = plan.getDefinition().getSteps();
            if (plan.getStatus() == PlanStatus.DRAFT) {
                Instant startAt = plan.getDefinition().getStartAt();
                return startAt == null || steps.isEmpty() ? null
                        : new PlanItem("plan-step", plan.getKey() + "/" + steps.get(0).getName(), startAt, plan);
            }
            int current = plan.getCurrentStep();
            if (plan.getStatus() != PlanStatus.RUNNING || current < 0 || current >= steps.size()
                    || plan.getStepStartedAt() == null || killed(view, plan)) {
                return null;
            }
            Instant due = plan.getStepStartedAt().plusSeconds(steps.get(current).getHoldSeconds());
            return current == steps.size() - 1 ? new PlanItem("plan-complete", plan.getKey(), due, plan)
                    : new PlanItem("plan-step", plan.getKey() + "/" + steps.get(current + 1).getName(), due, plan);
        }

        private static boolean killed(ReadModel view, RolloutPlanState plan) {
            return plan.getDefinition().getFlagKeys().stream().map(key -> view.flag(plan.getEnvironment(), key))
                    .anyMatch(flag -> flag != null && flag.getKilled());
        }

        @Override
        public void apply(Sandbox sandbox, Instant when) {
            Actor controller = ScheduledChangeScheduler.RELEASE_CONTROLLER;
            if (plan.getStatus() == PlanStatus.DRAFT) {
                sandbox.apply(PlanChangeSets.start(plan, controller, "preview: rollout plan " + plan.getKey() + " starts at its startAt"),
                        when);
                return;
            }
            PlanRef ref = new PlanRef(plan.getEnvironment(), plan.getKey());
            int current = plan.getCurrentStep();
            if (plan.getDefinition().getSteps().get(current).getManualApproval() && !plan.getStepApproved()) {
                sandbox.apply(CommandRequest.of(new Command.ApprovePlanStep(ref, ASSUMED_GO, current, true, null, plan.getVersion()),
                        ASSUMED_GO, "preview: a person's go assumed"), when);
            }
            RolloutPlanState approved = (RolloutPlanState) sandbox.view().state(ref);
            sandbox.apply(kind.equals("plan-complete")
                    ? PlanChangeSets.complete(approved, "preview: gates assumed to pass", controller, "preview")
                    : PlanChangeSets.advance(approved, controller, "preview: gates assumed to pass"), when);
        }

        @Override
        public String why(CommandException refused) {
            return (refused.field() == null ? "" : refused.field() + ": ") + refused.getMessage();
        }
    }

    /** The engine's view of the environment as it would be: flags and segments mapped when the evaluation reaches them. */
    private static FlagView view(ReadModel model, String environment) {
        Map<String, Flag> flags = new HashMap<>();
        Map<String, Segment> segments = new HashMap<>();
        Function<String, Flag> flagOf = key -> {
            FlagState state = model.flag(environment, key);
            return state == null ? null : FlagStateMapper.toFlag(state);
        };
        Function<String, Segment> segmentOf = key -> {
            SegmentState state = model.segment(environment, key);
            return state == null ? Segment.builder(key).build() : FlagStateMapper.toSegment(state);
        };
        return new FlagView() {
            @Override
            public Flag flag(String key) {
                return flags.computeIfAbsent(key, flagOf);
            }

            @Override
            public Segment segment(String key) {
                return segments.computeIfAbsent(key, segmentOf);
            }
        };
    }

    /** The engine's own sentence, except for GENERAL: that one wraps an exception, which is logged, never sent. */
    private static String errorMessage(FlagRef flag, Evaluation<Object> result) {
        if (result.errorCode() != io.flagplane.evaluation.ErrorCode.GENERAL) {
            return result.errorMessage();
        }
        LOG.warn("a preview evaluation of {} failed inside the engine: {}", flag.describe(), result.errorMessage());
        return "the flag could not be evaluated; the service logged the cause";
    }
}
