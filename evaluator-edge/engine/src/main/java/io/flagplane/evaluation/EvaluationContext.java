package io.flagplane.evaluation;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * Who (or what) a flag is evaluated for: a targeting key and attributes. Attribute values are
 * String, Number, Boolean, {@link java.time.Instant}, or lists and maps of them.
 */
public final class EvaluationContext {

    /** The attribute name rules use for the targeting key. */
    public static final String TARGETING_KEY = "targetingKey";

    private static final EvaluationContext EMPTY = new EvaluationContext(null, new HashMap<>());

    private final String targetingKey;
    /** A private copy, never mutated: a plain HashMap is the fastest lookup on the hot path. */
    private final HashMap<String, Object> attributes;

    private EvaluationContext(String targetingKey, HashMap<String, Object> attributes) {
        this.targetingKey = targetingKey;
        this.attributes = attributes;
    }

    public static EvaluationContext empty() {
        return EMPTY;
    }

    public static EvaluationContext of(String targetingKey) {
        return new EvaluationContext(targetingKey, new HashMap<>());
    }

    public static EvaluationContext of(String targetingKey, Map<String, ?> attributes) {
        return new EvaluationContext(targetingKey, new HashMap<>(attributes));
    }

    /** The targeting key, or null when the caller gave none. */
    public String targetingKey() {
        return targetingKey;
    }

    /** An attribute; {@code targetingKey} names the targeting key. Null when absent. */
    public Object attribute(String name) {
        if (TARGETING_KEY.equals(name)) {
            return targetingKey;
        }
        return attributes.get(name);
    }

    /** Only the attributes map, without the targeting key. */
    Object attributeValue(String name) {
        return attributes.get(name);
    }

    public Map<String, Object> attributes() {
        return Collections.unmodifiableMap(attributes);
    }

    @Override
    public String toString() {
        return "EvaluationContext[targetingKey=" + targetingKey + ", attributes=" + attributes + "]";
    }
}
