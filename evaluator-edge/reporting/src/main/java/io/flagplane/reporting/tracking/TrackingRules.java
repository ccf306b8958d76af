package io.flagplane.reporting.tracking;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * What a tracking event must be before an evaluator accepts it, the same for the edge's
 * {@code POST /api/v1/track}, {@code FlagplaneClient.track} and the OpenFeature provider; every
 * refusal is an {@link InvalidTrackingEvent} naming the field:
 * <ul>
 *   <li>{@code eventKey}: {@value #EVENT_KEY_RULE} (the command-service's rule for metric event keys);</li>
 *   <li>{@code targetingKey}: 1 to {@value #MAX_TARGETING_KEY} characters, not blank;</li>
 *   <li>{@code value}: absent, or a finite number;</li>
 *   <li>{@code timestamp}: absent (now), or at most {@code maxFuture} ahead of this evaluator's clock and
 *       {@code maxPast} behind it;</li>
 *   <li>{@code attributes}: at most {@value #MAX_ATTRIBUTES}, names of 1 to {@value #MAX_ATTRIBUTE_NAME}
 *       characters, values flat: strings of at most {@value #MAX_ATTRIBUTE_STRING} characters, booleans,
 *       whole numbers that fit 64 bits, or finite numbers (nested objects and lists are refused, not flattened);</li>
 *   <li>{@code eventId}: absent (a random UUID), or 1 to {@value #MAX_EVENT_ID} printable ASCII characters
 *       without spaces.</li>
 * </ul>
 */
public final class TrackingRules {

    /** The contract's one copy, which the command-service checks experiment metrics against too. */
    public static final Pattern EVENT_KEY = io.flagplane.contract.TrackedEvents.KEY;
    static final String EVENT_KEY_RULE = "1 to 128 letters, digits and . _ : -, starting with a letter or digit";
    public static final int MAX_TARGETING_KEY = 1_024;
    public static final int MAX_ATTRIBUTES = 50;
    public static final int MAX_ATTRIBUTE_NAME = 128;
    public static final int MAX_ATTRIBUTE_STRING = 1_024;
    public static final int MAX_EVENT_ID = 128;
    private static final Pattern EVENT_ID = Pattern.compile("[\\x21-\\x7e]{1," + MAX_EVENT_ID + "}");
    private static final BigDecimal MAX_DOUBLE = new BigDecimal(Double.MAX_VALUE);

    private final Duration maxFuture;
    private final Duration maxPast;
    private final Clock clock;

    public TrackingRules(Duration maxFuture, Duration maxPast, Clock clock) {
        this.maxFuture = maxFuture;
        this.maxPast = maxPast;
        this.clock = clock;
    }

    public static TrackingRules of(TrackingSettings settings) {
        return of(settings, Clock.systemUTC());
    }

    /** The rules, judging timestamps against {@code clock} (the evaluator's). */
    public static TrackingRules of(TrackingSettings settings, Clock clock) {
        return new TrackingRules(settings.maxFuture(), settings.maxPast(), clock);
    }

    /**
     * A checked event. {@code eventId} null: a random UUID; {@code occurredAt} null: now;
     * {@code value} and {@code attributes} may be null (none).
     *
     * @throws InvalidTrackingEvent naming the first field that is not allowed
     */
    public TrackedEvent event(String eventId, String environment, String eventKey, String targetingKey, Double value,
                              Instant occurredAt, Map<String, ?> attributes) {
        if (environment == null || environment.isBlank() || environment.length() > 128) {
            throw new InvalidTrackingEvent("environment", "must be the name of an environment (1 to 128 characters)");
        }
        if (eventKey == null) {
            throw new InvalidTrackingEvent("eventKey", "is required: " + EVENT_KEY_RULE);
        }
        if (!EVENT_KEY.matcher(eventKey).matches()) {
            throw new InvalidTrackingEvent("eventKey", "must be " + EVENT_KEY_RULE + ", not '" + quoted(eventKey) + "'");
        }
        if (targetingKey == null || targetingKey.isBlank()) {
            throw new InvalidTrackingEvent("targetingKey", "is required: the user the event is about, as evaluations"
                    + " name them (1 to " + MAX_TARGETING_KEY + " characters)");
        }
        if (targetingKey.length() > MAX_TARGETING_KEY) {
            throw new InvalidTrackingEvent("targetingKey", "must be at most " + MAX_TARGETING_KEY + " characters, not "
                    + targetingKey.length());
        }
        if (value != null && !Double.isFinite(value)) {
            throw new InvalidTrackingEvent("value", "must be a finite number");
        }
        Instant now = clock.instant();
        Instant at = occurredAt == null ? now : occurredAt;
        if (at.isAfter(now.plus(maxFuture))) {
            throw new InvalidTrackingEvent("timestamp", "is more than " + words(maxFuture) + " ahead of this evaluator's"
                    + " clock (" + now + ")");
        }
        if (at.isBefore(now.minus(maxPast))) {
            throw new InvalidTrackingEvent("timestamp", "is more than " + words(maxPast) + " in the past (this evaluator's"
                    + " clock reads " + now + ")");
        }
        if (eventId != null && !EVENT_ID.matcher(eventId).matches()) {
            throw new InvalidTrackingEvent("eventId", "must be 1 to " + MAX_EVENT_ID + " printable ASCII characters"
                    + " without spaces (or left out: a UUID is made)");
        }
        return new TrackedEvent(eventId == null ? UUID.randomUUID().toString() : eventId, environment, eventKey,
                targetingKey, value, at, attributes(attributes));
    }

    /** Flat attributes as the contract holds them: String, Boolean, Long or Double. */
    static Map<String, Object> attributes(Map<String, ?> attributes) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (attributes == null) {
            return out;
        }
        if (attributes.size() > MAX_ATTRIBUTES) {
            throw new InvalidTrackingEvent("attributes", "may hold at most " + MAX_ATTRIBUTES + " entries, not "
                    + attributes.size());
        }
        for (Map.Entry<String, ?> entry : attributes.entrySet()) {
            String name = entry.getKey();
            if (name == null || name.isEmpty() || name.length() > MAX_ATTRIBUTE_NAME) {
                throw new InvalidTrackingEvent("attributes", "names must be 1 to " + MAX_ATTRIBUTE_NAME + " characters"
                        + (name == null ? "" : ", not " + name.length()));
            }
            out.put(name, scalar("attributes." + quoted(name), entry.getValue()));
        }
        return out;
    }

    private static Object scalar(String field, Object value) {
        if (value instanceof String text) {
            if (text.length() > MAX_ATTRIBUTE_STRING) {
                throw new InvalidTrackingEvent(field, "must be at most " + MAX_ATTRIBUTE_STRING + " characters, not "
                        + text.length());
            }
            return text;
        }
        if (value instanceof Boolean) {
            return value;
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof BigInteger whole) {
            if (whole.bitLength() < 64) {
                return whole.longValue();
            }
            return finite(field, new BigDecimal(whole));
        }
        if (value instanceof BigDecimal decimal) {
            return finite(field, decimal);
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (!Double.isFinite(d)) {
                throw new InvalidTrackingEvent(field, "must be a finite number");
            }
            return d;
        }
        if (value == null) {
            throw new InvalidTrackingEvent(field, "is null; leave the attribute out instead");
        }
        if (value instanceof Map<?, ?> || value instanceof Collection<?> || value.getClass().isArray()) {
            throw new InvalidTrackingEvent(field, "must be a string, a boolean or a number: attributes are flat, not "
                    + (value instanceof Map<?, ?> ? "an object" : "a list"));
        }
        throw new InvalidTrackingEvent(field, "must be a string, a boolean or a number");
    }

    private static Object finite(String field, BigDecimal decimal) {
        if (decimal.abs().compareTo(MAX_DOUBLE) > 0) {
            throw new InvalidTrackingEvent(field, "is a number too large to be represented (at most about 1.8e308)");
        }
        try {
            return decimal.longValueExact();
        } catch (ArithmeticException notWhole) {
            return decimal.doubleValue();
        }
    }

    /** A caller's text, short enough to quote back. */
    static String quoted(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }

    private static String words(Duration d) {
        if (d.toDays() > 0 && d.equals(Duration.ofDays(d.toDays()))) {
            return d.toDays() + (d.toDays() == 1 ? " day" : " days");
        }
        if (d.toHours() > 0 && d.equals(Duration.ofHours(d.toHours()))) {
            return d.toHours() + (d.toHours() == 1 ? " hour" : " hours");
        }
        return d.toSeconds() + " s";
    }
}
