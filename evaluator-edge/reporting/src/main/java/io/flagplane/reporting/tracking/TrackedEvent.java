package io.flagplane.reporting.tracking;

import io.flagplane.avro.TrackingEvent;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Something a user did, as an evaluator accepted it ({@link TrackingRules} made and checked it):
 * the domain side of the contract's {@code TrackingEvent}. Attribute values are String, Boolean,
 * Long or Double; {@code value} is null for a plain conversion.
 */
public record TrackedEvent(String eventId, String environment, String eventKey, String targetingKey, Double value,
                           Instant occurredAt, Map<String, Object> attributes) {

    public TrackedEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(eventKey, "eventKey");
        Objects.requireNonNull(targetingKey, "targetingKey");
        Objects.requireNonNull(occurredAt, "occurredAt");
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }

    /** The contract's record, saying which evaluator took it ({@code source}: its node id). */
    public TrackingEvent toAvro(String source) {
        return TrackingEvent.newBuilder().setEventId(eventId).setEnvironment(environment).setEventKey(eventKey)
                .setTargetingKey(targetingKey).setValue(value).setOccurredAt(occurredAt)
                .setAttributes(new LinkedHashMap<>(attributes)).setSource(source).build();
    }
}
