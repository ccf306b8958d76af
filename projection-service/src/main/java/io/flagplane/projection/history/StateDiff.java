package io.flagplane.projection.history;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The structured difference between two states in their API JSON form: one entry per changed
 * field, {@code {"field": "rules[beta].serve.split", "before": …, "after": …}}. Lists of things
 * with an identity (rules by {@code id}, variants by {@code key}, allow-list entries and split
 * weights by {@code variant}, prerequisites by {@code flagKey}) are compared item by item, so moving a rollout from 10 % to 50 %
 * reads as one weight changing, not as a new list; lists of plain values (tags, deny list, keys)
 * also say what was added and removed. Bookkeeping fields (version, last change, creation time)
 * are left out: they change every time.
 */
public final class StateDiff {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final Set<String> BOOKKEEPING = Set.of("version", "lastChange", "createdAt");
    private static final List<String> IDENTITIES = List.of("id", "key", "variant", "flagKey");

    private StateDiff() {
    }

    /**
     * Changes from {@code before} to {@code after}; {@code before} null means the thing was created,
     * {@code after} null that it did not exist yet (a diff asked backwards, to version 0).
     */
    public static ArrayNode diff(JsonNode before, JsonNode after) {
        ArrayNode out = JSON.arrayNode();
        boolean noBefore = before == null || before.isNull();
        boolean noAfter = after == null || after.isNull();
        if (noBefore && noAfter) {
            return out;
        }
        if (noBefore || noAfter) {
            ObjectNode whole = out.addObject().put("field", "");
            whole.set("before", noBefore ? JSON.nullNode() : withoutBookkeeping(before));
            whole.set("after", noAfter ? JSON.nullNode() : withoutBookkeeping(after));
            return out;
        }
        compareObjects("", before, after, out);
        return out;
    }

    private static JsonNode withoutBookkeeping(JsonNode state) {
        if (state == null || !state.isObject()) {
            return state;
        }
        ObjectNode copy = ((ObjectNode) state).deepCopy();
        copy.remove(BOOKKEEPING);
        return copy;
    }

    private static void compareObjects(String path, JsonNode before, JsonNode after, ArrayNode out) {
        Set<String> fields = new LinkedHashSet<>();
        before.fieldNames().forEachRemaining(fields::add);
        after.fieldNames().forEachRemaining(fields::add);
        for (String field : fields) {
            if (path.isEmpty() && BOOKKEEPING.contains(field)) {
                continue;
            }
            compare(path.isEmpty() ? field : path + "." + field, before.get(field), after.get(field), out);
        }
    }

    private static void compare(String path, JsonNode before, JsonNode after, ArrayNode out) {
        JsonNode b = before == null ? JSON.nullNode() : before;
        JsonNode a = after == null ? JSON.nullNode() : after;
        if (b.equals(a)) {
            return;
        }
        if (b.isObject() && a.isObject()) {
            compareObjects(path, b, a, out);
            return;
        }
        if (b.isArray() && a.isArray()) {
            String identity = identityOf(b, a);
            if (identity != null) {
                compareKeyed(path, identity, b, a, out);
                return;
            }
            if (scalars(b) && scalars(a)) {
                ObjectNode entry = change(path, b, a, out);
                Set<JsonNode> was = new LinkedHashSet<>();
                b.forEach(was::add);
                Set<JsonNode> now = new LinkedHashSet<>();
                a.forEach(now::add);
                ArrayNode added = entry.putArray("added");
                now.stream().filter(v -> !was.contains(v)).forEach(added::add);
                ArrayNode removed = entry.putArray("removed");
                was.stream().filter(v -> !now.contains(v)).forEach(removed::add);
                return;
            }
        }
        change(path, b, a, out);
    }

    private static ObjectNode change(String path, JsonNode before, JsonNode after, ArrayNode out) {
        ObjectNode entry = out.addObject().put("field", path);
        entry.set("before", before);
        entry.set("after", after);
        return entry;
    }

    /** The field that identifies the items of both lists, when every item has it. */
    private static String identityOf(JsonNode before, JsonNode after) {
        for (String identity : IDENTITIES) {
            if (allHave(before, identity) && allHave(after, identity) && (before.size() + after.size()) > 0) {
                return identity;
            }
        }
        return null;
    }

    private static boolean allHave(JsonNode list, String field) {
        for (JsonNode item : list) {
            if (!item.isObject() || !item.hasNonNull(field) || !item.get(field).isTextual()) {
                return false;
            }
        }
        return true;
    }

    private static boolean scalars(JsonNode list) {
        for (JsonNode item : list) {
            if (item.isContainerNode()) {
                return false;
            }
        }
        return true;
    }

    private static void compareKeyed(String path, String identity, JsonNode before, JsonNode after, ArrayNode out) {
        Map<String, JsonNode> was = keyed(before, identity);
        Map<String, JsonNode> now = keyed(after, identity);
        List<String> order = new ArrayList<>(was.keySet());
        List<String> newOrder = new ArrayList<>(now.keySet());
        Set<String> all = new LinkedHashSet<>(order);
        all.addAll(newOrder);
        for (String id : all) {
            String itemPath = path + "[" + id + "]";
            JsonNode b = was.get(id);
            JsonNode a = now.get(id);
            if (b == null || a == null) {
                change(itemPath, b == null ? JSON.nullNode() : b, a == null ? JSON.nullNode() : a, out);
            } else {
                compareObjects(itemPath, b, a, out);
            }
        }
        List<String> kept = new ArrayList<>(order);
        kept.retainAll(newOrder);
        List<String> keptNow = new ArrayList<>(newOrder);
        keptNow.retainAll(order);
        if (!kept.equals(keptNow)) {
            ArrayNode b = JSON.arrayNode();
            order.forEach(b::add);
            ArrayNode a = JSON.arrayNode();
            newOrder.forEach(a::add);
            change(path + " (order)", b, a, out);
        }
    }

    private static Map<String, JsonNode> keyed(JsonNode list, String identity) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (Iterator<JsonNode> it = list.elements(); it.hasNext(); ) {
            JsonNode item = it.next();
            out.put(item.get(identity).asText(), item);
        }
        return out;
    }
}
