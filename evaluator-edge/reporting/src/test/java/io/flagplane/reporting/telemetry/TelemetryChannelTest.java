package io.flagplane.reporting.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The bounded buffer: it drops rather than waits, takes batches whole or not at all, and counts every outcome. */
class TelemetryChannelTest {

    private final List<String> sent = new CopyOnWriteArrayList<>();
    private volatile String failing;
    private final TelemetrySink<String> sink = (item, outcome) -> {
        if (item.equals(failing)) {
            outcome.failed("refused");
        } else if (item.equals("boom")) {
            throw new IllegalStateException("a sink that throws");
        } else {
            sent.add(item);
            outcome.sent();
        }
    };

    @Test
    void a_full_buffer_drops_and_counts_instead_of_waiting() {
        TelemetryChannel<String> channel = new TelemetryChannel<>("test", 3, sink, () -> { });

        assertThat(List.of("a", "b", "c", "d", "e")).map(channel::offer).containsExactly(true, true, true, false, false);
        assertThat(channel.stats()).isEqualTo(new TelemetryChannel.Stats(3, 2, 0, 0, 3));

        channel.pumpAll();
        assertThat(sent).containsExactly("a", "b", "c");
        assertThat(channel.offer("f")).as("room again once drained").isTrue();
    }

    @Test
    void a_batch_is_taken_whole_or_not_at_all() {
        TelemetryChannel<String> channel = new TelemetryChannel<>("test", 4, sink, () -> { });
        channel.offer("a");
        channel.offer("b");

        assertThat(channel.offerAll(List.of("c", "d", "e"))).isFalse();
        assertThat(channel.stats().queued()).isEqualTo(2);
        assertThat(channel.stats().dropped()).isEqualTo(3);
        assertThat(channel.offerAll(List.of("c", "d"))).isTrue();

        channel.pumpAll();
        assertThat(sent).containsExactly("a", "b", "c", "d");
    }

    @Test
    void what_the_sink_refuses_or_throws_on_is_counted_as_failed_and_the_rest_goes_on() {
        TelemetryChannel<String> channel = new TelemetryChannel<>("test", 10, sink, () -> { });
        failing = "b";
        List.of("a", "b", "boom", "c").forEach(channel::offer);

        channel.pumpAll();

        assertThat(sent).containsExactly("a", "c");
        assertThat(channel.stats()).isEqualTo(new TelemetryChannel.Stats(4, 0, 2, 2, 0));
    }

    @Test
    void the_background_thread_sends_what_is_queued_and_close_sends_the_rest() throws Exception {
        TelemetryChannel<String> channel = new TelemetryChannel<>("test", 100, sink, () -> { }).start();
        for (int i = 0; i < 50; i++) {
            channel.offer("r" + i);
        }

        channel.close();

        assertThat(sent).hasSize(50);
        assertThat(channel.stats().sent()).isEqualTo(50);
    }

    @Test
    void an_idle_thread_rests_and_the_next_record_wakes_it() throws Exception {
        AtomicInteger passes = new AtomicInteger();
        // rests after one idle pass, for an hour: only a record's wake-up can get it sending again
        TelemetryChannel<String> channel = new TelemetryChannel<>("test", 100, sink, passes::incrementAndGet, 1,
                Duration.ofHours(1)).start();
        try {
            // resting: the pass count stops moving (without the rest a pass would come every 20 ms)
            Awaitility.await().atMost(Duration.ofSeconds(10)).during(Duration.ofMillis(300))
                    .untilAsserted(() -> assertThat(passes.get()).as("passes while resting").isLessThanOrEqualTo(3));

            for (int round = 0; round < 3; round++) {   // each record finds it resting again, and wakes it
                String record = "after rest " + round;
                channel.offer(record);
                Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(sent).contains(record));
            }
        } finally {
            channel.close();
        }
        assertThat(channel.stats().sent()).isEqualTo(3);
    }
}
