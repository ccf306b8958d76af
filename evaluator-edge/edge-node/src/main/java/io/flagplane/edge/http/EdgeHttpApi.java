package io.flagplane.edge.http;

import io.flagplane.auth.TokenRegistry;
import io.flagplane.edge.EdgeConfig;
import io.flagplane.edge.EdgeMetrics;
import io.flagplane.edge.stream.ChangeFeed;
import io.flagplane.reporting.EvaluatorReporter;
import io.flagplane.reporting.EvaluatorTelemetry;
import io.flagplane.ruleset.LiveRuleset;
import io.javalin.Javalin;

/**
 * Builds the edge node's HTTP surface from its collaborators, one class per concern:
 * <ul>
 *   <li>{@link EdgeAdmission}: before any OFREP or REST handler, the environment, the change
 *       stream's capacity and the token;</li>
 *   <li>{@link OfrepRoutes}: OFREP single and bulk evaluation (ETag/304), configuration, change stream;</li>
 *   <li>{@link RestRoutes}: the seeds' simple REST ({@code /api/v1/check/{key}}, {@code /api/v1/features},
 *       seed 001's {@code /api/feature-flags/...});</li>
 *   <li>{@link TrackRoutes}: {@code POST /api/v1/track}, what users did, to {@code tracking-events};</li>
 *   <li>{@link OperationsRoutes}: health, status, metrics;</li>
 *   <li>{@link EdgeErrors}: the one place a failure becomes a status and a body;
 *       {@link JsonResponses}: how a success is written.</li>
 * </ul>
 * Handlers parse, evaluate against the current snapshot, log the exposures among the results, and
 * render; nothing here decides a flag.
 * Bad input is a 4xx in the protocol's error shape, never a 5xx.
 */
public final class EdgeHttpApi {

    static final long MAX_BODY_BYTES = 256 * 1024L;

    private EdgeHttpApi() {
    }

    /**
     * @param tokens   null when authentication is off
     * @param reporter null when reporting is off
     * @param telemetry exposure logging and tracking (each may be off)
     * @param bare     also serve {@code POST /bench/bare}, a constant answer that measures the HTTP server alone
     */
    public static Javalin create(EdgeConfig config, LiveRuleset ruleset, EdgeMetrics metrics, ChangeFeed feed,
                                 TokenRegistry tokens, EvaluatorReporter reporter, EvaluatorTelemetry telemetry,
                                 boolean bare) {
        ContextParser contexts = new ContextParser();
        EdgeAdmission admission = new EdgeAdmission(config, ruleset, feed, tokens);
        OfrepRoutes ofrep = new OfrepRoutes(ruleset, metrics, feed, contexts, telemetry.exposures());
        RestRoutes rest = new RestRoutes(ruleset, metrics, contexts, telemetry.exposures());
        TrackRoutes track = new TrackRoutes(telemetry.tracking(), admission);
        OperationsRoutes operations = new OperationsRoutes(ruleset, metrics, feed, admission, reporter, telemetry, bare);
        return Javalin.create(javalin -> {
            javalin.startup.showJavalinBanner = false;
            javalin.startup.showOldJavalinVersionWarning = false;
            javalin.http.maxRequestSize = MAX_BODY_BYTES;
            EdgeErrors.install(javalin);
            admission.register(javalin.routes);
            ofrep.register(javalin.routes);
            rest.register(javalin.routes);
            track.register(javalin.routes);
            operations.register(javalin.routes);
        });
    }
}
