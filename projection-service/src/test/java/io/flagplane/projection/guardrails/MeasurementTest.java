package io.flagplane.projection.guardrails;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.projection.guardrails.GuardrailStores.CellId;
import io.flagplane.projection.guardrails.GuardrailStores.Resolution;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading a plan's figures from every partition's share, at the resolution that covers the window. */
class MeasurementTest {

    private static final long NOW = 1_800_000_000_000L;

    @Test
    void two_partitions_shares_of_the_same_cell_add_up() {
        long bucket = Resolution.FINE.bucketOf(NOW - 60_000);
        Measurement m = Measurement.builder()
                .add(new CellId(Resolution.FINE, bucket, "on"), new Cell(3, 3, 3, Map.of("request", 10L), Map.of("request", 3L)))
                .add(new CellId(Resolution.FINE, bucket, "on"), new Cell(2, 1, 2, Map.of("request", 5L, "http_error", 1L),
                        Map.of("request", 2L, "http_error", 1L)))
                .build(Horizons.DEFAULT, NOW);

        Cell on = m.since("on", NOW - 120_000);

        assertThat(on).isEqualTo(new Cell(5, 4, 5, Map.of("request", 15L, "http_error", 1L), Map.of("request", 5L, "http_error", 1L)));
        assertThat(m.since("off", NOW - 120_000)).isEqualTo(Cell.EMPTY);
    }

    @Test
    void a_window_reaching_past_the_fine_horizon_is_read_from_hourly_cells() {
        Horizons horizons = new Horizons(Duration.ofHours(1), Duration.ofDays(2));
        long old = NOW - Duration.ofHours(5).toMillis();
        Measurement m = Measurement.builder()
                .add(new CellId(Resolution.FINE, Resolution.FINE.bucketOf(NOW - 60_000), "on"), new Cell(1, 0, 0, Map.of(), Map.of()))
                .add(new CellId(Resolution.COARSE, Resolution.COARSE.bucketOf(NOW - 60_000), "on"), new Cell(1, 0, 0, Map.of(), Map.of()))
                .add(new CellId(Resolution.COARSE, Resolution.COARSE.bucketOf(old), "on"), new Cell(7, 0, 0, Map.of(), Map.of()))
                .build(horizons, NOW);

        assertThat(m.exposedSince("on", NOW - Duration.ofMinutes(10).toMillis())).isEqualTo(1);
        assertThat(m.exposedSince("on", NOW - Duration.ofHours(6).toMillis())).isEqualTo(8);
    }

    @Test
    void cell_suffixes_parse_back() {
        CellId id = new CellId(Resolution.COARSE, 1_800_000_000_000L, "upfront-fees");

        assertThat(CellId.parse(id.suffix())).isEqualTo(id);
    }
}
