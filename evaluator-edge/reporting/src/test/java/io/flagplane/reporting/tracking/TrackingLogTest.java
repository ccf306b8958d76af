package io.flagplane.reporting.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.TrackingEvent;
import io.flagplane.reporting.telemetry.TelemetrySink;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The tracking log without a broker: batches whole or not at all, counted, and sent as the contract's record. */
class TrackingLogTest {

    private static final Instant NOW = Instant.parse("2026-11-26T09:00:00Z");
    private final List<TrackingEvent> sent = new CopyOnWriteArrayList<>();
    private final TelemetrySink<TrackingEvent> sink = (event, outcome) -> {
        sent.add(event);
        outcome.sent();
    };
    private final TrackingRules rules = new TrackingRules(Duration.ofHours(1), Duration.ofDays(7), Clock.fixed(NOW, ZoneOffset.UTC));

    private TrackedEvent event(String user) {
        return rules.event(null, "production", "booking_confirmed", user, 42.5, null, Map.of("plan", "pro", "seats", 3));
    }

    @Test
    void an_accepted_event_is_sent_as_the_contracts_tracking_event_from_this_node() {
        TrackingLog log = new TrackingLog(TrackingSettings.defaults(), rules, "edge-7", sink);
        TrackedEvent event = event("user-1");

        assertThat(log.submit(List.of(event))).isTrue();
        log.pumpAll();

        assertThat(sent).singleElement().satisfies(e -> {
            assertThat(e.getEventId()).isEqualTo(event.eventId());
            assertThat(e.getEnvironment()).isEqualTo("production");
            assertThat(e.getEventKey()).isEqualTo("booking_confirmed");
            assertThat(e.getTargetingKey()).isEqualTo("user-1");
            assertThat(e.getValue()).isEqualTo(42.5);
            assertThat(e.getOccurredAt()).isEqualTo(NOW);
            assertThat(e.getAttributes()).containsEntry("plan", "pro").containsEntry("seats", 3L);
            assertThat(e.getSource()).isEqualTo("edge-7");
        });
        assertThat(log.stats()).isEqualTo(new TrackingLog.Stats(1, 0, 0, 1, 0));
    }

    @Test
    void a_batch_that_does_not_fit_is_refused_whole_and_counted_as_dropped() {
        TrackingLog log = new TrackingLog(TrackingSettings.defaults().withBufferCapacity(3), rules, "edge-7", sink);

        assertThat(log.submit(List.of(event("a"), event("b")))).isTrue();
        assertThat(log.submit(List.of(event("c"), event("d")))).isFalse();
        log.pumpAll();

        assertThat(sent).extracting(TrackingEvent::getTargetingKey).containsExactly("a", "b");
        assertThat(log.stats()).isEqualTo(new TrackingLog.Stats(2, 2, 0, 2, 0));
    }

    @Test
    void the_off_log_takes_nothing() {
        TrackingLog off = TrackingLog.start(TrackingSettings.disabled(), "n", sink);

        assertThat(off.enabled()).isFalse();
        assertThat(off.submit(List.of(event("a")))).isFalse();
        off.countInvalid(2);
        assertThat(off.stats()).isEqualTo(new TrackingLog.Stats(0, 0, 2, 0, 0));
        assertThat(TrackingLog.off().stats().invalid()).as("each its own counts").isZero();
    }
}
