package io.flagplane.http;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Instants from query parameters and bodies, bounded to what every part of Flagplane can compute
 * with (epoch milliseconds, keyframe arithmetic): years 0000 to 9999. {@code Instant.parse}
 * happily returns year +999999999, on which {@code toEpochMilli()} overflows.
 */
public final class Instants {

    public static final Instant MIN = Instant.parse("0000-01-01T00:00:00Z");
    public static final Instant MAX = Instant.parse("9999-12-31T23:59:59.999Z");

    private Instants() {
    }

    /** An ISO-8601 instant such as {@code 2026-11-21T09:00:00Z} (an offset is allowed), or null when text is null. */
    public static Instant parse(String text, String field) {
        if (text == null) {
            return null;
        }
        Instant instant;
        try {
            instant = text.length() > 64 ? null : parseIso(text);
        } catch (DateTimeParseException e) {
            instant = null;
        }
        if (instant == null) {
            throw new JsonInputException(field, field + " must be an ISO-8601 instant such as 2026-11-21T09:00:00Z");
        }
        if (instant.isBefore(MIN) || instant.isAfter(MAX)) {
            throw new JsonInputException(field, field + " must be between years 0000 and 9999");
        }
        return instant;
    }

    private static Instant parseIso(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return OffsetDateTime.parse(text).toInstant();
        }
    }
}
