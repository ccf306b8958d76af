package io.flagplane.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Valid request bodies for every write endpoint of the command-service (and the evaluation
 * context the read side takes), and the ways to break them: a value of the wrong JSON type at
 * every path, null or nothing for a required value, an unknown or misspelt field in every object,
 * bad UTF-8 bytes in a string, an extreme number literal, and JSON that is not one clean document.
 * Each broken body says whether it must be refused or may be accepted.
 */
final class HostileBodies {

    /** Marks a create body's key; each probe gets a fresh one, so a wrongly accepted create is a new flag, not a 409. */
    static final String FRESH_FLAG = "hostile.fresh";
    static final String FRESH_SEGMENT = "hostile-fresh";
    /** Where raw bytes go after serialisation: a string no generator produces otherwise. */
    private static final String MARK = "\uE000mark\uE000";

    static final String ENV = "/api/v1/environments/production";
    static final String VICTIM = ENV + "/flags/hostile.victim";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Values every command-service body nests at some depth that are never optional. */
    private static final Set<String> NESTED_REQUIRED = Set.of("id", "conditions", "serve", "attribute", "operator", "values",
            "variant", "weight", "key", "value", "split", "action", "environment", "flag", "type");

    /** A valid body for one endpoint: where it goes, and which of its top-level fields it cannot do without. */
    record Base(String name, String method, String path, String json, Set<String> required, boolean needsBody) {
        ObjectNode tree() {
            try {
                return (ObjectNode) JSON.readTree(json);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(name, e);
            }
        }
    }

    /** A body and whether it must be refused. */
    record Body(String label, byte[] bytes, boolean mustRefuse) {
    }

    private static final String STRING_DEFINITION = """
            "type":"string","variants":[{"key":"a","value":"A","description":"first"},{"key":"b","value":"B"},{"key":"c","value":"C"}],
            "offVariant":"c","fallthrough":{"split":[{"variant":"a","weight":50},{"variant":"b","weight":50}],"bucketBy":"targetingKey"},
            "rules":%s,"allowList":[{"variant":"a","keys":["user-allowed"]}],"denyList":["user-denied"],"tags":["hostile"]""";
    static final String RULES = """
            [{"id":"r1","description":"pro users","conditions":[{"attribute":"tier","operator":"in","values":["pro","gold"]},
              {"attribute":"age","operator":"gte","values":[18]}],"serve":{"variant":"a"}},
             {"id":"r2","conditions":[{"attribute":"targetingKey","operator":"in_segment","values":["hostile-ref"]}],
              "serve":{"split":[{"variant":"a","weight":10},{"variant":"b","weight":90}]}}]""";

    /** The string flag the fixtures create as {@code hostile.victim} and {@code hostile.split}. */
    static String stringFlag(String key) {
        return "{\"key\":\"" + key + "\"," + STRING_DEFINITION.formatted(RULES) + "}";
    }

    /** The string flag's definition without a key: what a replace takes. */
    static String stringDefinition() {
        return "{" + STRING_DEFINITION.formatted(RULES) + "}";
    }

