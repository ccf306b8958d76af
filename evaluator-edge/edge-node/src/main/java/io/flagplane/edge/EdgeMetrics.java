package io.flagplane.edge;

import io.flagplane.evaluation.Evaluation;
import io.flagplane.reporting.EvaluatorReporter;
import io.flagplane.reporting.exposure.ExposureLog;
import io.flagplane.reporting.tracking.TrackingLog;
import io.flagplane.ruleset.LiveRuleset;
import io.flagplane.ruleset.RulesetTail;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The node's Prometheus metrics, in a registry of its own (several nodes can share a JVM):
 * evaluations by flag, variant and reason; the ruleset's size, generation and age; whether it is
 * stale; restarts of its Kafka reader; propagation lag from a change's event time to this node applying it; consumer lag; change
 * stream connections; evaluator reports sent and dropped, and when the last one that got through was made;
 * exposures logged, de-duplicated, dropped and sent, and tracking events accepted, refused and sent.
 *
 * <p>Counting an evaluation allocates nothing: a flag's successful results are shared objects
 * built when the flag arrives, so the counter for one is found by identity.
 */
public final class EdgeMetrics {

    private static final int MAX_CACHED_RESULTS = 50_000;

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter evaluations;
    private final Histogram propagation;
    private final Counter httpErrors;
    private final ConcurrentHashMap<Evaluation<?>, CounterDataPoint> byResult = new ConcurrentHashMap<>();
    private final LiveRuleset ruleset;

