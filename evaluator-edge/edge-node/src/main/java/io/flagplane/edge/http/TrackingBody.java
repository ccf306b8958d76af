package io.flagplane.edge.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.flagplane.evaluation.ErrorCode;
import io.flagplane.http.Instants;
import io.flagplane.http.JsonInputException;
import io.flagplane.http.StrictJson;
import io.flagplane.reporting.tracking.InvalidTrackingEvent;
import io.flagplane.reporting.tracking.TrackedEvent;
import io.flagplane.reporting.tracking.TrackingRules;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a {@code POST /api/v1/track} body: one event, or {@code {"events": [...]}}. The body is
 * read strictly ({@link StrictJson}: UTF-8, one document, no duplicate fields, bounded depth),
 * then bound onto the {@link Event} and {@link Batch} records with Jackson refusing unknown fields
 * and any coercion (a number where a string belongs, {@code "42"} for a number), and an explicit
 * {@code null} anywhere is refused (leave the field out); then each event goes through
 * {@link TrackingRules}. A batch is refused whole when any event is: the refusal names the event's
 * index and field ({@code events[3].eventKey}). Every refusal is a sentence of ours with the field,
 * never Jackson's words.
 */
final class TrackingBody {

    /** One event as the JSON names it; {@code timestamp} is ISO-8601 text or epoch milliseconds. */
    record Event(String eventKey, String targetingKey, Double value, JsonNode timestamp, Map<String, JsonNode> attributes,
                 String eventId, String environment) {
    }

    record Batch(List<Event> events) {
    }

    /** What the body held, checked: the events in order, and whether it was a batch. */
    record Parsed(List<TrackedEvent> events, boolean batch) {
    }

    private static final String EVENT_FIELDS = "eventKey, targetingKey, value, timestamp, attributes, eventId, environment";
    /** No coercion at all: with scalar coercion off Jackson still reads {@code 7} into a String, hence the textual rule. */
    private static final ObjectMapper BINDER = JsonMapper.builder()
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .withCoercionConfig(LogicalType.Textual, config -> config
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    private final TrackingRules rules;
    private final int maxBatch;

    TrackingBody(TrackingRules rules, int maxBatch) {
        this.rules = rules;
        this.maxBatch = maxBatch;
    }

    /**
     * The events of this body, each in {@code environment} unless it names its own.
     *
     * @throws JsonInputException   the body is not one clean JSON document
     * @throws OfrepError           the body is JSON but not an object
     * @throws InvalidTrackingEvent a field is wrong, missing, null or unknown (named, with the event's index in a batch)
     */
    Parsed parse(byte[] body, String environment) {
        JsonNode root = StrictJson.read(body);
        if (!root.isObject()) {
            throw new OfrepError(400, ErrorCode.PARSE_ERROR, "the request body must be a JSON object, one event or"
                    + " {\"events\": [...]}, not " + StrictJson.describe(root));
        }
        refuseNulls(root, "");
        if (!root.has("events")) {
            return new Parsed(List.of(event(bind(root, Event.class), environment)), false);
        }
        Batch batch = bind(root, Batch.class);
        if (batch.events().isEmpty() || batch.events().size() > maxBatch) {
            throw new InvalidTrackingEvent("events", "must hold 1 to " + maxBatch + " events, not " + batch.events().size());
        }
        List<TrackedEvent> events = new ArrayList<>(batch.events().size());
        for (int i = 0; i < batch.events().size(); i++) {
            try {
                events.add(event(batch.events().get(i), environment));
            } catch (InvalidTrackingEvent e) {
                throw e.inBatch(i);
            }
        }
        return new Parsed(events, true);
    }

    private TrackedEvent event(Event event, String environment) {
        return rules.event(event.eventId(), event.environment() == null ? environment : event.environment(), event.eventKey(),
                event.targetingKey(), event.value(), timestamp(event.timestamp()), attributes(event.attributes()));
    }

    private static Instant timestamp(JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isTextual()) {
            try {
                return Instants.parse(node.textValue(), "timestamp");
            } catch (JsonInputException e) {
                throw new InvalidTrackingEvent("timestamp", "must be an ISO-8601 instant such as 2026-11-21T09:00:00Z, or"
                        + " epoch milliseconds, between years 0000 and 9999");
            }
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            long millis = node.longValue();
            if (millis >= Instants.MIN.toEpochMilli() && millis <= Instants.MAX.toEpochMilli()) {
                return Instant.ofEpochMilli(millis);
            }
        }
        throw new InvalidTrackingEvent("timestamp", "must be an ISO-8601 instant such as 2026-11-21T09:00:00Z, or whole epoch"
                + " milliseconds between years 0000 and 9999, not " + StrictJson.describe(node) + (node.isNumber() ? " "
                + EdgeErrors.abbreviate(node.asText()) : ""));
    }

    /** JSON scalars as the rules take them; an object or a list is passed on as one, for the rules to refuse by name. */
    private static Map<String, Object> attributes(Map<String, JsonNode> attributes) {
        if (attributes == null) {
            return null;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : attributes.entrySet()) {
            JsonNode v = e.getValue();
            Object value;
            if (v.isTextual()) {
                value = v.textValue();
            } else if (v.isBoolean()) {
                value = v.booleanValue();
            } else if (v.isIntegralNumber()) {
                value = v.bigIntegerValue();
            } else if (v.isNumber()) {
                value = v.decimalValue();
            } else if (v.isArray()) {
                value = List.of();
            } else {
                value = Map.of();
            }
            out.put(e.getKey(), value);
        }
        return out;
    }

    /** Refuses an explicit null anywhere: "leave the field out" says what the caller meant. */
    private static void refuseNulls(JsonNode node, String path) {
        if (node.isNull()) {
            throw new InvalidTrackingEvent(path, "is null; leave the field out instead");
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                refuseNulls(field.getValue(), path.isEmpty() ? field.getKey() : path + "." + field.getKey());
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                refuseNulls(node.get(i), path + "[" + i + "]");
            }
        }
    }

    private static <T> T bind(JsonNode node, Class<T> type) {
        try {
            return BINDER.treeToValue(node, type);
        } catch (UnrecognizedPropertyException e) {
            String field = path(e);
            throw new InvalidTrackingEvent(field, e.getReferringClass() == Batch.class
                    ? "is not taken beside \"events\": a batch is {\"events\": [...]} with every field inside its events"
                    : "is not a field of a tracking event; its fields are " + EVENT_FIELDS);
        } catch (MismatchedInputException e) {
            String field = path(e);
            throw new InvalidTrackingEvent(field.isEmpty() ? "body" : field, "must be " + kind(e.getTargetType()));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            String field = e instanceof JsonMappingException m ? path(m) : "";
            throw new InvalidTrackingEvent(field.isEmpty() ? "body" : field, "is not what a tracking event takes");
        }
    }

    private static String path(JsonMappingException e) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (out.length() > 0) {
                    out.append('.');
                }
                out.append(EdgeErrors.abbreviate(ref.getFieldName()));
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    private static String kind(Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        if (type == String.class) {
            return "a string";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class) {
            return "a number";
        }
        if (Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        return "an object";
    }
}