    static List<Base> bases() {
        return List.of(
                new Base("create boolean flag", "POST", ENV + "/flags", """
                        {"key":"hostile.fresh","type":"boolean","enabled":true,"description":"made by the hostile suite",
                         "tags":["hostile"],"owner":"hostile-suite","reason":"hostile suite"}""", Set.of("key", "type"), true),
                new Base("create string flag", "POST", ENV + "/flags", stringFlag(FRESH_FLAG),
                        Set.of("key", "type", "variants", "offVariant", "fallthrough"), true),
                new Base("create number flag", "POST", ENV + "/flags", """
                        {"key":"hostile.fresh","type":"number","variants":[{"key":"one","value":1},{"key":"half","value":0.5}],
                         "offVariant":"one","fallthrough":{"variant":"half"}}""",
                        Set.of("key", "type", "variants", "offVariant", "fallthrough"), true),
                new Base("replace flag", "PUT", VICTIM, stringDefinition(),
                        Set.of("type", "variants", "offVariant", "fallthrough"), true),
                new Base("replace rules", "PUT", VICTIM + "/rules", "{\"rules\":" + RULES + ",\"reason\":\"hostile suite\"}",
                        Set.of("rules"), true),
                new Base("rollout", "PATCH", VICTIM + "/rollout", """
                        {"percentage":30,"variant":"a","ruleId":"r1","reason":"hostile suite"}""", Set.of("percentage"), true),
                new Base("allow list", "POST", VICTIM + "/allow-list", """
                        {"add":["user-x"],"variant":"a","reason":"hostile suite"}""", Set.of("add"), true),
                new Base("deny list", "POST", VICTIM + "/deny-list", """
                        {"add":["user-y"],"reason":"hostile suite"}""", Set.of("add"), true),
                new Base("metadata", "PUT", VICTIM + "/metadata", """
                        {"description":"the hostile suite's victim","tags":["hostile","victim"],"owner":"hostile-suite",
                         "reason":"hostile suite"}""", Set.of(), true),
                new Base("disable", "POST", VICTIM + "/disable", """
                        {"reason":"hostile suite"}""", Set.of(), false),
                new Base("create segment", "POST", ENV + "/segments", """
                        {"key":"hostile-fresh","description":"made by the hostile suite","included":["user-1"],"excluded":["user-2"],
                         "rules":[{"conditions":[{"attribute":"tier","operator":"in","values":["pro"]}]}]}""", Set.of("key"), true),
                new Base("replace segment", "PUT", ENV + "/segments/hostile-seg", """
                        {"description":"replaced by the hostile suite","included":["user-1"],"excluded":[],
                         "rules":[{"conditions":[{"attribute":"country","operator":"in","values":["nz"]}]}]}""", Set.of(), true),
                new Base("change set", "POST", "/api/v1/changesets", """
                        {"reason":"hostile suite","commands":[
                          {"action":"createFlag","environment":"production","key":"hostile.fresh","type":"boolean","enabled":false},
                          {"action":"setMetadata","environment":"production","flag":"hostile.victim","description":"via a change set",
                           "tags":["hostile"]}]}""", Set.of("commands"), true),
                new Base("kill by tag", "POST", ENV + "/kill-by-tag", """
                        {"tag":"hostile-killable","reason":"hostile suite"}""", Set.of("tag"), true));
    }

    /** The evaluation request the edge and the projection take. */
    static final String CONTEXT = """
            {"context":{"targetingKey":"user-1","tier":"pro","age":31,"beta":true,"tags":["a","b"],
             "signup":"2026-01-01T00:00:00Z","nested":{"k":"v"}}}""";

    // ------------------------------------------------------------------ fresh keys

    private static int fresh;

    /** The body with every fresh-key marker replaced by a key no probe used before (bytes stay as they are otherwise). */
    static byte[] freshen(byte[] body) {
        fresh++;
        String latin = new String(body, StandardCharsets.ISO_8859_1)
                .replace("\"" + FRESH_FLAG + "\"", "\"hostile.gen" + fresh + "\"")
                .replace("\"" + FRESH_SEGMENT + "\"", "\"hostile-gen" + fresh + "\"");
        return latin.getBytes(StandardCharsets.ISO_8859_1);
    }

    // ------------------------------------------------------------------ structural mutations

    /** A place in a body: field names and array indexes from the root. */
    record Path(List<Object> steps) {
        String field() {
            for (int i = steps.size() - 1; i >= 0; i--) {
                if (steps.get(i) instanceof String name) {
                    return name;
                }
            }
            return "";
        }

        boolean isElement() {
            return !steps.isEmpty() && steps.get(steps.size() - 1) instanceof Integer;
        }

        Path then(Object step) {
            List<Object> next = new ArrayList<>(steps);
            next.add(step);
            return new Path(List.copyOf(next));
        }

        @Override
        public String toString() {
            StringBuilder out = new StringBuilder();
            for (Object step : steps) {
                out.append(step instanceof Integer i ? "[" + i + "]" : (out.length() == 0 ? "" : ".") + step);
            }
            return out.length() == 0 ? "(root)" : out.toString();
        }
    }

    /** One way to break a base body: built on demand, since only a sample is sent. */
    record Mutation(Base base, String label, boolean mustRefuse, Supplier<byte[]> body) {
        Body materialise() {
            return new Body(base.name() + ": " + label, body.get(), mustRefuse);
        }
    }

    /** A value of one JSON type, named. In a list, not a {@code Map.of}: its order must not change from one JVM to the next. */
    private record TypeSample(String name, String literal) {
        String kind() {
            return name.contains("object") ? "object" : name.contains("array") ? "array"
                    : name.equals("integer") || name.equals("decimal") ? "number" : name;
        }
    }

    private static final List<TypeSample> TYPE_SAMPLES = List.of(new TypeSample("string", "\"text\""),
            new TypeSample("integer", "7"), new TypeSample("decimal", "2.5"), new TypeSample("boolean", "true"),
            new TypeSample("object", "{\"a\":\"b\"}"), new TypeSample("empty object", "{}"), new TypeSample("array", "[\"x\"]"),
            new TypeSample("empty array", "[]"));

