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
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * "What would this context have been served at instant T?" The flag as it was at T, the segments
 * its rules name as they were at T, and the same engine the edge nodes run, fed through the one
 * contract-to-engine mapper ({@link FlagStateMapper}) the edge nodes use.
 */
public final class TimeTravel {

    private static final Logger LOG = LoggerFactory.getLogger(TimeTravel.class);
    /** How many segments one evaluation follows (segments naming segments) before it stops looking. */
    private static final int MAX_SEGMENTS = 64;

    /**
     * What the flag would have served. {@code variant} is null when the engine served the default;
     * {@code errorCode} and {@code errorMessage} are set only for an error.
     */
    public record Answer(String environment, String key, Instant asOf, long flagVersion, Object value, String variant,
                         Reason reason, ErrorCode errorCode, String errorMessage) {
    }

    private TimeTravel() {
    }

    /**
     * @param segmentAsOf a segment's contract state as of the instant (wherever it lives), or null if it did not exist
     */
    public static Answer evaluate(FlagState state, Instant asOf, EvaluationContext evaluationContext,
                                  Function<String, SegmentState> segmentAsOf) {
        Flag flag = FlagStateMapper.toFlag(state);
        Map<String, Segment> segments = segmentsReached(flag, segmentAsOf);
        FlagView view = new FlagView() {
            @Override
            public Flag flag(String key) {
                return key.equals(flag.key()) ? flag : null;
            }

            @Override
            public Segment segment(String key) {
                return segments.get(key);
            }
        };
        Evaluation<Object> result = Evaluator.evaluate(view, flag.key(), null, null, evaluationContext);
        return new Answer(state.getEnvironment(), state.getFlagKey(), asOf, state.getVersion(), result.value(),
                result.variant(), result.reason(), result.isError() ? result.errorCode() : null,
                result.isError() ? errorMessage(state, result) : null);
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

    private static Map<String, Segment> segmentsReached(Flag flag, Function<String, SegmentState> segmentAsOf) {
        Map<String, Segment> found = new HashMap<>();
        Deque<String> pending = new ArrayDeque<>(flag.segmentsReferenced());
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
