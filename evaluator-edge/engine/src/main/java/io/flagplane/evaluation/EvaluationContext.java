package io.flagplane.evaluation;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Who (or what) a flag is evaluated for: a targeting key and attributes. Attribute values are
 * String, Number, Boolean, {@link java.time.Instant}, or lists and maps of them.
 *
 * <p>Immutable: the attributes are copied when the context is made. Hot path: a context of up to
 * {@value #SMALL} attributes (almost every real one: a country, a role, a tier…) keeps their
 * names and values side by side in one small array, and a condition finds its attribute by
 * scanning it (see {@link #attributeValue}); a larger context keeps a HashMap.
 */
public final class EvaluationContext {

    /** The attribute name rules use for the targeting key. */
    public static final String TARGETING_KEY = "targetingKey";

    /**
     * Up to this many attributes are scanned rather than hashed. Evaluation time goes mostly to
     * memory, not arithmetic: a context is usually met once, cold, and a HashMap lookup reads the
     * map, its table, a node and the key (whose characters it compares when the caller's String is
     * not the condition's own), a line of memory each, for every condition. The names and values
     * of a small context sit in one array, read once per evaluation, in which a condition finds its
     * name by reference. Past a handful the scan's comparisons add up, and a large context (up to
     * 1,000 attributes over OFREP) must not make every lookup linear, so larger contexts keep the map.
     */
    static final int SMALL = 8;

    private static final Object[] NONE = {};
    private static final EvaluationContext EMPTY = new EvaluationContext(null, Map.of());

    private final String targetingKey;
    /** A small context's attributes as name, value, name, value …; null for a large one. */
    private final Object[] small;
    /** A large context's attributes: a private copy, never mutated; null for a small one. */
    private final HashMap<String, Object> large;

    private EvaluationContext(String targetingKey, Map<String, ?> attributes) {
        this.targetingKey = targetingKey;
        // one snapshot of the caller's map, so that its size and its entries agree
        Object[] entries = attributes.entrySet().toArray();
        if (entries.length > SMALL) {
            this.large = new HashMap<>(attributes);
            this.small = null;
            return;
        }
        this.large = null;
        Object[] pairs = entries.length == 0 ? NONE : new Object[2 * entries.length];
        int n = 0;
        for (Object o : entries) {
            Map.Entry<?, ?> entry = (Map.Entry<?, ?>) o;
            if (entry.getKey() instanceof String name) {   // no lookup asks for null (nor, through a raw map, a non-String)
                pairs[n++] = name;
                pairs[n++] = entry.getValue();
            }
        }
        // pairs may end in unused slots: a null name never matches a lookup
        this.small = pairs;
    }

    public static EvaluationContext empty() {
        return EMPTY;
    }

    public static EvaluationContext of(String targetingKey) {
        return new EvaluationContext(targetingKey, Map.of());
    }

    public static EvaluationContext of(String targetingKey, Map<String, ?> attributes) {
        return new EvaluationContext(targetingKey, attributes);
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
        return name == null ? null : attributeValue(name);
    }

    /**
     * Only the attributes, without the targeting key; null when absent. Allocates nothing.
     *
     * <p>A small context is scanned for the name by reference first, which finds it in the usual
     * case (a prepared condition holds the interned name, a caller's names are literals, which
     * Java interns, and Jackson interns the field names it parses), and only then by characters,
     * so that a name built at run time is still found.
     */
    Object attributeValue(String name) {
        Object[] small = this.small;
        if (small == null) {
            return large.get(name);
        }
        int length = small.length;
        // the first three names compared without a loop: most contexts have about that many, and for a
        // name found early a loop's counter and bounds checks cost more than the comparisons (five
        // two-condition rules ran about 8 % faster so, in an A/B of CPU time)
        if (length >= 2 && small[0] == name) {
            return small[1];
        }
        if (length >= 4 && small[2] == name) {
            return small[3];
        }
        if (length >= 6 && small[4] == name) {
            return small[5];
        }
        for (int i = 6; i < length; i += 2) {
            if (small[i] == name) {
                return small[i + 1];
            }
        }
        for (int i = 0; i < length; i += 2) {
            if (name.equals(small[i])) {
                return small[i + 1];
            }
        }
        return null;
    }

    /** The attributes, without the targeting key; unmodifiable. Built on each call for a small context: not for the evaluation path. */
    public Map<String, Object> attributes() {
        if (small == null) {
            return Collections.unmodifiableMap(large);
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < small.length; i += 2) {
            if (small[i] != null) {
                map.put((String) small[i], small[i + 1]);
            }
        }
        return Collections.unmodifiableMap(map);
    }

    @Override
    public String toString() {
        return "EvaluationContext[targetingKey=" + targetingKey + ", attributes=" + attributes() + "]";
    }
}
