package io.flagplane.command.release;

import io.flagplane.avro.FlagState;
import io.flagplane.avro.ScheduledChangeState;
import io.flagplane.avro.ScheduledChangeStatus;
import io.flagplane.avro.SegmentState;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.domain.ReadModel;
import io.flagplane.command.http.ScheduledChangeApply;
import io.flagplane.command.log.CommandRequest;
import io.flagplane.command.log.Sandbox;
import io.flagplane.contract.FlagRef;
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
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * "What will this context be served at instant T?" The write model as it is now, with everything
 * the release controller will do by T applied in order of time, on a {@link Sandbox} (decided by
 * the same deciders, never written): the pending scheduled changes due by T, each applied as the
 * controller applies it, so one that would fail then (something it touches moved, a command
 * refused, its scope protected) is skipped here with the same refusal. Then the context is
 * evaluated by the engine the edge nodes run, fed through the same contract-to-engine mapper.
 * T at or before now evaluates the current state.
 */
public final class FuturePreview {

    private static final Logger LOG = LoggerFactory.getLogger(FuturePreview.class);

    /** Something the preview assumed happens by T: a scheduled change ({@code schedule}) or a plan step ({@code plan-step}). */
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

    /** One thing due by T: what it is, when, and the request that does it against the state it will meet. */
    interface Upcoming {
        String kind();

        String id();

        Instant at();

        CommandRequest request(ReadModel view);

        /** A refusal of {@link #request}'s request, as the item would say it. */
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
            for (Upcoming item : upcoming(model, flag.environment(), at)) {
                Instant when = item.at().isBefore(now) ? now : item.at();
                try {
                    sandbox.apply(item.request(sandbox.view()), when);
                    assumed.add(new Assumed(item.kind(), item.id(), item.at()));
                } catch (CommandException refused) {
                    skipped.add(new Skipped(item.kind(), item.id(), item.at(), refused.code(), item.why(refused)));
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

    /** Everything the controller will do in the environment by {@code asOf}, in order of time. */
    static List<Upcoming> upcoming(ReadModel model, String environment, Instant asOf) {
        List<Upcoming> items = new ArrayList<>();
        for (Object state : model.all(ScheduleRef.class, environment)) {
            ScheduledChangeState change = (ScheduledChangeState) state;
            if (change.getStatus() == ScheduledChangeStatus.PENDING && !change.getApplyAt().isAfter(asOf)) {
                items.add(new ScheduledItem(change));
            }
        }
        items.sort(Comparator.comparing(Upcoming::at).thenComparing(Upcoming::kind).thenComparing(Upcoming::id));
        return items;
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
        public Instant at() {
            return change.getApplyAt();
        }

        @Override
        public CommandRequest request(ReadModel view) {
            return ScheduledChangeApply.request(view, change, ScheduledChangeScheduler.RELEASE_CONTROLLER);
        }

        @Override
        public String why(CommandException refused) {
            return ScheduledChangeApply.why(refused);
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
