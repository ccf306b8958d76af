package io.flagplane.projection.query;

import io.flagplane.avro.FlagState;
import io.flagplane.avro.SegmentState;
import io.flagplane.evaluation.ErrorCode;
import io.flagplane.evaluation.Evaluation;
import io.flagplane.evaluation.EvaluationContext;
import io.flagplane.evaluation.Evaluator;
import io.flagplane.evaluation.Flag;
import io.flagplane.evaluation.FlagView;
import io.flagplane.evaluation.Reason;
import io.flagplane.evaluation.Segment;
import io.flagplane.mapping.FlagStateMapper;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * "What would this context have been served at instant T?" The flag as it was at T, the flags it
 * names as prerequisites as they were at T (and theirs, as deep as the engine follows), the
 * segments any of them names as they were at T, and the same engine the edge nodes run, fed
 * through the one contract-to-engine mapper ({@link FlagStateMapper}) the edge nodes use. So a
 * prerequisite killed at T makes its dependant answer PREREQUISITE_FAILED as of T, as it did then.
 */
public final class TimeTravel {

    private static final Logger LOG = LoggerFactory.getLogger(TimeTravel.class);
    /** How many segments one evaluation follows (segments naming segments) before it stops looking. */
    private static final int MAX_SEGMENTS = 64;
    /** How many prerequisite flags one evaluation fetches (the writer keeps a flag's reach far below this). */
    private static final int MAX_PREREQUISITE_FLAGS = 64;

    /**
     * What the flag would have served. {@code variant} is null when the engine served the default;
     * {@code errorCode} and {@code errorMessage} are set only for an error; {@code reasonDetail}
     * only for reason PREREQUISITE_FAILED (which prerequisite, what it served, what was needed).
     */
    public record Answer(String environment, String key, Instant asOf, long flagVersion, Object value, String variant,
                         Reason reason, ErrorCode errorCode, String errorMessage, String reasonDetail) {
    }

    private TimeTravel() {
    }

    /**
     * @param segmentAsOf a segment's contract state as of the instant (wherever it lives), or null if it did not exist
     * @param flagAsOf    another flag's contract state as of the instant, in the same environment (wherever it
     *                    lives), or null if it did not exist then: asked only for prerequisites
     */
    public static Answer evaluate(FlagState state, Instant asOf, EvaluationContext evaluationContext,
                                  Function<String, SegmentState> segmentAsOf, Function<String, FlagState> flagAsOf) {
        Flag flag = FlagStateMapper.toFlag(state);
        Map<String, Flag> flags = prerequisitesReached(flag, flagAsOf);
        Map<String, Segment> segments = segmentsReached(flags.values(), segmentAsOf);
        FlagView view = new FlagView() {
            @Override
            public Flag flag(String key) {
                return flags.get(key);
            }

            @Override
            public Segment segment(String key) {
                return segments.get(key);
            }
        };
        Evaluation<Object> result = Evaluator.evaluate(view, flag.key(), null, null, evaluationContext);
        return new Answer(state.getEnvironment(), state.getFlagKey(), asOf, state.getVersion(), result.value(),
                result.variant(), result.reason(), result.isError() ? result.errorCode() : null,
                result.isError() ? errorMessage(state, result) : null, result.reasonDetail());
    }

    /**
     * The flag and every flag it reaches through prerequisites, as of the instant, by key; one
     * that did not exist then is left out (the engine then says it does not exist). Bounded, so a
     * cycle in old data cannot make this loop: the engine reports such a cycle itself.
     */
    private static Map<String, Flag> prerequisitesReached(Flag flag, Function<String, FlagState> flagAsOf) {
        Map<String, Flag> found = new LinkedHashMap<>();
        found.put(flag.key(), flag);
        Deque<String> pending = new ArrayDeque<>(flag.prerequisiteKeys());
        Set<String> asked = new HashSet<>(found.keySet());
        while (!pending.isEmpty() && asked.size() <= MAX_PREREQUISITE_FLAGS) {
            String key = pending.pop();
            if (!asked.add(key)) {
                continue;
            }
            FlagState state = flagAsOf.apply(key);
            if (state != null) {
                Flag prerequisite = FlagStateMapper.toFlag(state);
                found.put(key, prerequisite);
                pending.addAll(prerequisite.prerequisiteKeys());
            }
        }
        return found;
    }

    /** The engine's own sentence, except for GENERAL: that one wraps an exception, which is logged, never sent. */
    private static String errorMessage(FlagState state, Evaluation<Object> result) {
        if (result.errorCode() != ErrorCode.GENERAL) {
            return result.errorMessage();
        }
        LOG.warn("a time-travel evaluation of {}/{} v{} failed inside the engine: {}", state.getEnvironment(),
                state.getFlagKey(), state.getVersion(), result.errorMessage());
        return "the flag could not be evaluated; the service logged the cause";
    }

    private static Map<String, Segment> segmentsReached(Collection<Flag> flags, Function<String, SegmentState> segmentAsOf) {
        Map<String, Segment> found = new HashMap<>();
        Deque<String> pending = new ArrayDeque<>();
        flags.forEach(flag -> pending.addAll(flag.segmentsReferenced()));
        while (!pending.isEmpty() && found.size() < MAX_SEGMENTS) {
            String key = pending.pop();
            if (found.containsKey(key)) {
                continue;
            }
            SegmentState state = segmentAsOf.apply(key);
            Segment segment = state == null ? Segment.builder(key).build() : FlagStateMapper.toSegment(state);
            found.put(key, segment);
            pending.addAll(segment.segmentsReferenced());
        }
        return found;
    }
}
