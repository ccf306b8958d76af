package io.flagplane.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.evaluation.EvaluationContext;
import java.util.HashMap;
import java.util.Map;

/**
 * An evaluation context from its JSON form, as OpenFeature's remote protocol sends it:
 * {@code {"targetingKey": "user-1", "tier": "pro", "age": 31}}. Values become plain Java as flag
 * values do ({@link FlagStateMapper#jsonValue}): numbers longs or doubles, lists and objects
 * unmodifiable lists and maps; top-level nulls are dropped.
 *
 * <p>A context comes from anyone, so its size is bounded (the constants below, public so the edge
 * and the SDKs can document them) and numbers must be finite; what passes is cheap to evaluate.
 */
public final class ContextJson {

    /** Attributes in the context, and fields in any object inside it. */
    public static final int MAX_ATTRIBUTES = 1_000;
    /** Characters in an attribute name, or a field name inside an object. */
    public static final int MAX_NAME_LENGTH = 256;
    /** Characters in a string value, wherever it is. */
    public static final int MAX_STRING_LENGTH = 10_000;
    /** Items in a list. */
    public static final int MAX_LIST_ITEMS = 1_000;
    /** Lists and objects nested inside an attribute's value. */
    public static final int MAX_DEPTH = 10;
    /**
     * Characters in the targeting key. Longer than the 256 a flag's allow and deny lists hold, so
     * a client keying by a long composite id can still be bucketed; a key beyond 256 characters
     * can simply never be on a list.
     */
    public static final int MAX_TARGETING_KEY_LENGTH = 1_024;

    private ContextJson() {
    }

    /**
     * @throws IllegalArgumentException when the context is not an object, its targeting key is
     *                                  not a string, it exceeds a bound, or it holds a number that
     *                                  is not finite; the message names the field
     */
    public static EvaluationContext fromJson(JsonNode context) {
        if (context == null || context.isNull() || context.isMissingNode()) {
            return EvaluationContext.empty();
        }
        if (!context.isObject()) {
            throw new IllegalArgumentException("\"context\" must be a JSON object, not " + context.getNodeType());
        }
        checkFields(context, "context", 0);
        String targetingKey = null;
        Map<String, Object> attributes = new HashMap<>();
        for (Map.Entry<String, JsonNode> field : context.properties()) {
            if (field.getKey().equals(EvaluationContext.TARGETING_KEY)) {
                if (!field.getValue().isTextual()) {
                    throw new IllegalArgumentException("\"context.targetingKey\" must be a string, not "
                            + field.getValue().getNodeType());
                }
                targetingKey = field.getValue().textValue();
                if (targetingKey.length() > MAX_TARGETING_KEY_LENGTH) {
                    throw new IllegalArgumentException("\"context.targetingKey\" is longer than " + MAX_TARGETING_KEY_LENGTH
                            + " characters");
                }
            } else if (!field.getValue().isNull()) {
                attributes.put(field.getKey(), FlagStateMapper.jsonValue(field.getValue()));
            }
        }
        return EvaluationContext.of(targetingKey, attributes);
    }

    /**
     * An object's field count and names, then each value; the targeting key is checked where it
     * is read. Paths are built only for a refusal or a nested value, not for every attribute.
     */
    private static void checkFields(JsonNode object, String path, int depth) {
        String what = depth == 0 ? "attribute" : "field";
        int count = object.size() - (depth == 0 && object.has(EvaluationContext.TARGETING_KEY) ? 1 : 0);
        if (count > MAX_ATTRIBUTES) {
            throw new IllegalArgumentException("\"" + path + "\" has " + count + " " + what + "s; at most " + MAX_ATTRIBUTES
                    + " " + what + "s are allowed");
        }
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            String name = field.getKey();
            if (name.length() > MAX_NAME_LENGTH) {
                throw new IllegalArgumentException("\"" + path + "\" has " + (depth == 0 ? "an " : "a ") + what
                        + " name longer than " + MAX_NAME_LENGTH + " characters: \"" + name.substring(0, 32) + "...\"");
            }
            if (depth > 0 || !name.equals(EvaluationContext.TARGETING_KEY)) {
                checkValue(field.getValue(), path, name, -1, depth);
            }
        }
    }

    /**
     * One value, at {@code parent.name} or, when {@code index} is not negative, {@code parent[index]};
     * {@code depth} counts the lists and objects around it inside its attribute.
     */
    private static void checkValue(JsonNode value, String parent, String name, int index, int depth) {
        if (value.isTextual() && value.textValue().length() > MAX_STRING_LENGTH) {
            throw new IllegalArgumentException("\"" + path(parent, name, index) + "\" is longer than " + MAX_STRING_LENGTH
                    + " characters");
        }
        if (value.isNumber() && !Double.isFinite(value.doubleValue())) {
            throw new IllegalArgumentException("\"" + path(parent, name, index)
                    + "\" must be a finite number (it is beyond a double)");
        }
        if (!value.isContainerNode()) {
            return;
        }
        String path = path(parent, name, index);
        if (depth + 1 > MAX_DEPTH) {
            throw new IllegalArgumentException("\"" + path + "\" nests lists and objects more than " + MAX_DEPTH
                    + " levels deep");
        }
        if (value.isObject()) {
            checkFields(value, path, depth + 1);
            return;
        }
        if (value.size() > MAX_LIST_ITEMS) {
            throw new IllegalArgumentException("\"" + path + "\" has " + value.size() + " items; at most " + MAX_LIST_ITEMS
                    + " items are allowed");
        }
        for (int i = 0; i < value.size(); i++) {
            checkValue(value.get(i), path, null, i, depth + 1);
        }
    }

    private static String path(String parent, String name, int index) {
        return index < 0 ? parent + "." + name : parent + "[" + index + "]";
    }
}
