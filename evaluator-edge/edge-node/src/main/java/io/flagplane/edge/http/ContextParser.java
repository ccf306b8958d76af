package io.flagplane.edge.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagplane.evaluation.ErrorCode;
import io.flagplane.evaluation.EvaluationContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an OFREP request body ({@code {"context": {"targetingKey": "...", ...}}}) into an
 * {@link EvaluationContext}. Malformed JSON is {@code PARSE_ERROR}; a context that is not an
 * object, or a targeting key that is not a string, is {@code INVALID_CONTEXT}.
 */
final class ContextParser {

    private final ObjectMapper json;

    ContextParser(ObjectMapper json) {
        this.json = json;
    }

    EvaluationContext parse(byte[] body) {
        if (body.length == 0) {
            return EvaluationContext.empty();
        }
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new OfrepError(400, ErrorCode.PARSE_ERROR, "request body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new OfrepError(400, ErrorCode.PARSE_ERROR, "request body cannot be read: " + e.getMessage());
        }
        if (root == null || root.isNull() || root.isMissingNode()) {
            return EvaluationContext.empty();
        }
        if (!root.isObject()) {
            throw new OfrepError(400, ErrorCode.PARSE_ERROR, "request body must be a JSON object with a \"context\" field");
        }
        JsonNode context = root.get("context");
        if (context == null || context.isNull()) {
            return EvaluationContext.empty();
        }
        if (!context.isObject()) {
            throw new OfrepError(400, ErrorCode.INVALID_CONTEXT, "\"context\" must be a JSON object, not " + context.getNodeType());
        }
        String targetingKey = null;
        Map<String, Object> attributes = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = context.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals(EvaluationContext.TARGETING_KEY)) {
                if (!field.getValue().isTextual()) {
                    throw new OfrepError(400, ErrorCode.INVALID_CONTEXT, "\"context.targetingKey\" must be a string, not "
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
