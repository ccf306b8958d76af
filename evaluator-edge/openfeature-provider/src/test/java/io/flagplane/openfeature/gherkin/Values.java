package io.flagplane.openfeature.gherkin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.openfeature.sdk.Value;

/** A table cell or step argument as the type a step names — what the OpenFeature Java SDK's glue means by each. */
final class Values {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Values() {
    }

    static Object convert(String value, String type) {
        if ("null".equals(value)) {
            return null;
        }
        return switch (type.toLowerCase()) {
            case "boolean" -> Boolean.parseBoolean(value);
            case "string" -> value;
            case "integer" -> Integer.parseInt(value);
            case "float", "double" -> Double.parseDouble(value);
            case "long" -> Long.parseLong(value);
            case "object" -> {
                try {
                    yield Value.objectToValue(JSON.readValue(value, Object.class));
                } catch (JsonProcessingException e) {
                    throw new IllegalArgumentException("not JSON: " + value, e);
                }
            }
            default -> throw new IllegalArgumentException("unknown type " + type);
        };
    }
}