    private static final List<String> BAD_UTF8_NAMES = List.of("0xff", "overlong '/' (0xc0 0xaf)", "overlong 3-byte (0xe0 0x80 0xaf)",
            "UTF-16 surrogate (0xed 0xa0 0x80)", "lone continuation (0x80)", "5-byte form (0xf8 0x88 0x80 0x80 0x80)",
            "truncated (0xe2 0x82)", "above U+10FFFF (0xf4 0x90 0x80 0x80)");
    private static final List<byte[]> BAD_UTF8 = List.of(new byte[]{(byte) 0xff}, new byte[]{(byte) 0xc0, (byte) 0xaf},
            new byte[]{(byte) 0xe0, (byte) 0x80, (byte) 0xaf}, new byte[]{(byte) 0xed, (byte) 0xa0, (byte) 0x80},
            new byte[]{(byte) 0x80}, new byte[]{(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
            new byte[]{(byte) 0xe2, (byte) 0x82}, new byte[]{(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80});

    /** Number literals at and past the ends of double and long, and too small for a double. */
    static final List<String> EXTREME_NUMBERS = List.of("1e400", "-1e400", "1e-400", "9223372036854775808",
            "-9223372036854775809", "1" + "0".repeat(400));

    private static final List<String> UNKNOWN_NAMES = List.of("enabeld", "Key", "varients", "__proto__", "constructor", "$type",
            "@class", "", "x-extra", "Rules", "expected_version");
    private static final List<String> UNKNOWN_VALUES = List.of("true", "1", "\"x\"", "null", "{}", "[]");

    /**
     * Every structural mutation of every command body: wrong types, null and missing required
     * values, unknown fields, bad UTF-8, extreme numbers. Deterministic; the caller samples.
     */
    static List<Mutation> commandMutations() {
        List<Mutation> out = new ArrayList<>();
        for (Base base : bases()) {
            walk(base.tree(), new Path(List.of()), (path, node) -> mutationsAt(base, path, node, out));
        }
        return out;
    }

    /** Evaluation-context mutations for the read side: a wrong targeting key or context type must be refused. */
    static List<Body> contextMutations() {
        List<Body> out = new ArrayList<>();
        for (TypeSample sample : TYPE_SAMPLES) {
            if (!sample.kind().equals("string")) {
                out.add(new Body("targetingKey as " + sample.name(), replace(CONTEXT, List.of("context", "targetingKey"),
                        sample.literal()), true));
            }
            if (!sample.kind().equals("object")) {
                out.add(new Body("context as " + sample.name(), replace(CONTEXT, List.of("context"), sample.literal()), true));
            }
            out.add(new Body("attribute 'tier' as " + sample.name(), replace(CONTEXT, List.of("context", "tier"),
                    sample.literal()), false));
        }
        out.add(new Body("context null", replace(CONTEXT, List.of("context"), "null"), false));
        out.add(new Body("targetingKey null", replace(CONTEXT, List.of("context", "targetingKey"), "null"), false));
        out.add(new Body("unknown top-level field", "{\"contxt\":{\"targetingKey\":\"user-1\"}}".getBytes(StandardCharsets.UTF_8),
                false));
        for (String number : EXTREME_NUMBERS) {
            out.add(new Body("attribute 'age' = " + abbreviateNumber(number), replace(CONTEXT, List.of("context", "age"), number),
                    false));
        }
        for (int i = 0; i < BAD_UTF8.size(); i++) {
            out.add(new Body("bad UTF-8 " + BAD_UTF8_NAMES.get(i) + " in context.tier", badUtf8(CONTEXT,
                    List.of("context", "tier"), BAD_UTF8.get(i)), true));
            out.add(new Body("bad UTF-8 " + BAD_UTF8_NAMES.get(i) + " in context.targetingKey", badUtf8(CONTEXT,
                    List.of("context", "targetingKey"), BAD_UTF8.get(i)), true));
        }
        return out;
    }

    private interface Visitor {
        void visit(Path path, JsonNode node);
    }

    private static void walk(JsonNode node, Path path, Visitor visitor) {
        visitor.visit(path, node);
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                walk(field.getValue(), path.then(field.getKey()), visitor);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), path.then(i), visitor);
            }
        }
    }

    private static void mutationsAt(Base base, Path path, JsonNode node, List<Mutation> out) {
        if (node.isObject()) {
            List<String> names = new ArrayList<>(UNKNOWN_NAMES);
            String misspelt = misspell(node);
            if (misspelt != null) {
                names.add(0, misspelt);
            }
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                if (!node.has(name)) {
                    String value = UNKNOWN_VALUES.get(i % UNKNOWN_VALUES.size());
                    out.add(new Mutation(base, "unknown field \"" + name + "\": " + value + " in " + path, true,
                            () -> serialise(withField(base.tree(), path, name), path.then(name), value)));
                }
            }
        }
        if (path.steps().isEmpty()) {
            return;
        }
        boolean conditionValue = path.isElement() && path.field().equals("values");
        String kind = kind(node);
        for (TypeSample sample : TYPE_SAMPLES) {
            boolean allowed = conditionValue ? !sample.kind().equals("object") && !sample.kind().equals("array")
                    : sample.kind().equals(kind);
            if (!allowed) {
                out.add(new Mutation(base, path + " as " + sample.name() + " " + sample.literal(), true,
                        () -> serialise(base.tree(), path, sample.literal())));
            }
        }
        boolean required = path.isElement() || (path.steps().size() == 1 ? base.required().contains(path.field())
                : NESTED_REQUIRED.contains(path.field()));
        if (required) {
            out.add(new Mutation(base, path + " null", true, () -> serialise(base.tree(), path, "null")));
            if (!path.isElement()) {
                out.add(new Mutation(base, path + " missing", true, () -> serialise(without(base.tree(), path), null, null)));
            }
        }
        if (node.isTextual()) {
            int which = Math.floorMod((base.name() + path).hashCode(), BAD_UTF8.size());
            out.add(new Mutation(base, "bad UTF-8 " + BAD_UTF8_NAMES.get(which) + " in " + path, true,
                    () -> badUtf8(base.tree(), path, BAD_UTF8.get(which))));
        }
        if (node.isNumber()) {
            for (String number : EXTREME_NUMBERS) {
                boolean refuse = switch (path.field()) {
                    case "weight", "percentage", "expectedVersion" -> true;
                    case "value" -> number.equals("1e400") || number.equals("-1e400") || number.length() > 100;
                    default -> false;
                };
                out.add(new Mutation(base, path + " = " + abbreviateNumber(number), refuse, () -> serialise(base.tree(), path, number)));
            }
        }
    }

    static String abbreviateNumber(String number) {
        return number.length() > 30 ? number.charAt(0) + "0…(" + number.length() + " digits)" : number;
    }

    private static String kind(JsonNode node) {
        return node.isObject() ? "object" : node.isArray() ? "array" : node.isNumber() ? "number" : node.isBoolean() ? "boolean"
                : node.isTextual() ? "string" : "null";
    }

    /** A sibling's name with two letters swapped, e.g. enabled → enabeld; null when there is none to misspell. */
    private static String misspell(JsonNode object) {
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (name.length() >= 4) {
                int at = name.length() - 3;
                String swapped = name.substring(0, at) + name.charAt(at + 1) + name.charAt(at) + name.substring(at + 2);
                if (!swapped.equals(name) && !object.has(swapped)) {
                    return swapped;
                }
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ building the bytes

    /** The tree with the node at {@code path} replaced by a raw JSON literal (which may be one Jackson cannot hold). */
    private static byte[] serialise(ObjectNode tree, Path path, String literal) {
        if (path != null) {
            set(tree, path, new TextNode(MARK));
        }
        String json = tree.toString();
        return (path == null ? json : json.replace("\"" + MARK + "\"", literal)).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] replace(String json, List<Object> steps, String literal) {
        try {
            return serialise((ObjectNode) JSON.readTree(json), new Path(steps), literal);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The tree with raw bytes in the middle of the string at {@code path}. */
    static byte[] badUtf8(ObjectNode tree, Path path, byte[] bad) {
        set(tree, path, new TextNode("ok" + MARK + "ok"));
        byte[] json = tree.toString().getBytes(StandardCharsets.UTF_8);
        byte[] mark = MARK.getBytes(StandardCharsets.UTF_8);
        int at = indexOf(json, mark);
        ByteArrayOutputStream out = new ByteArrayOutputStream(json.length);
        out.write(json, 0, at);
        out.writeBytes(bad);
        out.write(json, at + mark.length, json.length - at - mark.length);
        return out.toByteArray();
    }

    private static byte[] badUtf8(String json, List<Object> steps, byte[] bad) {
        try {
            return badUtf8((ObjectNode) JSON.readTree(json), new Path(steps), bad);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("mark not found");
    }

    private static void set(JsonNode root, Path path, JsonNode value) {
        JsonNode parent = root;
        List<Object> steps = path.steps();
        for (Object step : steps.subList(0, steps.size() - 1)) {
            parent = step instanceof Integer i ? parent.get(i) : parent.get((String) step);
        }
        Object last = steps.get(steps.size() - 1);
        if (last instanceof Integer i) {
            ((ArrayNode) parent).set(i, value);
        } else {
            ((ObjectNode) parent).set((String) last, value);
        }
    }

    private static ObjectNode without(ObjectNode tree, Path path) {
        JsonNode parent = tree;
        List<Object> steps = path.steps();
        for (Object step : steps.subList(0, steps.size() - 1)) {
            parent = step instanceof Integer i ? parent.get(i) : parent.get((String) step);
        }
        ((ObjectNode) parent).remove((String) steps.get(steps.size() - 1));
        return tree;
    }

    private static ObjectNode withField(ObjectNode tree, Path objectPath, String name) {
        JsonNode object = tree;
        for (Object step : objectPath.steps()) {
            object = step instanceof Integer i ? object.get(i) : object.get((String) step);
        }
        ((ObjectNode) object).set(name, NODES.nullNode());
        return tree;
    }

    // ------------------------------------------------------------------ documents that are not one clean JSON object

    /**
     * Bodies that are not exactly one JSON object: empty, trailing content, duplicate keys,
     * other JSON values, JSON5-isms, deep nesting. {@code valid} is a body the endpoint would accept.
     */
    static List<Body> malformed(String valid, boolean emptyIsValid) {
        List<Body> out = new ArrayList<>();
        String open = valid.strip();
        String firstField = open.substring(1, firstFieldEnd(open));
        add(out, "empty body", "", !emptyIsValid);
        add(out, "{} {}", "{} {}", true);
        add(out, "{}x", "{}x", true);
        add(out, "valid + ' {}'", open + " {}", true);
        add(out, "valid + 'x'", open + "x", true);
        add(out, "valid + ']'", open + "]", true);
        add(out, "valid + ','", open + ",", true);
        add(out, "valid + second document", open + "\n" + open, true);
        add(out, "truncated", open.substring(0, open.length() - 1), true);
        add(out, "duplicate first field", "{" + firstField + "," + open.substring(1), true);
        add(out, "null", "null", true);
        add(out, "array", "[" + open + "]", true);
        add(out, "string", "\"" + open.replace("\"", "\\\"") + "\"", true);
        add(out, "number", "42", true);
        add(out, "true", "true", true);
        add(out, "single quotes", open.replace('"', '\''), true);
        add(out, "comment", "/* c */" + open, true);
        add(out, "NaN", open.substring(0, open.length() - 1) + ",\"n\":NaN}", true);
        add(out, "Infinity", open.substring(0, open.length() - 1) + ",\"n\":-Infinity}", true);
        add(out, "trailing comma", open.substring(0, open.length() - 1) + ",}", true);
        add(out, "unquoted key", "{key:1}", true);
        add(out, "NUL byte", open + "\u0000", true);
        add(out, "control char in string", open.substring(0, open.length() - 1) + ",\"c\":\"a\u0001b\"}", true);
        add(out, "10,000 '['", "[".repeat(10_000), true);
        add(out, "10,000 '{\"a\":'", "{\"a\":".repeat(10_000), true);
        add(out, "balanced nesting 5,000 deep", open.substring(0, open.length() - 1) + ",\"deep\":" + "[".repeat(5_000)
                + "]".repeat(5_000) + "}", true);
        out.add(new Body("leading 0xff byte", concat(new byte[]{(byte) 0xff}, open.getBytes(StandardCharsets.UTF_8)), true));
        out.add(new Body("UTF-8 BOM", concat(new byte[]{(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, open.getBytes(StandardCharsets.UTF_8)),
                false));
        return out;
    }

    private static int firstFieldEnd(String object) {
        int depth = 0;
        boolean inString = false;
        for (int i = 1; i < object.length(); i++) {
            char c = object.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (depth == 0) {
                    return i;
                }
                depth--;
            } else if (c == ',' && depth == 0) {
                return i;
            }
        }
        return object.length() - 1;
    }

    private static void add(List<Body> out, String label, String body, boolean mustRefuse) {
        out.add(new Body(label, body.getBytes(StandardCharsets.UTF_8), mustRefuse));
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The valid body with one string field made {@code length} characters long. */
    static byte[] hugeString(String valid, String field, int length) {
        try {
            ObjectNode tree = (ObjectNode) JSON.readTree(valid);
            tree.put(field, "h".repeat(length));
            return tree.toString().getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
