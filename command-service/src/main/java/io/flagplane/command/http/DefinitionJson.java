package io.flagplane.command.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.avro.Condition;
import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.FlagKind;
import io.flagplane.avro.FlagType;
import io.flagplane.avro.Prerequisite;
import io.flagplane.avro.Rule;
import io.flagplane.avro.SegmentDefinition;
import io.flagplane.avro.SegmentRule;
import io.flagplane.avro.Serve;
import io.flagplane.avro.Split;
import io.flagplane.avro.Target;
import io.flagplane.avro.Variant;
import io.flagplane.avro.WeightedVariant;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.DefinitionRules;
import io.flagplane.http.JsonInputException;
import io.flagplane.http.StrictJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads flag and segment definitions, rules, conditions and serves from request JSON into the
 * contract's records. Shapes and value types are checked here (each problem named by its JSON
 * path); whether the parts agree with each other and with the current state is the domain's job.
 */
final class DefinitionJson {

    private static final Set<String> VARIANT_FIELDS = Set.of("key", "value", "description");
    private static final Set<String> TARGET_FIELDS = Set.of("variant", "keys");
    private static final Set<String> RULE_FIELDS = Set.of("id", "description", "conditions", "serve");
    private static final Set<String> CONDITION_FIELDS = Set.of("attribute", "operator", "values");
    private static final Set<String> SPLIT_SERVE_FIELDS = Set.of("split", "bucketBy");
    private static final Set<String> WEIGHT_FIELDS = Set.of("variant", "weight");
    private static final Set<String> PREREQUISITE_FIELDS = Set.of("flagKey", "variants");
    private static final String KINDS = "release, experiment, operational, kill_switch, permission";

    private DefinitionJson() {
    }

    /** Numbers a double cannot hold (1e400) would reach evaluators as infinity: refused. */
    private static void finite(JsonNode value, String path) {
        try {
            StrictJson.requireFiniteNumbers(value, path);
        } catch (JsonInputException e) {
            throw CommandException.invalid(e.field(), e.getMessage());
        }
    }

    /**
     * A flag definition; boolean flags get on/off variants, off as off variant and on as
     * fallthrough when none are given. Otherwise {@code offVariant} is optional: without one, the
     * flag serves the caller's default when it is off, killed or denies a key.
     */
    static FlagDefinition flag(JsonNode body, String salt) {
        FlagType type = type(body);
        boolean defaults = type == FlagType.BOOLEAN && Json.present(body, "variants", "variants") == null;
        List<Variant> variants = variants(body, type);
        String offVariant = Json.optionalText(body, "offVariant", "offVariant", defaults ? "off" : null);
        Serve fallthrough = Json.present(body, "fallthrough", "fallthrough") != null ? serve(body.get("fallthrough"), "fallthrough")
                : defaults ? Serve.newBuilder().setVariant("on").build() : null;
        if (fallthrough == null) {
            throw CommandException.invalid("fallthrough", "fallthrough is required: {\"variant\": \"...\"} or {\"split\": [...]}");
        }
        return FlagDefinition.newBuilder()
                .setType(type)
                .setDescription(Json.optionalText(body, "description", "description", ""))
                .setTags(Json.textList(body, "tags", "tags"))
                .setOwner(Json.optionalText(body, "owner", "owner", null))
                .setVariants(variants)
                .setOffVariant(offVariant)
                .setRules(rules(Json.present(body, "rules", "rules"), "rules"))
                .setFallthrough(fallthrough)
                .setAllowList(allowList(Json.present(body, "allowList", "allowList")))
                .setDenyList(Json.textList(body, "denyList", "denyList"))
                .setSalt(salt)
                .setMetadata(metadata(Json.present(body, "metadata", "metadata")))
                .setKind(kind(body))
                .setLifetimeDays(lifetimeDays(body))
                .setPrerequisites(prerequisites(Json.present(body, "prerequisites", "prerequisites")))
                .build();
    }

