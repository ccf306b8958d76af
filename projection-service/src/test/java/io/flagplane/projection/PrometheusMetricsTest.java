package io.flagplane.projection;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.projection.fold.ProjectionMetrics;
import io.flagplane.projection.telemetry.Counted;
import io.flagplane.projection.telemetry.Liveness;
import io.flagplane.projection.telemetry.TelemetryMetrics;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

class PrometheusMetricsTest {

    /** Readings a test sets by hand. */
    private static final class Fixed implements PrometheusMetrics.Readings {
        ProjectionMetrics.Counts counts = new ProjectionMetrics.Counts(0, 0, 0, 0, 0);
        KafkaStreams.State state;
        Map<Integer, Double> lag = Map.of();
        Map<String, Long> stores = Map.of();
        int streams;
        TelemetryMetrics reports = Counted.metrics(0, 0, 0, 0, 0);
        Map<Liveness, Long> evaluators = Map.of();

        @Override
        public TelemetryMetrics reports() {
            return reports;
        }

        @Override
        public Map<Liveness, Long> evaluators() {
            return evaluators;
        }

        @Override
        public ProjectionMetrics.Counts folded() {
            return counts;
        }

        @Override
        public KafkaStreams.State state() {
            return state;
        }

        @Override
        public Map<Integer, Double> lag() {
            return lag;
        }

        @Override
        public Map<String, Long> storeEntries() {
            return stores;
        }

        @Override
        public int eventStreams() {
            return streams;
        }
    }

