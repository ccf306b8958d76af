package io.flagplane.command.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.avro.ChangeInfo;
import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.FlagType;
import io.flagplane.avro.Serve;
import io.flagplane.avro.Split;
import io.flagplane.avro.Target;
import io.flagplane.avro.Variant;
import io.flagplane.avro.WeightedVariant;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The command API's JSON: reads request bodies into the contract's definition (with a JSON path
 * and a sentence for every field that is wrong) and renders flag states. Percentages are
 * numbers with at most two decimals on the wire and basis points (0..10000) inside.
 */
final class FlagJson {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private FlagJson() {
    }

    static JsonNode parse(byte[] body, boolean required) {
        if (body.length == 0) {
            if (required) {
                throw new CommandException(ErrorCode.MALFORMED_REQUEST, null, "the request needs a JSON object body");
            }
            return MAPPER.createObjectNode();
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new CommandException(ErrorCode.MALFORMED_REQUEST, null, "the request body is not valid JSON: "
                    + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new CommandException(ErrorCode.MALFORMED_REQUEST, null, "the request body cannot be read");
        }
        if (node == null || !node.isObject()) {
            throw new CommandException(ErrorCode.MALFORMED_REQUEST, null, "the request body must be a JSON object");
        }
        return node;
    }

    // ------------------------------------------------------------------ reading

    /** The definition in a create request; boolean flags get on/off variants when none are given. */
    static FlagDefinition definition(JsonNode body, String salt) {
        FlagType type = type(body);
        List<Variant> variants = variants(body, type);
        String offVariant = optionalText(body, "offVariant", type == FlagType.BOOLEAN && !body.has("variants") ? "off" : null);
        Serve fallthrough = body.has("fallthrough") ? serve(body.get("fallthrough"), "fallthrough")
                : type == FlagType.BOOLEAN && !body.has("variants") ? Serve.newBuilder().setVariant("on").build() : null;
        if (fallthrough == null) {
            throw CommandException.invalid("fallthrough", "fallthrough is required: {\"variant\": \"...\"} or a split");
        }
        if (body.has("rules") && !body.get("rules").isEmpty()) {
            throw CommandException.invalid("rules", "targeting rules cannot be set through this version of the API yet");
        }
        return FlagDefinition.newBuilder()
                .setType(type)
                .setDescription(optionalText(body, "description", ""))
                .setTags(textList(body, "tags"))
                .setOwner(optionalText(body, "owner", null))
                .setVariants(variants)
                .setOffVariant(offVariant == null ? "" : offVariant)
                .setRules(List.of())
                .setFallthrough(fallthrough)
                .setAllowList(List.of())
                .setDenyList(List.of())
                .setSalt(salt)
                .build();
    }

    private static FlagType type(JsonNode body) {
        JsonNode type = body.get("type");
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
        if (variants == null || variants.isNull()) {
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
            String key = requiredText(v, "key", path + ".key");
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
            if (!ok) {
                throw CommandException.invalid(path + ".value", "variant '" + key + "' has value " + value + ", which is not a "
                        + type.name().toLowerCase(Locale.ROOT) + " as the flag's type requires");
            }
            out.add(new Variant(key, value.toString(), optionalText(v, "description", null)));
        }
        return out;
    }

    static Serve serve(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw CommandException.invalid(path, path + " must be an object: {\"variant\": \"...\"} or {\"split\": [...]}");
        }
        if (node.has("variant")) {
            return Serve.newBuilder().setVariant(requiredText(node, "variant", path + ".variant")).build();
        }
        JsonNode split = node.get("split");
        if (split == null || !split.isArray()) {
            throw CommandException.invalid(path, path + " needs \"variant\" or a \"split\" array");
        }
        List<WeightedVariant> weights = new ArrayList<>();
        for (int i = 0; i < split.size(); i++) {
            JsonNode w = split.get(i);
            String at = path + ".split[" + i + "]";
            weights.add(new WeightedVariant(requiredText(w, "variant", at + ".variant"), basisPoints(w.get("weight"), at + ".weight")));
        }
        return Serve.newBuilder().setSplit(new Split(weights, optionalText(node, "bucketBy", null))).build();
    }