    /** @param reports what the node's reporter has done so far (all zero when reporting is off) */
    EdgeMetrics(LiveRuleset ruleset, IntSupplier streams, Supplier<EvaluatorReporter.Stats> reports,
                Supplier<ExposureLog.Stats> exposures, Supplier<TrackingLog.Stats> tracking) {
        this.ruleset = ruleset;
        evaluations = Counter.builder().name("flagplane_evaluations_total")
                .help("Flag evaluations served, by environment, flag, variant and reason")
                .labelNames("environment", "flag", "variant", "reason").register(registry);
        propagation = Histogram.builder().name("flagplane_propagation_lag_seconds")
                .help("From a change's event time to this node applying it (after start-up catch-up)")
                .unit(Unit.SECONDS)
                .classicUpperBounds(0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
                .register(registry);
        httpErrors = Counter.builder().name("flagplane_evaluation_errors_total")
                .help("Evaluation requests answered with an error, by error code")
                .labelNames("code").register(registry);
        GaugeWithCallback.builder().name("flagplane_ruleset_flags").help("Flags in the ruleset, over all environments served")
                .callback(cb -> cb.call(ruleset.current().size())).register(registry);
        GaugeWithCallback.builder().name("flagplane_ruleset_generation").help("Changes applied since the node started")
                .callback(cb -> cb.call(ruleset.current().generation())).register(registry);
        GaugeWithCallback.builder().name("flagplane_ruleset_age_seconds")
                .help("Seconds since the newest change in the ruleset happened (its event time)")
                .unit(Unit.SECONDS).callback(cb -> {
                    Instant last = ruleset.tail().lastEventTime();
                    if (last != null) {
                        cb.call((System.currentTimeMillis() - last.toEpochMilli()) / 1000.0);
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("flagplane_ruleset_stale")
                .help("1 while the node serves a ruleset it cannot refresh (Kafka unreachable, the Kafka reader failed and"
                        + " restarting, or only a snapshot so far)")
                .callback(cb -> cb.call(ruleset.status().stale() ? 1 : 0)).register(registry);
        CounterWithCallback.builder().name("flagplane_ruleset_tail_restarts_total")
                .help("Restarts of the Kafka reader after an unexpected failure (each re-reads the ruleset from the beginning)")
                .callback(cb -> cb.call(ruleset.tail().health().restarts())).register(registry);
        GaugeWithCallback.builder().name("flagplane_ruleset_ready").help("1 once the node has a ruleset to serve")
                .callback(cb -> cb.call(ruleset.isReady() ? 1 : 0)).register(registry);
        GaugeWithCallback.builder().name("flagplane_consumer_lag_records")
                .help("Records on flag-state and segment-state not yet read by this node")
                .callback(cb -> cb.call(ruleset.status().lag())).register(registry);
        GaugeWithCallback.builder().name("flagplane_records_skipped").help("Records that could not be decoded, logged and skipped")
                .callback(cb -> cb.call(ruleset.tail().recordsSkipped())).register(registry);
        GaugeWithCallback.builder().name("flagplane_change_streams").help("Open change-stream (SSE) connections")
                .callback(cb -> cb.call(streams.getAsInt())).register(registry);
        CounterWithCallback.builder().name("flagplane_reports_sent_total")
                .help("Evaluator reports Kafka acknowledged on evaluator-reports")
                .callback(cb -> cb.call(reports.get().sent())).register(registry);
        CounterWithCallback.builder().name("flagplane_reports_dropped_total")
                .help("Evaluator reports dropped because Kafka was slow or away (evaluation is never held up for them)")
                .callback(cb -> cb.call(reports.get().dropped())).register(registry);
        CounterWithCallback.builder().name("flagplane_report_entries_dropped_total")
                .help("Applied versions and usage entries lost with dropped evaluator reports")
                .callback(cb -> cb.call(reports.get().droppedEntries())).register(registry);
        GaugeWithCallback.builder().name("flagplane_report_last_sent_timestamp_seconds")
                .help("When the last evaluator report Kafka acknowledged was made (Unix time)")
                .unit(Unit.SECONDS).callback(cb -> {
                    Instant last = reports.get().lastSentAt();
                    if (last != null) {
                        cb.call(last.toEpochMilli() / 1000.0);
                    }
                }).register(registry);
        CounterWithCallback.builder().name("flagplane_exposures_total")
                .help("Evaluations from a running experiment's split, by what became of them: logged (queued for"
                        + " flag-exposures), deduplicated (the user was logged within the window), dropped (buffer full),"
                        + " no_targeting_key (cannot be attributed)")
                .labelNames("outcome").callback(cb -> {
                    ExposureLog.Stats s = exposures.get();
                    cb.call(s.logged(), "logged");
                    cb.call(s.deduplicated(), "deduplicated");
                    cb.call(s.dropped(), "dropped");
                    cb.call(s.withoutTargetingKey(), "no_targeting_key");
                }).register(registry);
        CounterWithCallback.builder().name("flagplane_exposures_sent_total")
                .help("Exposures Kafka acknowledged on flag-exposures")
                .callback(cb -> cb.call(exposures.get().sent())).register(registry);
        CounterWithCallback.builder().name("flagplane_exposure_send_errors_total")
                .help("Exposures lost on the way to Kafka (slow or away, or a schema it could not register)")
                .callback(cb -> cb.call(exposures.get().sendErrors())).register(registry);
        CounterWithCallback.builder().name("flagplane_exposure_dedup_evictions_total")
                .help("Users forgotten by exposure de-duplication before their window ended, to make room (each may"
                        + " repeat an exposure; raise edge.exposures.dedup.capacity if this grows fast)")
                .callback(cb -> cb.call(exposures.get().dedupEvictions())).register(registry);
        CounterWithCallback.builder().name("flagplane_tracking_events_total")
                .help("Tracking events received, by what became of them: accepted (queued for tracking-events),"
                        + " dropped (buffer full: the request got 503), invalid (refused with 400)")
                .labelNames("outcome").callback(cb -> {
                    TrackingLog.Stats s = tracking.get();
                    cb.call(s.accepted(), "accepted");
                    cb.call(s.dropped(), "dropped");
                    cb.call(s.invalid(), "invalid");
                }).register(registry);
        CounterWithCallback.builder().name("flagplane_tracking_events_sent_total")
                .help("Tracking events Kafka acknowledged on tracking-events")
                .callback(cb -> cb.call(tracking.get().sent())).register(registry);
        CounterWithCallback.builder().name("flagplane_tracking_send_errors_total")
                .help("Tracking events lost on the way to Kafka after they were accepted")
                .callback(cb -> cb.call(tracking.get().sendErrors())).register(registry);
        ruleset.onStates(this::applied);
    }

    /** Counts one successful evaluation. */
    public void evaluated(String environment, String flag, Evaluation<?> result) {
        CounterDataPoint point = byResult.get(result);
        if (point == null) {
            if (byResult.size() > MAX_CACHED_RESULTS) {
                byResult.clear();   // old flag versions' results; their counters live on in the registry
            }
            point = evaluations.labelValues(environment, flag, result.variant() == null ? "" : result.variant(),
                    result.reason().name());
            byResult.put(result, point);
        }
        point.inc();
    }

    /** Counts one evaluation answered with an error. */
    public void failed(String code) {
        httpErrors.labelValues(code).inc();
    }

    private void applied(RulesetTail.StateBatch batch) {
        if (!ruleset.tail().isCaughtUp()) {
            return;   // the start-up read replays old changes; their age is not propagation lag
        }
        long now = System.currentTimeMillis();
        batch.flags().forEach(f -> observe(now, f.getLastChange().getOccurredAt()));
        batch.segments().forEach(s -> observe(now, s.getLastChange().getOccurredAt()));
    }

    private void observe(long now, Instant happened) {
        propagation.observe(Math.max(0, now - happened.toEpochMilli()) / 1000.0);
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
