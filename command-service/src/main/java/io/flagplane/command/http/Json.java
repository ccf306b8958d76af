package io.flagplane.command.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/** Reading request JSON field by field, each problem named by its JSON path. */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
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

    static String requiredText(JsonNode node, String field, String path) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.textValue().isEmpty()) {
            throw CommandException.invalid(path, path + " is required and must be a non-empty string");
        }
        return value.textValue();
    }

    static String optionalText(JsonNode node, String field, String path, String fallback) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isTextual()) {
            throw CommandException.invalid(path, path + " must be a string");
        }
        return value.textValue();
    }

    static List<String> textList(JsonNode node, String field, String path) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            throw CommandException.invalid(path, path + " must be an array of strings");
        }
        List<String> out = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            if (!value.get(i).isTextual()) {
                throw CommandException.invalid(path + "[" + i + "]", path + "[" + i + "] must be a string");
            }
            out.add(value.get(i).textValue());
        }
        return out;
    }

    static boolean optionalBoolean(JsonNode node, String field, String path, boolean fallback) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw CommandException.invalid(path, path + " must be true or false");
        }
        return value.booleanValue();
    }

    /** An optional version number (1 or more), e.g. {@code expectedVersion}. */
    static Long optionalVersion(JsonNode node, String field, String path) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
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
            throw CommandException.invalid(path, path + " is " + value.toPlainString() + "; a percentage is between 0 and 100");
        }
        if (value.stripTrailingZeros().scale() > 2) {
            throw CommandException.invalid(path, path + " is " + value.toPlainString() + "; use at most two decimals (0.01 %)");
        }
        return value.movePointRight(2).intValueExact();
    }

    static String path(String prefix, String field) {
        return prefix == null || prefix.isEmpty() ? field : prefix + "." + field;
    }
}
