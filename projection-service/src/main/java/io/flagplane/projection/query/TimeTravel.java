package io.flagplane.projection.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.avro.FlagState;
import io.flagplane.evaluation.ConditionSpec;
import io.flagplane.evaluation.ErrorCode;
import io.flagplane.evaluation.Evaluation;
import io.flagplane.evaluation.EvaluationContext;
import io.flagplane.evaluation.Evaluator;
import io.flagplane.evaluation.Flag;
import io.flagplane.evaluation.FlagView;
import io.flagplane.evaluation.Segment;
import io.flagplane.ruleset.FlagStateMapper;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * "What would this context have been served at instant T?" The flag as it was at T, the segments
 * its rules name as they were at T, and the same engine the edge nodes run.
 */
public final class TimeTravel {

    private static final Logger LOG = LoggerFactory.getLogger(TimeTravel.class);

    private TimeTravel() {
    }

    /**
     * @param segmentAsOf a segment's JSON as of the instant (wherever it lives), or null if it did not exist
     */
    public static ObjectNode evaluate(FlagState state, Instant asOf, EvaluationContext evaluationContext,
                                      Function<String, JsonNode> segmentAsOf) {
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
        ObjectNode body = ProjectionQueries.JSON.createObjectNode();
        body.put("environment", state.getEnvironment());
        body.put("key", state.getFlagKey());
        body.put("asOf", asOf.toString());
        body.put("flagVersion", state.getVersion());
        body.putPOJO("value", result.value());
        body.put("variant", result.variant());
        body.put("reason", result.reason().name());
        if (result.isError()) {
            body.put("errorCode", result.errorCode().name());
            body.put("errorMessage", errorMessage(state, result));
        }
        return body;
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

    private static Map<String, Segment> segmentsReached(Flag flag, Function<String, JsonNode> segmentAsOf) {
        Map<String, Segment> found = new HashMap<>();
        Deque<String> pending = new ArrayDeque<>(flag.segmentsReferenced());
        while (!pending.isEmpty() && found.size() < 64) {
            String key = pending.pop();
            if (found.containsKey(key)) {
                continue;
            }
            JsonNode json = segmentAsOf.apply(key);
            Segment segment = json == null ? Segment.builder(key).build() : segmentFromJson(key, json);
            found.put(key, segment);
            pending.addAll(segment.segmentsReferenced());
        }
        return found;
    }

    /** The engine's segment from its API JSON (as {@code StateJson} renders it). */
    static Segment segmentFromJson(String key, JsonNode json) {
        Segment.Builder segment = Segment.builder(key).version(json.path("version").asLong());
        if (json.path("archived").asBoolean(false)) {
            return segment.build();
        }
        segment.include(texts(json.get("included"))).exclude(texts(json.get("excluded")));
        for (JsonNode rule : json.path("rules")) {
            List<ConditionSpec> conditions = new ArrayList<>();
            for (JsonNode condition : rule.path("conditions")) {
                conditions.add(new ConditionSpec(condition.path("attribute").asText(), condition.path("operator").asText(),
                        texts(condition.get("values"))));
            }
            segment.rule(conditions);
        }
        return segment.build();
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null) {
            array.forEach(v -> out.add(v.asText()));
        }
        return out;
    }
}
