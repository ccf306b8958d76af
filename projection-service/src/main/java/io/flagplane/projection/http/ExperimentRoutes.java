package io.flagplane.projection.http;

import static io.flagplane.projection.http.HttpAccess.render;
import static io.flagplane.projection.http.HttpAccess.requireViewer;

import io.flagplane.projection.experiments.ExperimentStores;
import io.flagplane.projection.experiments.ExperimentTotals;
import io.flagplane.projection.query.ClusterExperiments;
import io.flagplane.projection.query.Names;
import io.flagplane.projection.query.QueryException;
import io.flagplane.projection.telemetry.TelemetryCodec;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The experiment routes: the environment's experiments, one experiment's definition and status,
 * its results now, as a time series and as server-sent events; plus the internal routes through
 * which instances hand each other their share of an experiment's totals and points. Same
 * authentication and error shapes as the rest of the projection's API.
 */
final class ExperimentRoutes {

    record Parts(ClusterExperiments cluster, ExperimentEvents events, Clock clock) {
    }

    private final Parts parts;

    private ExperimentRoutes(Parts parts) {
        this.parts = parts;
    }

    static void install(JavalinConfig config, Parts parts) {
        ExperimentRoutes api = new ExperimentRoutes(parts);
        var routes = config.routes;
        String experiments = "/api/v1/environments/{env}/experiments";
        routes.get(experiments, api::list);
        routes.get(experiments + "/{key}", api::experiment);
        routes.get(experiments + "/{key}/results", api::results);
        routes.get(experiments + "/{key}/results/timeseries", api::series);
        routes.before(experiments + "/{key}/results/stream", api::prepareStream);
        routes.sse(experiments + "/{key}/results/stream", parts.events()::open);
        routes.get("/internal/v1/environments/{env}/experiments/{key}/totals", api::totalsLocal);
        routes.get("/internal/v1/environments/{env}/experiments/{key}/points", api::pointsLocal);
    }

    private static String environment(Context ctx) {
        String environment = RequestInput.environment(ctx);
        requireViewer(ctx, environment);
        return environment;
    }

    private static String key(Context ctx) {
        return Names.experimentKey(ctx.pathParam("key"), "key");
    }

    private void list(Context ctx) {
        String environment = environment(ctx);
        render(ctx, 200, ExperimentJson.list(environment, parts.cluster().experiments(environment)));
    }

    private void experiment(Context ctx) {
        String environment = environment(ctx);
        ClusterExperiments.Answer answer = parts.cluster().answer(environment, key(ctx), ctx.header("Authorization"));
        render(ctx, 200, ExperimentJson.experiment(environment, answer.found()));
    }

    private void results(Context ctx) {
        String environment = environment(ctx);
        ClusterExperiments.Answer answer = parts.cluster().answer(environment, key(ctx), ctx.header("Authorization"));
        render(ctx, 200, ExperimentJson.results(environment, answer, parts.clock().instant()));
    }

    private void series(Context ctx) {
        String environment = environment(ctx);
        String key = key(ctx);
        ExperimentStores.Resolution resolution = resolution(ctx);
        String authorization = ctx.header("Authorization");
        ClusterExperiments.Answer answer = parts.cluster().answer(environment, key, authorization);
        List<ClusterExperiments.Point> points = new ArrayList<>(parts.cluster().series(environment, key, resolution, authorization));
        // points are written as stream time crosses a minute: the series ends with the totals as they are now
        points.add(new ClusterExperiments.Point(parts.clock().millis(), answer.totals()));
        render(ctx, 200, ExperimentJson.series(environment, key, resolution, answer.spec(), points));
    }

    /** Everything that can fail is checked here, before the stream's 200 goes out. */
    private void prepareStream(Context ctx) {
        String environment = environment(ctx);
        String key = key(ctx);
        String authorization = ctx.header("Authorization");
        parts.cluster().answer(environment, key, authorization);   // 404 now rather than an empty stream
        parts.events().admit(ctx, new ExperimentEvents.Request(environment, key, authorization));
    }

    private void totalsLocal(Context ctx) {
        String environment = environment(ctx);
        ExperimentTotals totals = parts.cluster().local().totalsLocal(environment, key(ctx));
        if (totals == null) {
            ctx.status(204);
            return;
        }
        render(ctx, 200, TelemetryCodec.JSON.valueToTree(totals));
    }

    private void pointsLocal(Context ctx) {
        String environment = environment(ctx);
        render(ctx, 200, TelemetryCodec.JSON.valueToTree(parts.cluster().local().pointsLocal(environment, key(ctx),
                resolution(ctx))));
    }

    /** {@code ?resolution=hour} (the default: every hour the experiment ran) or {@code minute} (the last 24 hours). */
    private static ExperimentStores.Resolution resolution(Context ctx) {
        String text = RequestInput.text(ctx, "resolution");
        if (text == null) {
            return ExperimentStores.Resolution.HOUR;
        }
        for (ExperimentStores.Resolution r : ExperimentStores.Resolution.values()) {
            if (r.name().toLowerCase(Locale.ROOT).equals(text)) {
                return r;
            }
        }
        throw QueryException.badParameter("resolution", "\"resolution\" is hour or minute, not '" + Names.abbreviate(text) + "'");
    }
}
