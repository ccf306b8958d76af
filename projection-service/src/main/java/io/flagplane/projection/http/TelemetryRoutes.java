package io.flagplane.projection.http;

import static io.flagplane.projection.http.HttpAccess.principal;
import static io.flagplane.projection.http.HttpAccess.readable;
import static io.flagplane.projection.http.HttpAccess.render;
import static io.flagplane.projection.http.HttpAccess.requireViewer;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.auth.Principal;
import io.flagplane.auth.Role;
import io.flagplane.avro.FlagState;
import io.flagplane.contract.FlagRef;
import io.flagplane.projection.lifecycle.Lifecycle;
import io.flagplane.projection.query.ClusterTelemetry;
import io.flagplane.projection.query.PropagationQueries;
import io.flagplane.projection.query.QueryErrorCode;
import io.flagplane.projection.query.QueryException;
import io.flagplane.projection.telemetry.EvaluatorEntry;
import io.flagplane.projection.telemetry.Propagation;
import io.flagplane.projection.telemetry.TelemetryCodec;
import io.flagplane.projection.telemetry.UsageEntry;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The routes answered from evaluator reports: propagation of a flag version (now, within a wait,
 * or as server-sent events), the evaluators, a flag's usage and lifecycle status, and flags by
 * status; plus the internal routes through which instances hand each other their shares. Same
 * authentication and error shapes as the rest of the projection's API (installed by
 * {@link ProjectionHttpApi}); every parameter is parsed by {@link TelemetryInput} first.
 */
final class TelemetryRoutes {

    /** What the routes work with; {@code maxWait} bounds the {@code wait} parameter. */
    record Parts(ClusterTelemetry cluster, PropagationQueries propagation, PropagationEvents events, Duration maxWait) {
    }

    private final Parts parts;

    private TelemetryRoutes(Parts parts) {
        this.parts = parts;
    }

    static void install(JavalinConfig config, Parts parts) {
        TelemetryRoutes api = new TelemetryRoutes(parts);
        var routes = config.routes;
        String env = "/api/v1/environments/{env}";
        routes.get(env + "/flags/{key}/propagation", api::propagation);
        routes.before(env + "/flags/{key}/propagation/stream", api::prepareStream);
        routes.sse(env + "/flags/{key}/propagation/stream", parts.events()::open);
        routes.get("/api/v1/evaluators", ctx -> api.evaluators(ctx, null));
        routes.get(env + "/evaluators", ctx -> api.evaluators(ctx, RequestInput.environment(ctx)));
        routes.get(env + "/flags/{key}/usage", api::usage);
        routes.get(env + "/flags", api::flagsByStatus);
        routes.get(ClusterTelemetry.EVALUATORS_PATH, api::evaluatorsLocal);
        routes.get("/internal/v1/environments/{env}/flags/{key}/applied", api::appliedLocal);
        routes.get("/internal/v1/environments/{env}/flags/{key}/version", api::versionLocal);
        routes.get("/internal/v1/environments/{env}/usage", api::usageLocal);
    }

    private static FlagRef flag(Context ctx) {
        FlagRef flag = new FlagRef(RequestInput.environment(ctx), RequestInput.flagKey(ctx));
        requireViewer(ctx, flag.environment());
        return flag;
    }

    // ------------------------------------------------------------------ propagation

    private void propagation(Context ctx) throws InterruptedException {
        FlagRef flag = flag(ctx);
        Long version = RequestInput.positiveLong(ctx, "version");
        Duration wait = TelemetryInput.wait(ctx, parts.maxWait());
        String authorization = ctx.header("Authorization");
        Propagation answer = wait.isZero() ? parts.propagation().now(flag, version, authorization)
                : parts.propagation().await(flag, version, wait, authorization);
        render(ctx, 200, TelemetryJson.propagation(answer));
    }

    /** Everything that can fail is checked here, before the stream's 200 goes out. */
    private void prepareStream(Context ctx) {
        FlagRef flag = flag(ctx);
        Long version = RequestInput.positiveLong(ctx, "version");
        String authorization = ctx.header("Authorization");
        // the stream follows one version: the one asked for, else the current one when it opens
        long followed = version != null ? version : parts.cluster().version(flag, null, authorization).version();
        parts.events().admit(ctx, new PropagationEvents.Request(flag, followed, authorization));
    }

