package io.flagplane.projection;

import io.flagplane.projection.experiments.ExperimentMetrics;
import io.flagplane.avro.GuardrailKind;
import io.flagplane.avro.GuardrailVerdict;
import io.flagplane.projection.fold.ProjectionMetrics;
import io.flagplane.projection.guardrails.GuardrailMetrics;
import io.flagplane.projection.query.LocalStores;
import io.flagplane.projection.stream.EventStream;
import io.flagplane.projection.telemetry.Liveness;
import io.flagplane.projection.telemetry.TelemetryMetrics;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The projection-service's Prometheus metrics, in a registry of its own (several services share a
 * JVM in tests and in the local stack): events folded by outcome, undecodable and dead-lettered
 * records, consumer lag per partition of {@code flag-events}, approximate entries of each store,
 * the Kafka Streams state, and open event-stream connections; from evaluator reports, reports
 * folded and skipped, entries dropped at a cap, evaluators by liveness and the propagation latency
 * histogram; from the guardrails, records measured, readings by kind and verdict, how long an
 * evaluation pass takes, and release signals published.
 *
 * <p>Everything is a callback read at scrape time from what the service keeps anyway (the fold's
 * counters, Kafka Streams' own client metrics and stores, the event stream's connection count), so
 * the fold's hot path does not change.
 */
public final class PrometheusMetrics {

    private static final KafkaStreams.State[] STATES = KafkaStreams.State.values();

    /** What a scrape reads; {@link #live} reads a running service, tests give their own. */
    public interface Readings {

        ProjectionMetrics.Counts folded();

        /** Null until the Kafka Streams application is created. */
        KafkaStreams.State state();

        /** Records of {@code flag-events} not yet read, by partition, for the partitions this instance reads. */
        Map<Integer, Double> lag();

        /** Approximate entries by store name; a store that cannot be read right now is missing. */
        Map<String, Long> storeEntries();

        int eventStreams();

        /** What the report fold counted; a service without reports reads zeros. */
        default TelemetryMetrics reports() {
            return NO_REPORTS;
        }

        /** What the experiment analysis counted; a service without it reads zeros. */
        default ExperimentMetrics experiments() {
            return NO_EXPERIMENTS;
        }

        /** What the guardrails counted; a service without them reads zeros. */
        default GuardrailMetrics guardrails() {
            return NO_GUARDRAILS;
        }

        /** Evaluators registered on this instance's partitions, by liveness now; empty while the stores cannot be read. */
        default Map<Liveness, Long> evaluators() {
            return Map.of();
        }
    }

