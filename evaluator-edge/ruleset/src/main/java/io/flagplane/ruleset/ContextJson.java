package io.flagplane.ruleset;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.evaluation.EvaluationContext;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * An evaluation context from its JSON form, as OpenFeature's remote protocol sends it:
 * {@code {"targetingKey": "user-1", "tier": "pro", "age": 31}}. Values become plain Java as flag
 * values do ({@link FlagStateMapper#jsonValue}): numbers longs or doubles, lists and objects
 * unmodifiable lists and maps; top-level nulls are dropped.
 */
public final class ContextJson {

    private ContextJson() {
    }

    /**
     * @throws IllegalArgumentException when the context is not an object or its targeting key is
     *                                  not a string; the message names the field
     */
    public static EvaluationContext fromJson(JsonNode context) {
        if (context == null || context.isNull() || context.isMissingNode()) {
            return EvaluationContext.empty();
        }
        if (!context.isObject()) {
            throw new IllegalArgumentException("\"context\" must be a JSON object, not " + context.getNodeType());
        }
        String targetingKey = null;
        Map<String, Object> attributes = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = context.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals(EvaluationContext.TARGETING_KEY)) {
                if (!field.getValue().isTextual()) {
                    throw new IllegalArgumentException("\"context.targetingKey\" must be a string, not "
                            + field.getValue().getNodeType());
                }
                targetingKey = field.getValue().textValue();
            } else if (!field.getValue().isNull()) {
                attributes.put(field.getKey(), FlagStateMapper.jsonValue(field.getValue()));
            }
        }
        return EvaluationContext.of(targetingKey, attributes);
    }
}
