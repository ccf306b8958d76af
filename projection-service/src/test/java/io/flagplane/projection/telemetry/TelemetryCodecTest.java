package io.flagplane.projection.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the stores keep and what instances exchange reads back as it was written. */
class TelemetryCodecTest {

    private static final EvaluatorEntry NODE = new EvaluatorEntry("edge-1", "EDGE_NODE", "host-1", List.of("production", "*"),
            "0.1.0", "c0ffee", 1L, 2L, 3L, 4L, 5_000, "STALE", 6L, null, 7L, 8, 9L);

    @Test
    void a_share_of_nodes_with_their_progress_round_trips() throws Exception {
        List<NodeShare> shares = List.of(new NodeShare(NODE, new AppliedVersions.Progress(7, 1_000, false)),
                new NodeShare(NODE, null));

        List<NodeShare> read = TelemetryCodec.JSON.readValue(TelemetryCodec.encode(shares), new TypeReference<List<NodeShare>>() {
        });

        assertThat(read).isEqualTo(shares);
    }

    @Test
    void usage_by_flag_round_trips_with_its_days_in_order() throws Exception {
        Map<String, UsageEntry> usage = Map.of("a.b", new UsageEntry(99, Map.of(20_000L, Map.of("on", 3L, "", 1L),
                19_999L, Map.of("off", 2L))));

        Map<String, UsageEntry> read = TelemetryCodec.JSON.readValue(TelemetryCodec.encode(usage),
                new TypeReference<Map<String, UsageEntry>>() {
                });

        assertThat(read).isEqualTo(usage);
        assertThat(read.get("a.b").newestDay()).isEqualTo(20_000L);
        assertThat(TelemetryCodec.decode(TelemetryCodec.encode(AppliedVersions.empty().with(3, 10, 8)), AppliedVersions.class)
                .newest()).isEqualTo(3);
    }

    @Test
    void shares_from_two_instances_add_up() {
        UsageEntry one = new UsageEntry(5, Map.of(1L, Map.of("on", 2L)));
        UsageEntry two = new UsageEntry(9, Map.of(1L, Map.of("on", Long.MAX_VALUE), 2L, Map.of("off", 1L)));

        UsageEntry sum = one.plus(two);

        assertThat(sum.lastEvaluatedMs()).isEqualTo(9);
        assertThat(sum.evaluationsOn(1)).as("saturates, never wraps").isEqualTo(Long.MAX_VALUE);
        assertThat(sum.variantsSince(2)).isEqualTo(Map.of("off", 1L));
    }
}