    /**
     * {@code [{"flagKey": "charges.engine", "variants": ["on"]}]}: the flags that must serve one of
     * the variants named before this flag's own targeting applies. Whether they exist, and the
     * variants, is the domain's to check ({@code PrerequisiteRules}).
     */
    private static List<Prerequisite> prerequisites(JsonNode node) {
        if (node == null) {
            return List.of();
        }
        if (!node.isArray()) {
            throw CommandException.invalid("prerequisites", "prerequisites must be an array of {\"flagKey\", \"variants\"}");
        }
        List<Prerequisite> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String path = "prerequisites[" + i + "]";
            JsonNode p = node.get(i);
            if (!p.isObject()) {
                throw CommandException.invalid(path, path + " must be an object with \"flagKey\" and \"variants\"");
            }
            Json.allowOnly(p, path, PREREQUISITE_FIELDS);
            if (p.get("variants") == null) {
                throw CommandException.invalid(path + ".variants", path + ".variants is required: the variants of the"
                        + " prerequisite that meet it, e.g. [\"on\"]");
            }
            out.add(new Prerequisite(Json.requiredText(p, "flagKey", path + ".flagKey"), Json.textList(p, "variants", path + ".variants")));
        }
        return out;
    }

    /** What the flag is for; release when left out. */
    private static FlagKind kind(JsonNode body) {
        JsonNode kind = Json.present(body, "kind", "kind");
        if (kind == null) {
            return FlagKind.RELEASE;
        }
        if (kind.isTextual()) {
            for (FlagKind k : FlagKind.values()) {
                if (k.name().toLowerCase(Locale.ROOT).equals(kind.textValue())) {
                    return k;
                }
            }
        }
        throw CommandException.invalid("kind", "kind " + Json.abbreviate(kind.toString()) + " is not one of " + KINDS);
    }

    /** The flag's own expected lifetime in days, or null for its kind's; the range is the domain's to check. */
    private static Integer lifetimeDays(JsonNode body) {
        JsonNode days = Json.present(body, "lifetimeDays", "lifetimeDays");
        if (days == null) {
            return null;
        }
        if (!days.isIntegralNumber() || !days.canConvertToInt()) {
            throw CommandException.invalid("lifetimeDays", "lifetimeDays is a whole number of days from "
                    + DefinitionRules.MIN_LIFETIME_DAYS + " to " + DefinitionRules.MAX_LIFETIME_DAYS + ", not "
                    + Json.abbreviate(days.toString()));
        }
        return days.intValue();
    }

    /**
     * OpenFeature flag metadata: an object of strings, booleans, integers (to Long) and floats (to
     * Double); anything else (null, an array, an object) is refused, naming the entry. How many
     * entries and how long is the domain's call ({@code DefinitionRules}).
     */
    static Map<String, Object> metadata(JsonNode node) {
        if (node == null) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw CommandException.invalid("metadata", "metadata must be an object of strings, booleans and numbers");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String path = "metadata." + e.getKey();
            JsonNode value = e.getValue();
            if (value.isTextual()) {
                out.put(e.getKey(), value.textValue());
            } else if (value.isBoolean()) {
                out.put(e.getKey(), value.booleanValue());
            } else if (value.isIntegralNumber() && value.canConvertToLong()) {
                out.put(e.getKey(), value.longValue());
            } else if (value.isNumber() && !value.isIntegralNumber()) {
                finite(value, path);
                out.put(e.getKey(), value.doubleValue());
            } else {
                throw CommandException.invalid(path, path + " must be a string, boolean, integer (64-bit) or float, not "
                        + StrictJson.describe(value));
            }
        }
        return out;
    }

    private static FlagType type(JsonNode body) {
        JsonNode type = Json.present(body, "type", "type");
        if (type == null || !type.isTextual()) {
            throw CommandException.invalid("type", "type is required: one of boolean, string, number, json");
        }
        try {
            return FlagType.valueOf(type.textValue().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw CommandException.invalid("type", "type '" + type.textValue() + "' is not one of boolean, string, number, json");
        }
    }

    private static List<Variant> variants(JsonNode body, FlagType type) {
        JsonNode variants = body.get("variants");
        if (variants == null) {
            if (type == FlagType.BOOLEAN) {
                return List.of(new Variant("on", "true", null), new Variant("off", "false", null));
            }
            throw CommandException.invalid("variants", "a " + type.name().toLowerCase(Locale.ROOT)
                    + " flag needs variants: [{\"key\": \"...\", \"value\": ...}]");
        }
        if (!variants.isArray()) {
            throw CommandException.invalid("variants", "variants must be an array");
        }
        List<Variant> out = new ArrayList<>();
        for (int i = 0; i < variants.size(); i++) {
            JsonNode v = variants.get(i);
            String path = "variants[" + i + "]";
            if (!v.isObject()) {
                throw CommandException.invalid(path, "each variant is an object with \"key\" and \"value\"");
            }
            Json.allowOnly(v, path, VARIANT_FIELDS);
            String key = Json.requiredText(v, "key", path + ".key");
            JsonNode value = v.get("value");
            if (value == null) {
                throw CommandException.invalid(path + ".value", "variant '" + key + "' needs a value");
            }
            boolean ok = switch (type) {
                case BOOLEAN -> value.isBoolean();
                case STRING -> value.isTextual();
                case NUMBER -> value.isNumber();
                case JSON -> true;
            };
            if (ok) {
                finite(value, path + ".value");
            }
            if (!ok) {
                throw CommandException.invalid(path + ".value", "variant '" + key + "' has value " + value + ", which is not a "
                        + type.name().toLowerCase(Locale.ROOT) + " as the flag's type requires");
            }
            out.add(new Variant(key, value.toString(), Json.optionalText(v, "description", path + ".description", null)));
        }
        return out;
    }

    private static List<Target> allowList(JsonNode node) {
        if (node == null) {
            return List.of();
        }
        if (!node.isArray()) {
            throw CommandException.invalid("allowList", "allowList must be an array of {\"variant\", \"keys\"}");
        }
        List<Target> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String path = "allowList[" + i + "]";
            JsonNode t = node.get(i);
            if (!t.isObject()) {
                throw CommandException.invalid(path, path + " must be an object with \"variant\" and \"keys\"");
            }
            Json.allowOnly(t, path, TARGET_FIELDS);
            out.add(new Target(Json.requiredText(t, "variant", path + ".variant"), Json.textList(t, "keys", path + ".keys")));
        }
        return out;
    }

    static List<Rule> rules(JsonNode node, String path) {
        if (node == null) {
            return List.of();
        }
        if (!node.isArray()) {
            throw CommandException.invalid(path, path + " must be an array of rules");
        }
        List<Rule> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String at = path + "[" + i + "]";
            JsonNode r = node.get(i);
            if (!r.isObject()) {
                throw CommandException.invalid(at, at + " must be an object with \"id\", \"conditions\" and \"serve\"");
            }
            Json.allowOnly(r, at, RULE_FIELDS);
            out.add(new Rule(Json.requiredText(r, "id", at + ".id"), Json.optionalText(r, "description", at + ".description", null),
                    conditions(r.get("conditions"), at + ".conditions"), serve(r.get("serve"), at + ".serve")));
        }
        return out;
    }

    static List<Condition> conditions(JsonNode node, String path) {
        if (node == null || !node.isArray()) {
            throw CommandException.invalid(path, path + " must be an array of {\"attribute\", \"operator\", \"values\"}");
        }
        List<Condition> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String at = path + "[" + i + "]";
            JsonNode c = node.get(i);
            if (!c.isObject()) {
                throw CommandException.invalid(at, at + " must be an object");
            }
            Json.allowOnly(c, at, CONDITION_FIELDS);
            JsonNode values = c.get("values");
            List<String> texts = new ArrayList<>();
            if (values == null || !values.isArray()) {
                throw CommandException.invalid(at + ".values", at + ".values must be an array");
            }
            for (int v = 0; v < values.size(); v++) {
                JsonNode value = values.get(v);
                if (!(value.isTextual() || value.isNumber() || value.isBoolean())) {
                    throw CommandException.invalid(at + ".values[" + v + "]", "a value is a string, number or boolean");
                }
                finite(value, at + ".values[" + v + "]");
                texts.add(value.isTextual() ? value.textValue() : value.asText());
            }
            out.add(new Condition(Json.requiredText(c, "attribute", at + ".attribute"),
                    Json.requiredText(c, "operator", at + ".operator"), texts));
        }
        return out;
    }

    static Serve serve(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw CommandException.invalid(path, path + " must be an object: {\"variant\": \"...\"} or {\"split\": [...]}");
        }
        if (node.has("variant") && node.has("split")) {
            throw CommandException.invalid(path, path + " must have exactly one of \"variant\" or \"split\"");
        }
        Json.allowOnly(node, path, node.has("variant") ? Set.of("variant") : SPLIT_SERVE_FIELDS);
        if (node.has("variant")) {
            return Serve.newBuilder().setVariant(Json.requiredText(node, "variant", path + ".variant")).build();
        }
        JsonNode split = node.get("split");
        if (split == null || !split.isArray()) {
            throw CommandException.invalid(path, path + " needs \"variant\" or a \"split\" array");
        }
        List<WeightedVariant> weights = new ArrayList<>();
        for (int i = 0; i < split.size(); i++) {
            JsonNode w = split.get(i);
            String at = path + ".split[" + i + "]";
            if (!w.isObject()) {
                throw CommandException.invalid(at, at + " must be {\"variant\": \"...\", \"weight\": percent}");
            }
            Json.allowOnly(w, at, WEIGHT_FIELDS);
            weights.add(new WeightedVariant(Json.requiredText(w, "variant", at + ".variant"), Json.basisPoints(w.get("weight"), at + ".weight")));
        }
        return Serve.newBuilder().setSplit(new Split(weights, Json.optionalText(node, "bucketBy", path + ".bucketBy", null))).build();
    }

    static SegmentDefinition segment(JsonNode body) {
        List<SegmentRule> rules = new ArrayList<>();
        JsonNode node = Json.present(body, "rules", "rules");
        if (node != null) {
            if (!node.isArray()) {
                throw CommandException.invalid("rules", "rules must be an array of {\"conditions\": [...]}");
            }
            for (int i = 0; i < node.size(); i++) {
                JsonNode r = node.get(i);
                if (!r.isObject()) {
                    throw CommandException.invalid("rules[" + i + "]", "rules[" + i + "] must be an object with \"conditions\"");
                }
                Json.allowOnly(r, "rules[" + i + "]", Set.of("conditions"));
                rules.add(new SegmentRule(conditions(r.get("conditions"), "rules[" + i + "].conditions")));
            }
        }
        return SegmentDefinition.newBuilder()
                .setDescription(Json.optionalText(body, "description", "description", ""))
                .setIncluded(Json.textList(body, "included", "included"))
                .setExcluded(Json.textList(body, "excluded", "excluded"))
                .setRules(rules)
                .build();
    }
}