    private static String scrape(PrometheusMetrics metrics) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.write(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void every_reading_is_taken_at_scrape_time_with_its_labels() throws Exception {
        Fixed readings = new Fixed();
        PrometheusMetrics metrics = new PrometheusMetrics(readings);
        readings.counts = new ProjectionMetrics.Counts(7, 2, 1, 3, 3);
        readings.state = KafkaStreams.State.RUNNING;
        readings.lag = Map.of(0, 0.0, 2, 5.0);
        readings.stores = Map.of("flag-states", 4L, "audit", 12L);
        readings.streams = 2;

        String text = scrape(metrics);

        assertThat(text).contains("flagplane_events_folded_total{outcome=\"applied\"} 7.0\n");
        assertThat(text).contains("flagplane_events_folded_total{outcome=\"stale\"} 2.0\n");
        assertThat(text).contains("flagplane_events_folded_total{outcome=\"rejected\"} 1.0\n");
        assertThat(text).contains("flagplane_records_undecodable_total 3.0\n");
        assertThat(text).contains("flagplane_records_dead_lettered_total 3.0\n");
        assertThat(text).contains("flagplane_projection_lag_records{partition=\"0\"} 0.0\n");
        assertThat(text).contains("flagplane_projection_lag_records{partition=\"2\"} 5.0\n");
        assertThat(text).doesNotContain("flagplane_projection_lag_records{partition=\"1\"}");
        assertThat(text).contains("flagplane_store_entries{store=\"flag-states\"} 4.0\n");
        assertThat(text).contains("flagplane_store_entries{store=\"audit\"} 12.0\n");
        assertThat(text).contains("flagplane_streams_state{state=\"running\"} 1.0\n");
        assertThat(text).contains("flagplane_streams_state{state=\"rebalancing\"} 0.0\n");
        assertThat(text).contains("flagplane_event_streams 2.0\n");

        readings.counts = new ProjectionMetrics.Counts(9, 2, 1, 3, 3);
        readings.state = KafkaStreams.State.REBALANCING;
        String later = scrape(metrics);
        assertThat(later).contains("flagplane_events_folded_total{outcome=\"applied\"} 9.0\n");
        assertThat(later).contains("flagplane_streams_state{state=\"running\"} 0.0\n");
        assertThat(later).contains("flagplane_streams_state{state=\"rebalancing\"} 1.0\n");
    }

    @Test
    void reports_skipped_entries_dropped_evaluators_by_liveness_and_the_propagation_latency_histogram() throws Exception {
        Fixed readings = new Fixed();
        PrometheusMetrics metrics = new PrometheusMetrics(readings);
        readings.reports = Counted.metrics(40, 2, 1, 3, 7, 8, 30, 30, 2_000);
        readings.evaluators = Map.of(Liveness.LIVE, 18L, Liveness.STALE, 2L);

        String text = scrape(metrics);

        assertThat(text).contains("flagplane_reports_folded_total 40.0\n");
        assertThat(text).contains("flagplane_report_records_skipped_total{reason=\"undecodable\"} 2.0\n");
        assertThat(text).contains("flagplane_report_records_skipped_total{reason=\"refused\"} 1.0\n");
        assertThat(text).contains("flagplane_report_records_skipped_total{reason=\"repeated\"} 3.0\n");
        assertThat(text).contains("flagplane_report_entries_capped_total 7.0\n");
        assertThat(text).contains("flagplane_evaluators{liveness=\"live\"} 18.0\n");
        assertThat(text).contains("flagplane_evaluators{liveness=\"stale\"} 2.0\n");
        assertThat(text).contains("flagplane_evaluators{liveness=\"gone\"} 0.0\n");
        assertThat(text).contains("flagplane_propagation_latency_seconds_bucket{le=\"0.01\"} 1\n");
        assertThat(text).contains("flagplane_propagation_latency_seconds_bucket{le=\"0.05\"} 3\n");
        assertThat(text).contains("flagplane_propagation_latency_seconds_bucket{le=\"+Inf\"} 4\n");
        assertThat(text).contains("flagplane_propagation_latency_seconds_count 4\n");
    }

    @Test
    void before_the_streams_application_exists_no_state_is_1_and_nothing_is_lagging() throws Exception {
        String text = scrape(new PrometheusMetrics(new Fixed()));

        assertThat(text).doesNotContain("flagplane_streams_state{state=\"created\"} 1.0");
        assertThat(text).contains("flagplane_streams_state{state=\"created\"} 0.0\n");
        assertThat(text).doesNotContain("flagplane_projection_lag_records{");
        assertThat(text).doesNotContain("flagplane_store_entries{");
    }

    @Test
    void two_instances_in_one_jvm_keep_their_own_registries() throws Exception {
        Fixed one = new Fixed();
        Fixed two = new Fixed();
        one.streams = 1;
        two.streams = 5;
        PrometheusMetrics first = new PrometheusMetrics(one);
        PrometheusMetrics second = new PrometheusMetrics(two);

        assertThat(scrape(first)).contains("flagplane_event_streams 1.0\n");
        assertThat(scrape(second)).contains("flagplane_event_streams 5.0\n");
    }

    @Test
    void lag_is_the_main_consumers_records_lag_of_flag_events_only() {
        Map<MetricName, Metric> metrics = new LinkedHashMap<>();
        put(metrics, "records-lag", "app-1-StreamThread-1-consumer", "p.flag-events", "0", 3.0);
        put(metrics, "records-lag", "app-1-StreamThread-1-consumer", "p_flag-events", "1", 4.0);   // '.' written as '_'
        put(metrics, "records-lag", "app-1-StreamThread-1-consumer", "p.flag-events", "2", Double.NaN);   // not fetched yet
        put(metrics, "records-lag", "app-1-StreamThread-1-restore-consumer", "p.flag-events", "2", 9.0);
        put(metrics, "records-lag", "app-1-StreamThread-1-consumer", "p.other", "0", 8.0);
        put(metrics, "records-lag-max", "app-1-StreamThread-1-consumer", "p.flag-events", "0", 7.0);

        assertThat(PrometheusMetrics.recordsLag(metrics, "p.flag-events")).containsExactly(Map.entry(0, 3.0), Map.entry(1, 4.0));
    }

    private static void put(Map<MetricName, Metric> metrics, String name, String clientId, String topic, String partition,
                            double value) {
        MetricName metricName = new MetricName(name, "consumer-fetch-manager-metrics", "",
                Map.of("client-id", clientId, "topic", topic, "partition", partition));
        AtomicReference<Double> current = new AtomicReference<>(value);
        metrics.put(metricName, new Metric() {
            @Override
            public MetricName metricName() {
                return metricName;
            }

            @Override
            public Object metricValue() {
                return current.get();
            }
        });
    }
}