    private static final TelemetryMetrics NO_REPORTS = new TelemetryMetrics();
    private static final ExperimentMetrics NO_EXPERIMENTS = new ExperimentMetrics();
    private static final GuardrailMetrics NO_GUARDRAILS = new GuardrailMetrics();

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    public PrometheusMetrics(Readings readings) {
        CounterWithCallback.builder().name("flagplane_events_folded_total")
                .help("Events the fold looked at, by outcome: applied (moved a flag or segment forward), stale (a duplicate"
                        + " or replay the version gate ignored), rejected (could not apply)")
                .labelNames("outcome").callback(cb -> {
                    ProjectionMetrics.Counts counts = readings.folded();
                    cb.call(counts.applied(), "applied");
                    cb.call(counts.stale(), "stale");
                    cb.call(counts.rejected(), "rejected");
                }).register(registry);
        CounterWithCallback.builder().name("flagplane_records_undecodable_total")
                .help("Records on flag-events that could not be decoded, logged and skipped")
                .callback(cb -> cb.call(readings.folded().undecodable())).register(registry);
        CounterWithCallback.builder().name("flagplane_records_dead_lettered_total")
                .help("Undecodable records copied to the dead-letter topic")
                .callback(cb -> cb.call(readings.folded().deadLettered())).register(registry);
        GaugeWithCallback.builder().name("flagplane_projection_lag_records")
                .help("Records of flag-events not yet read by this instance, by partition (Kafka's records-lag of the"
                        + " consumer, as of its last fetch)")
                .labelNames("partition").callback(cb -> readings.lag().forEach((partition, lag) ->
                        cb.call(lag, Integer.toString(partition)))).register(registry);
        GaugeWithCallback.builder().name("flagplane_store_entries")
                .help("Approximate entries in each store over the partitions this instance holds (RocksDB's estimate)")
                .labelNames("store").callback(cb -> readings.storeEntries().forEach((store, entries) ->
                        cb.call(entries, store))).register(registry);
        String[] stateLabels = new String[STATES.length];
        for (KafkaStreams.State state : STATES) {
            stateLabels[state.ordinal()] = state.name().toLowerCase(Locale.ROOT);
        }
        GaugeWithCallback.builder().name("flagplane_streams_state")
                .help("1 for the current state of the Kafka Streams application (running once its tasks are assigned and"
                        + " restored)")
                .labelNames("state").callback(cb -> {
                    KafkaStreams.State now = readings.state();
                    for (KafkaStreams.State state : STATES) {
                        cb.call(state == now ? 1 : 0, stateLabels[state.ordinal()]);
                    }
                }).register(registry);
        CounterWithCallback.builder().name("flagplane_reports_folded_total")
                .help("Evaluator reports folded into the registry, applied versions and usage")
                .callback(cb -> cb.call(readings.reports().folded())).register(registry);
        CounterWithCallback.builder().name("flagplane_report_records_skipped_total")
                .help("Records on evaluator-reports skipped whole, by reason: undecodable (logged), refused (a node id that is"
                        + " not one, or not the record key), repeated (already folded, or from an older process of the node)")
                .labelNames("reason").callback(cb -> {
                    TelemetryMetrics reports = readings.reports();
                    cb.call(reports.undecodable(), "undecodable");
                    cb.call(reports.refused(), "refused");
                    cb.call(reports.repeated(), "repeated");
                }).register(registry);
        CounterWithCallback.builder().name("flagplane_report_entries_capped_total")
                .help("Applied versions, usage entries and variants of reports dropped at a cap, and nodes not registered past"
                        + " the cap (bounds against a broken or hostile reporter)")
                .callback(cb -> cb.call(readings.reports().droppedEntries())).register(registry);
        GaugeWithCallback.builder().name("flagplane_evaluators")
                .help("Evaluators registered on the partitions this instance holds, by liveness (live: seen within 3"
                        + " heartbeats; stale: late; gone: silent for 10 heartbeats or stopped)")
                .labelNames("liveness").callback(cb -> {
                    Map<Liveness, Long> counts = readings.evaluators();
                    for (Liveness liveness : Liveness.values()) {
                        cb.call(counts.getOrDefault(liveness, 0L), liveness.wire());
                    }
                }).register(registry);
        registry.register(new LatencyCollector(readings));
        CounterWithCallback.builder().name("flagplane_experiment_records_folded_total")
                .help("Records the experiment analysis folded, by kind: exposure (flag-exposures), tracking (tracking-events)")
                .labelNames("kind").callback(cb -> {
                    cb.call(readings.experiments().exposures(), "exposure");
                    cb.call(readings.experiments().tracked(), "tracking");
                }).register(registry);
        CounterWithCallback.builder().name("flagplane_experiment_records_skipped_total")
                .help("Records the experiment analysis skipped, by reason: undecodable (logged), refused (names or key not"
                        + " valid, a variant that is not an arm, an exposure from before the launch), duplicate (a tracked"
                        + " event id already held), plan (an exposure for a rollout plan's guardrails, not an experiment)")
                .labelNames("reason").callback(cb -> {
                    ExperimentMetrics e = readings.experiments();
                    cb.call(e.undecodable(), "undecodable");
                    cb.call(e.refused(), "refused");
                    cb.call(e.duplicates(), "duplicate");
                    cb.call(e.planExposures(), "plan");
                }).register(registry);
        CounterWithCallback.builder().name("flagplane_experiment_exposures_late_total")
                .help("Exposures older than the grace period when they arrived, or earlier than a final first exposure:"
                        + " tracked events they would have counted may be gone")
                .callback(cb -> cb.call(readings.experiments().late())).register(registry);
        CounterWithCallback.builder().name("flagplane_experiment_entries_dropped_total")
                .help("Tracked events, experiments or variants a user could not keep (per-user bounds)")
                .callback(cb -> cb.call(readings.experiments().dropped())).register(registry);
        CounterWithCallback.builder().name("flagplane_experiment_mixed_users_total")
                .help("Users who were served a second variant of an experiment (counted apart, excluded from the results)")
                .callback(cb -> cb.call(readings.experiments().mixed())).register(registry);
        CounterWithCallback.builder().name("flagplane_guardrail_records_measured_total")
                .help("Records the guardrails measured, by kind: exposure (plan exposures on flag-exposures), tracking (tracked"
                        + " events of users exposed to a plan)")
                .labelNames("kind").callback(cb -> {
                    cb.call(readings.guardrails().exposures(), "exposure");
                    cb.call(readings.guardrails().tracked(), "tracking");
                }).register(registry);
        CounterWithCallback.builder().name("flagplane_guardrail_records_skipped_total")
                .help("Records the guardrails did not count, by reason: unattributed (a tracked event from before the user's plan"
                        + " exposure, or folded before it arrived), refused (names or key not valid), undecodable, dropped (an entry"
                        + " let go for a per-user or per-cell bound)")
                .labelNames("reason").callback(cb -> {
                    GuardrailMetrics g = readings.guardrails();
                    cb.call(g.unattributed(), "unattributed");
                    cb.call(g.refused(), "refused");
                    cb.call(g.undecodable(), "undecodable");
                    cb.call(g.dropped(), "dropped");
                }).register(registry);
        CounterWithCallback.builder().name("flagplane_guardrail_verdicts_total")
                .help("Guardrail readings of running rollout plans, by guardrail kind and verdict (one per guardrail per"
                        + " evaluation interval)")
                .labelNames("kind", "verdict").callback(cb -> {
                    GuardrailMetrics g = readings.guardrails();
                    for (GuardrailKind kind : GuardrailKind.values()) {
                        for (GuardrailVerdict verdict : GuardrailVerdict.values()) {
                            cb.call(g.readings(kind, verdict), kind.name().toLowerCase(Locale.ROOT),
                                    verdict.name().toLowerCase(Locale.ROOT));
                        }
                    }
                }).register(registry);
        CounterWithCallback.builder().name("flagplane_release_signals_published_total")
                .help("Release signals (one per running plan per evaluation interval) published to release-signals")
                .callback(cb -> cb.call(readings.guardrails().signals())).register(registry);
        registry.register(new EvaluationCollector(readings));
        GaugeWithCallback.builder().name("flagplane_event_streams")
                .help("Open event-stream (SSE) connections")
                .callback(cb -> cb.call(readings.eventStreams())).register(registry);
    }