    // ------------------------------------------------------------------ evaluators

    private void evaluators(Context ctx, String environment) {
        Predicate<EvaluatorEntry> visible;
        if (environment != null) {
            requireViewer(ctx, environment);
            visible = node -> node.serves(environment);
        } else {
            Principal principal = principal(ctx);
            Predicate<String> readable = readable(ctx);
            // a node serving every environment is shown to those who may read every environment
            visible = node -> node.environments().stream().anyMatch(e -> e.equals(Principal.ANY_ENVIRONMENT)
                    ? principal.may(Role.VIEWER, Principal.ANY_ENVIRONMENT) : readable.test(e));
        }
        List<EvaluatorEntry> nodes = parts.cluster().evaluators(ctx.header("Authorization")).stream().filter(visible).toList();
        render(ctx, 200, TelemetryJson.evaluators(nodes, parts.propagation().rules(), parts.propagation().clock().instant(),
                environment));
    }

    // ------------------------------------------------------------------ usage and lifecycle

    private void usage(Context ctx) {
        FlagRef flag = flag(ctx);
        FlagState state = parts.cluster().flag(flag).orElseThrow(() -> QueryException.notFound(QueryErrorCode.FLAG_NOT_FOUND,
                "there is no " + flag.describe()));
        UsageEntry usage = parts.cluster().usage(flag.environment(), flag.key(), ctx.header("Authorization")).get(flag.key());
        Instant now = parts.propagation().clock().instant();
        render(ctx, 200, TelemetryJson.usage(state, usage, Lifecycle.of(state, usage, now), now));
    }

    private void flagsByStatus(Context ctx) {
        String environment = RequestInput.environment(ctx);
        requireViewer(ctx, environment);
        Lifecycle.Status wanted = TelemetryInput.status(ctx);
        Map<String, UsageEntry> usage = parts.cluster().usage(environment, null, ctx.header("Authorization"));
        Instant now = parts.propagation().clock().instant();
        List<TelemetryJson.Row> rows = new ArrayList<>();
        for (FlagState flag : parts.cluster().flags(environment)) {
            if (flag.getArchived()) {
                continue;   // out of the lifecycle
            }
            UsageEntry entry = usage.get(flag.getFlagKey());
            Lifecycle.Verdict verdict = Lifecycle.of(flag, entry, now);
            if (wanted == null || verdict.status() == wanted) {
                rows.add(new TelemetryJson.Row(flag, entry, verdict));
            }
        }
        render(ctx, 200, TelemetryJson.flags(environment, wanted, rows));
    }

    // ------------------------------------------------------------------ internal: this instance's shares

    private void evaluatorsLocal(Context ctx) {
        principal(ctx);
        share(ctx, parts.cluster().local().evaluatorsLocal());
    }

    private void appliedLocal(Context ctx) throws InterruptedException {
        FlagRef flag = flag(ctx);
        Long version = RequestInput.positiveLong(ctx, "version");
        if (version == null) {
            throw QueryException.badParameter("version", "give the version, e.g. ?version=7");
        }
        Duration wait = TelemetryInput.wait(ctx, parts.maxWait());   // another instance's propagation wait
        share(ctx, parts.propagation().awaitLocalShare(flag, version, wait));
    }

    private void versionLocal(Context ctx) {
        FlagRef flag = flag(ctx);
        ClusterTelemetry.VersionInfo info = parts.cluster().versionLocal(flag, RequestInput.positiveLong(ctx, "version"));
        render(ctx, 200, TelemetryCodec.JSON.createObjectNode().put("version", info.version())
                .put("occurredAt", info.occurredAt().toString()));
    }

    private void usageLocal(Context ctx) {
        String environment = RequestInput.environment(ctx);
        requireViewer(ctx, environment);
        String flag = RequestInput.text(ctx, "flag");
        if (flag != null) {
            io.flagplane.projection.query.Names.flagKey(flag, "flag");
        }
        share(ctx, parts.cluster().local().usageLocal(environment, flag));
    }

    private static void share(Context ctx, Object records) {
        JsonNode body = TelemetryCodec.JSON.valueToTree(records);
        render(ctx, 200, body);
    }
}
