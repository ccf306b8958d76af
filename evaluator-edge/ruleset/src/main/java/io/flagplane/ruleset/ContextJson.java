package io.flagplane.ruleset;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.evaluation.EvaluationContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An evaluation context from its JSON form, as OpenFeature's remote protocol sends it:
 * {@code {"targetingKey": "user-1", "tier": "pro", "age": 31}}. Numbers become longs or doubles,
 * lists and objects stay lists and maps, nulls are dropped.
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
                attributes.put(field.getKey(), toJava(field.getValue()));
            }
        }
        return EvaluationContext.of(targetingKey, attributes);
    }

    private static Object toJava(JsonNode node) {
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.longValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isArray()) {
            List<Object> items = new ArrayList<>(node.size());
            node.forEach(item -> items.add(item.isNull() ? null : toJava(item)));
            return items;
        }
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().isNull() ? null : toJava(e.getValue())));
            return map;
        }
        return null;
    }
}
