package io.flagplane.edge.http;

import static io.flagplane.edge.http.JsonResponses.json;
import static io.flagplane.edge.http.JsonResponses.raw;
import static io.flagplane.edge.http.JsonResponses.render;

import io.flagplane.edge.EdgeMetrics;
import io.flagplane.edge.stream.ChangeFeed;
import io.flagplane.reporting.EvaluatorReporter;
import io.flagplane.reporting.EvaluatorTelemetry;
import io.flagplane.reporting.exposure.ExposureLog;
import io.flagplane.reporting.tracking.TrackingLog;
import io.flagplane.ruleset.LiveRuleset;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;

/**
 * Operations: {@code /health/live}, {@code /health/ready}, {@code /api/v1/status} and
 * {@code /metrics}, open (no environment, no token) to the infrastructure that watches the node;
 * and, when asked for, {@code POST /bench/bare}, a constant answer that measures the HTTP server alone.
 */
final class OperationsRoutes {

    private final LiveRuleset ruleset;
    private final EdgeMetrics metrics;
    private final ChangeFeed feed;
    private final EdgeAdmission admission;
    /** Null when reporting is off. */
    private final EvaluatorReporter reporter;
    private final EvaluatorTelemetry telemetry;
    private final boolean bare;

    OperationsRoutes(LiveRuleset ruleset, EdgeMetrics metrics, ChangeFeed feed, EdgeAdmission admission,
                     EvaluatorReporter reporter, EvaluatorTelemetry telemetry, boolean bare) {
        this.ruleset = ruleset;
        this.metrics = metrics;
        this.feed = feed;
        this.admission = admission;
        this.reporter = reporter;
        this.telemetry = telemetry;
        this.bare = bare;
    }

    void register(RoutesConfig routes) {
        routes.get("/health/live", ctx -> raw(ctx, 200, "{\"status\":\"UP\"}"));
        routes.get("/health/ready", this::ready);
        routes.get("/api/v1/status", this::status);
        routes.get("/metrics", this::metrics);
        if (bare) {
            routes.post("/bench/bare", ctx -> raw(ctx, 200,
                    "{\"key\":\"bare\",\"value\":true,\"reason\":\"STATIC\",\"variant\":\"on\",\"metadata\":{}}"));
        }
    }

    private void ready(Context ctx) {
        boolean ready = ruleset.isReady();
        raw(ctx, ready ? 200 : 503, "{\"status\":\"" + (ready ? "READY" : "STARTING") + "\",\"flags\":"
                + ruleset.current().size() + "}");
    }

    private void metrics(Context ctx) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        metrics.write(out);
        ctx.status(200).contentType(metrics.contentType()).result(out.toByteArray());
    }

    private void status(Context ctx) {
        LiveRuleset.Status status = ruleset.status();
        Instant last = ruleset.tail().lastEventTime();
        json(ctx, 200, render(gen -> {
            gen.writeStartObject();
            gen.writeBooleanField("ready", status.ready());
            gen.writeBooleanField("caughtUp", status.caughtUp());
            gen.writeBooleanField("fromSnapshot", status.fromSnapshot());
            gen.writeBooleanField("stale", status.stale());
            gen.writeStringField("staleSince", status.staleSince() == null ? null : status.staleSince().toString());
            gen.writeNumberField("tailRestarts", status.tailRestarts());
            gen.writeStringField("lastTailFailure", status.lastTailFailure());
            gen.writeNumberField("consumerLag", status.lag());
            gen.writeNumberField("flags", status.flags());
            gen.writeNumberField("generation", ruleset.current().generation());
            gen.writeStringField("lastChangeAt", last == null ? null : last.toString());
            gen.writeArrayFieldStart("environments");
            for (String environment : admission.servedEnvironments()) {
                gen.writeString(environment);
            }
            gen.writeEndArray();
            gen.writeNumberField("changeStreams", feed.connections());
            if (reporter == null) {
                gen.writeNullField("reporting");
            } else {
                EvaluatorReporter.Stats reports = reporter.stats();
                gen.writeObjectFieldStart("reporting");
                gen.writeStringField("nodeId", reporter.identity().nodeId());
                gen.writeNumberField("reportsSent", reports.sent());
                gen.writeNumberField("reportsDropped", reports.dropped());
                gen.writeStringField("lastReportAt", reports.lastSentAt() == null ? null : reports.lastSentAt().toString());
                gen.writeEndObject();
            }
            ExposureLog.Stats exposures = telemetry.exposures().stats();
            gen.writeObjectFieldStart("exposures");
            gen.writeBooleanField("enabled", telemetry.exposures().enabled());
            gen.writeNumberField("logged", exposures.logged());
            gen.writeNumberField("deduplicated", exposures.deduplicated());
            gen.writeNumberField("dropped", exposures.dropped());
            gen.writeNumberField("sent", exposures.sent());
            gen.writeNumberField("sendErrors", exposures.sendErrors());
            gen.writeEndObject();
            TrackingLog.Stats tracking = telemetry.tracking().stats();
            gen.writeObjectFieldStart("tracking");
            gen.writeBooleanField("enabled", telemetry.tracking().enabled());
            gen.writeNumberField("accepted", tracking.accepted());
            gen.writeNumberField("dropped", tracking.dropped());
            gen.writeNumberField("invalid", tracking.invalid());
            gen.writeNumberField("sent", tracking.sent());
            gen.writeNumberField("sendErrors", tracking.sendErrors());
            gen.writeEndObject();
            gen.writeEndObject();
        }));
    }
}
