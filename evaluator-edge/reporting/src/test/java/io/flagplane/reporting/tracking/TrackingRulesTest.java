package io.flagplane.reporting.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** What a tracking event may be, field by field; every refusal names its field. */
class TrackingRulesTest {

    private static final Instant NOW = Instant.parse("2026-11-26T09:00:00Z");
    private final TrackingRules rules = new TrackingRules(Duration.ofHours(1), Duration.ofDays(7),
            Clock.fixed(NOW, ZoneOffset.UTC));

    /** A valid event with one field replaced. */
    private TrackedEvent with(String field, Object value) {
        Map<String, Object> f = new HashMap<>();
        f.put("eventId", null);
        f.put("environment", "production");
        f.put("eventKey", "booking_confirmed");
        f.put("targetingKey", "user-1");
        f.put("value", 42.5);
        f.put("occurredAt", null);
        f.put("attributes", Map.of("plan", "pro"));
        f.put(field, value);
        @SuppressWarnings("unchecked")
        Map<String, ?> attributes = (Map<String, ?>) f.get("attributes");
        return rules.event((String) f.get("eventId"), (String) f.get("environment"), (String) f.get("eventKey"),
                (String) f.get("targetingKey"), (Double) f.get("value"), (Instant) f.get("occurredAt"), attributes);
    }

    static Stream<Arguments> refusals() {
        Map<String, Object> tooMany = new LinkedHashMap<>();
        for (int i = 0; i < 51; i++) {
            tooMany.put("a" + i, i);
        }
        Map<String, Object> nullValue = new HashMap<>();
        nullValue.put("plan", null);
        return Stream.of(
                Arguments.of("eventKey", null, "eventKey", "is required"),
                Arguments.of("eventKey", "", "eventKey", "1 to 128 letters"),
                Arguments.of("eventKey", "_leading", "eventKey", "starting with a letter or digit"),
                Arguments.of("eventKey", "has space", "eventKey", "not 'has space'"),
                Arguments.of("eventKey", "k".repeat(129), "eventKey", "1 to 128"),
                Arguments.of("eventKey", "booking/confirmed", "eventKey", "letters, digits and . _ : -"),
                Arguments.of("targetingKey", null, "targetingKey", "is required"),
                Arguments.of("targetingKey", "  ", "targetingKey", "is required"),
                Arguments.of("targetingKey", "u".repeat(1_025), "targetingKey", "at most 1024 characters"),
                Arguments.of("value", Double.NaN, "value", "finite"),
                Arguments.of("value", Double.POSITIVE_INFINITY, "value", "finite"),
                Arguments.of("occurredAt", NOW.plus(Duration.ofMinutes(61)), "timestamp", "more than 1 hour ahead"),
                Arguments.of("occurredAt", NOW.minus(Duration.ofDays(7)).minusMillis(1), "timestamp",
                        "more than 7 days in the past"),
                Arguments.of("eventId", "", "eventId", "printable ASCII"),
                Arguments.of("eventId", "has space", "eventId", "without spaces"),
                Arguments.of("eventId", "x".repeat(129), "eventId", "1 to 128"),
                Arguments.of("environment", " ", "environment", "name of an environment"),
                Arguments.of("attributes", tooMany, "attributes", "at most 50 entries, not 51"),
                Arguments.of("attributes", Map.of("", 1), "attributes", "names must be 1 to 128"),
                Arguments.of("attributes", Map.of("n".repeat(129), 1), "attributes", "names must be 1 to 128"),
                Arguments.of("attributes", Map.of("plan", "p".repeat(1_025)), "attributes.plan", "at most 1024 characters"),
                Arguments.of("attributes", Map.of("cart", Map.of("items", 3)), "attributes.cart", "flat, not an object"),
                Arguments.of("attributes", Map.of("tags", List.of("a")), "attributes.tags", "flat, not a list"),
                Arguments.of("attributes", nullValue, "attributes.plan", "leave the attribute out"),
                Arguments.of("attributes", Map.of("ratio", Double.NaN), "attributes.ratio", "finite"),
                Arguments.of("attributes", Map.of("big", new BigDecimal("1e400")), "attributes.big", "too large"),
                Arguments.of("attributes", Map.of("when", Instant.EPOCH), "attributes.when", "a string, a boolean or a number"));
    }

    @ParameterizedTest(name = "{0} = {1} -> {2}")
    @MethodSource("refusals")
    void a_field_that_is_not_allowed_is_refused_with_its_name(String field, Object value, String named, String says) {
        assertThatThrownBy(() -> with(field, value)).isInstanceOfSatisfying(InvalidTrackingEvent.class, e -> {
            assertThat(e.field()).isEqualTo(named);
            assertThat(e.getMessage()).startsWith(named + " ").contains(says);
        });
    }

    @Test
    void a_valid_event_gets_an_id_and_the_current_instant_when_it_has_none() {
        TrackedEvent event = with("value", null);

        assertThat(event.eventId()).matches("[0-9a-f-]{36}");
        assertThat(event.occurredAt()).isEqualTo(NOW);
        assertThat(event.value()).isNull();
        assertThat(event.attributes()).isEqualTo(Map.of("plan", "pro"));
    }

    @Test
    void timestamps_at_the_edges_of_the_skew_are_accepted() {
        assertThat(with("occurredAt", NOW.plus(Duration.ofHours(1))).occurredAt()).isEqualTo(NOW.plus(Duration.ofHours(1)));
        assertThat(with("occurredAt", NOW.minus(Duration.ofDays(7))).occurredAt()).isEqualTo(NOW.minus(Duration.ofDays(7)));
    }

    @Test
    void attribute_numbers_become_longs_when_whole_and_doubles_otherwise() {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("count", 3);
        attributes.put("big", new BigInteger("9223372036854775807"));
        attributes.put("huge", new BigInteger("9223372036854775808"));
        attributes.put("price", new BigDecimal("19.99"));
        attributes.put("whole", new BigDecimal("20"));
        attributes.put("ratio", 0.5f);
        attributes.put("beta", true);

        TrackedEvent event = with("attributes", attributes);

        assertThat(event.attributes()).containsExactly(Map.entry("count", 3L), Map.entry("big", Long.MAX_VALUE),
                Map.entry("huge", 9.223372036854775808E18), Map.entry("price", 19.99), Map.entry("whole", 20L),
                Map.entry("ratio", 0.5), Map.entry("beta", true));
    }
}