    /** The propagation latency histogram, built at scrape time from the fold's bucket counts. */
    private static final class LatencyCollector implements Collector {

        private static final String NAME = "flagplane_propagation_latency_seconds";
        private final Readings readings;

        LatencyCollector(Readings readings) {
            this.readings = readings;
        }

        @Override
        public MetricSnapshot collect() {
            TelemetryMetrics.Latency latency = readings.reports().latency();
            return HistogramSnapshot.builder().name(NAME)
                    .help("A flag version's event time to the instant an evaluator applied it, observed when the evaluator's"
                            + " report is folded (versions still current then)")
                    .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                            .classicHistogramBuckets(ClassicHistogramBuckets.of(latency.upperBounds(), latency.counts()))
                            .sum(latency.sumSeconds()).build())
                    .build();
        }

        @Override
        public String getPrometheusName() {
            return NAME;
        }
    }

    /** How long a guardrail evaluation pass (every running plan of the instance's tasks) takes. */
    private static final class EvaluationCollector implements Collector {

        private static final String NAME = "flagplane_guardrail_evaluation_seconds";
        private final Readings readings;

        EvaluationCollector(Readings readings) {
            this.readings = readings;
        }

        @Override
        public MetricSnapshot collect() {
            GuardrailMetrics g = readings.guardrails();
            double[] bounds = new double[GuardrailMetrics.DURATION_BOUNDS.length + 1];
            System.arraycopy(GuardrailMetrics.DURATION_BOUNDS, 0, bounds, 0, GuardrailMetrics.DURATION_BOUNDS.length);
            bounds[bounds.length - 1] = Double.POSITIVE_INFINITY;
            return HistogramSnapshot.builder().name(NAME)
                    .help("One guardrail evaluation pass: every running plan's guardrails read and a release signal published")
                    .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                            .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, g.durationCounts()))
                            .sum(g.durationSeconds()).build())
                    .build();
        }

        @Override
        public String getPrometheusName() {
            return NAME;
        }
    }

    /** The readings of a running service. {@code streams} is null until the application is created. */
    public static Readings live(ProjectionMetrics fold, Supplier<KafkaStreams> streams, LocalStores stores, String eventsTopic,
                                EventStream stream) {
        return live(fold, streams, stores, eventsTopic, stream, NO_REPORTS, () -> Map.of());
    }

    /** The same, with the report fold's counters and a way to count evaluators by liveness. */
    public static Readings live(ProjectionMetrics fold, Supplier<KafkaStreams> streams, LocalStores stores, String eventsTopic,
                                EventStream stream, TelemetryMetrics reports, Supplier<Map<Liveness, Long>> evaluators) {
        return live(fold, streams, stores, eventsTopic, stream, reports, evaluators, NO_EXPERIMENTS);
    }

    /** The same, with the experiment analysis' counters. */
    public static Readings live(ProjectionMetrics fold, Supplier<KafkaStreams> streams, LocalStores stores, String eventsTopic,
                                EventStream stream, TelemetryMetrics reports, Supplier<Map<Liveness, Long>> evaluators,
                                ExperimentMetrics experiments) {
        return live(fold, streams, stores, eventsTopic, stream, reports, evaluators, experiments, NO_GUARDRAILS);
    }

    /** The same, with the guardrails' counters. */
    public static Readings live(ProjectionMetrics fold, Supplier<KafkaStreams> streams, LocalStores stores, String eventsTopic,
                                EventStream stream, TelemetryMetrics reports, Supplier<Map<Liveness, Long>> evaluators,
                                ExperimentMetrics experiments, GuardrailMetrics guardrails) {
        return new Readings() {
            @Override
            public GuardrailMetrics guardrails() {
                return guardrails;
            }

            @Override
            public ExperimentMetrics experiments() {
                return experiments;
            }

            @Override
            public TelemetryMetrics reports() {
                return reports;
            }

            @Override
            public Map<Liveness, Long> evaluators() {
                return evaluators.get();
            }

            @Override
            public ProjectionMetrics.Counts folded() {
                return fold.counts();
            }

            @Override
            public KafkaStreams.State state() {
                KafkaStreams s = streams.get();
                return s == null ? null : s.state();
            }

            @Override
            public Map<Integer, Double> lag() {
                KafkaStreams s = streams.get();
                return s == null ? Map.of() : recordsLag(s.metrics(), eventsTopic);
            }

            @Override
            public Map<String, Long> storeEntries() {
                return stores.approximateEntries();
            }

            @Override
            public int eventStreams() {
                return stream.openConnections();
            }
        };
    }

    /**
     * The main consumer's {@code records-lag} per partition of {@code topic}, from Kafka Streams'
     * client metrics. The restore consumer (changelogs) is left out; a partition not fetched yet
     * (NaN) is too. Some Kafka versions write the topic tag with '.' as '_'; either spelling matches.
     */
    static Map<Integer, Double> recordsLag(Map<MetricName, ? extends Metric> metrics, String topic) {
        String topicTag = topic.replace('.', '_');
        Map<Integer, Double> lag = new TreeMap<>();
        metrics.forEach((name, metric) -> {
            Map<String, String> tags = name.tags();
            String clientId = tags.getOrDefault("client-id", "");
            String partition = tags.get("partition");
            if (name.name().equals("records-lag") && name.group().equals("consumer-fetch-manager-metrics")
                    && partition != null
                    && (topic.equals(tags.get("topic")) || topicTag.equals(tags.get("topic"))) && !clientId.endsWith("restore-consumer")
                    && metric.metricValue() instanceof Double value && !value.isNaN()) {
                lag.put(Integer.parseInt(partition), value);
            }
        });
        return lag;
    }

    public String contentType() {
        return writer.getContentType();
    }

    public void write(OutputStream out) throws IOException {
        writer.write(out, registry.scrape(), EscapingScheme.DEFAULT);
    }

    public PrometheusRegistry registry() {
        return registry;
    }
}