    /** A percentage 0..100 with at most two decimals, as basis points. */
    static int basisPoints(JsonNode percent, String path) {
        if (percent == null || !percent.isNumber()) {
            throw CommandException.invalid(path, path + " must be a percentage between 0 and 100");
        }
        BigDecimal value = percent.decimalValue();
        if (value.compareTo(BigDecimal.ZERO) < 0 || value.compareTo(BigDecimal.valueOf(100)) > 0) {
            throw CommandException.invalid(path, path + " is " + value.toPlainString() + "; a percentage is between 0 and 100");
        }
        if (value.stripTrailingZeros().scale() > 2) {
            throw CommandException.invalid(path, path + " is " + value.toPlainString() + "; use at most two decimals (0.01 %)");
        }
        return value.movePointRight(2).intValueExact();
    }

    static String requiredText(JsonNode node, String field, String path) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.textValue().isEmpty()) {
            throw CommandException.invalid(path, path + " is required and must be a non-empty string");
        }
        return value.textValue();
    }

    static String optionalText(JsonNode node, String field, String fallback) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isTextual()) {
            throw CommandException.invalid(field, field + " must be a string");
        }
        return value.textValue();
    }

    static List<String> textList(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            throw CommandException.invalid(field, field + " must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            if (!value.get(i).isTextual()) {
                throw CommandException.invalid(field + "[" + i + "]", field + "[" + i + "] must be a string");
            }
            out.add(value.get(i).textValue());
        }
        return out;
    }

    /** An optional non-negative whole number field, e.g. {@code expectedVersion}. */
    static Long optionalVersion(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.canConvertToLong() || !value.isIntegralNumber() || value.longValue() < 1) {
            throw CommandException.invalid(field, field + " must be a version number (1 or more)");
        }
        return value.longValue();
    }

    // ------------------------------------------------------------------ rendering

    static ObjectNode render(FlagState state) {
        FlagDefinition d = state.getDefinition();
        ObjectNode flag = MAPPER.createObjectNode();
        flag.put("environment", state.getEnvironment());
        flag.put("key", state.getFlagKey());
        flag.put("type", d.getType().name().toLowerCase(Locale.ROOT));
        flag.put("description", d.getDescription());
        d.getTags().forEach(flag.putArray("tags")::add);
        flag.put("owner", d.getOwner());
        ArrayNode variants = flag.putArray("variants");
        for (Variant v : d.getVariants()) {
            ObjectNode variant = variants.addObject().put("key", v.getKey());
            variant.set("value", json(v.getValueJson()));
            if (v.getDescription() != null) {
                variant.put("description", v.getDescription());
            }
        }
        flag.put("offVariant", d.getOffVariant());
        flag.putArray("rules");
        flag.set("fallthrough", render(d.getFallthrough()));
        ArrayNode allow = flag.putArray("allowList");
        for (Target t : d.getAllowList()) {
            ObjectNode target = allow.addObject().put("variant", t.getVariant());
            t.getKeys().forEach(target.putArray("keys")::add);
        }
        d.getDenyList().forEach(flag.putArray("denyList")::add);
        flag.put("enabled", state.getEnabled());
        flag.put("killed", state.getKilled());
        flag.put("archived", state.getArchived());
        flag.put("version", state.getVersion());
        flag.put("createdAt", state.getCreatedAt().toString());
        ChangeInfo change = state.getLastChange();
        ObjectNode last = flag.putObject("lastChange");
        last.put("eventId", change.getEventId());
        last.put("type", change.getEventType());
        last.put("at", change.getOccurredAt().toString());
        last.putObject("actor").put("id", change.getActor().getId()).put("kind", change.getActor().getKind().name());
        last.put("reason", change.getReason());
        last.put("changeSetId", change.getChangeSetId());
        return flag;
    }

    static ObjectNode render(Serve serve) {
        ObjectNode node = MAPPER.createObjectNode();
        if (serve.getVariant() != null) {
            node.put("variant", serve.getVariant());
            return node;
        }
        ArrayNode split = node.putArray("split");
        for (WeightedVariant w : serve.getSplit().getVariants()) {
            split.addObject().put("variant", w.getVariant()).put("weight", BigDecimal.valueOf(w.getWeight(), 2));
        }
        if (serve.getSplit().getBucketBy() != null) {
            node.put("bucketBy", serve.getSplit().getBucketBy());
        }
        return node;
    }

    private static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return MAPPER.getNodeFactory().textNode(text);
        }
    }
}
