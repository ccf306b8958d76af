package io.flagplane.command.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.http.JsonInputException;
import io.flagplane.http.StrictJson;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reading request JSON field by field, strictly, each problem named by its JSON path: every
 * object declares the fields it takes and any other field is refused (a misspelled field must not
 * leave a command half-understood); {@code null} is never a value (leave the field out instead);
 * a value of the wrong type is refused, never coerced.
 */
final class Json {

    static final ObjectMapper MAPPER = StrictJson.MAPPER;

    private Json() {
    }

    /** The request body as a JSON object; an empty body is {@code {}} unless the endpoint needs one. */
    static JsonNode parse(byte[] body, boolean required) {
        if (body.length == 0 && !required) {
            return MAPPER.createObjectNode();
        }
        try {
            return StrictJson.readObject(body);
        } catch (JsonInputException e) {
            throw new CommandException(ErrorCode.MALFORMED_REQUEST, e.field(), e.getMessage());
        }
    }

    /** Refuses any field of {@code node} not in {@code allowed}, naming it and what is allowed. */
    static void allowOnly(JsonNode node, String path, Set<String> allowed) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!allowed.contains(field)) {
                String at = path(path, field);
                throw CommandException.invalid(at, "unknown field '" + abbreviate(field) + "'" + (path == null || path.isEmpty()
                        ? "" : " in " + path) + "; the fields here are " + new TreeSet<>(allowed));
            }
        }
    }

    /** The field's value, or null when it is absent; an explicit JSON null is refused. */
    static JsonNode present(JsonNode node, String field, String path) {
        JsonNode value = node.get(field);
        if (value != null && value.isNull()) {
            throw CommandException.invalid(path, path + " must not be null; leave it out to use the default");
        }
        return value;
    }

    static String requiredText(JsonNode node, String field, String path) {
        JsonNode value = present(node, field, path);
        if (value == null || !value.isTextual() || value.textValue().isEmpty()) {
            throw CommandException.invalid(path, path + " is required and must be a non-empty string");
        }
        return value.textValue();
    }

    static String optionalText(JsonNode node, String field, String path, String fallback) {
        JsonNode value = present(node, field, path);
        if (value == null) {
            return fallback;
        }
        if (!value.isTextual()) {
            throw CommandException.invalid(path, path + " must be a string, not " + StrictJson.describe(value));
        }
        return value.textValue();
    }

    /** A list of strings; absent is the empty list. */
    static List<String> textList(JsonNode node, String field, String path) {
        List<String> list = optionalTextList(node, field, path);
        return list == null ? List.of() : list;
    }

    /** A list of strings, or null when absent. */
    static List<String> optionalTextList(JsonNode node, String field, String path) {
        JsonNode value = present(node, field, path);
        if (value == null) {
            return null;
        }
        if (!value.isArray()) {
            throw CommandException.invalid(path, path + " must be an array of strings, not " + StrictJson.describe(value));
        }
        List<String> out = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            if (!value.get(i).isTextual()) {
                throw CommandException.invalid(path + "[" + i + "]", path + "[" + i + "] must be a string, not "
                        + StrictJson.describe(value.get(i)));
            }
            out.add(value.get(i).textValue());
        }
        return out;
    }

    static boolean optionalBoolean(JsonNode node, String field, String path, boolean fallback) {
        JsonNode value = present(node, field, path);
        if (value == null) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw CommandException.invalid(path, path + " must be true or false");
        }
        return value.booleanValue();
    }

    /** An optional version number (1 or more), e.g. {@code expectedVersion}. */
    static Long optionalVersion(JsonNode node, String field, String path) {
        JsonNode value = present(node, field, path);
        if (value == null) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 1) {
            throw CommandException.invalid(path, path + " must be a version number (1 or more)");
        }
        return value.longValue();
    }

    /** A percentage 0..100 with at most two decimals, as basis points. */
    static int basisPoints(JsonNode percent, String path) {
        if (percent == null || !percent.isNumber()) {
            throw CommandException.invalid(path, path + " must be a percentage between 0 and 100");
        }
        BigDecimal value = percent.decimalValue();
        if (value.compareTo(BigDecimal.ZERO) < 0 || value.compareTo(BigDecimal.valueOf(100)) > 0) {
            throw CommandException.invalid(path, path + " is " + abbreviate(value.toString())
                    + "; a percentage is between 0 and 100");
        }
        if (value.stripTrailingZeros().scale() > 2) {
            throw CommandException.invalid(path, path + " is " + abbreviate(value.toPlainString())
                    + "; use at most two decimals (0.01 %)");
        }
        return value.movePointRight(2).intValueExact();
    }

    static String path(String prefix, String field) {
        return prefix == null || prefix.isEmpty() ? field : prefix + "." + field;
    }

    static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }
}
