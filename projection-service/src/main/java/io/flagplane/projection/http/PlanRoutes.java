package io.flagplane.projection.http;

import static io.flagplane.projection.http.HttpAccess.render;
import static io.flagplane.projection.http.HttpAccess.requireViewer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.avro.ReleaseSignal;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.contract.PlanRef;
import io.flagplane.contract.json.StateJson;
import io.flagplane.projection.plans.PlanJson;
import io.flagplane.projection.query.ClusterPlans;
import io.flagplane.projection.query.Names;
import io.flagplane.projection.query.QueryErrorCode;
import io.flagplane.projection.query.QueryException;
import io.flagplane.projection.query.Router;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The rollout-plan routes: the environment's plans, one plan as the projection's fold holds it with
 * its latest guardrail readings, and its recent verdict series (for the console's guardrail charts);
 * plus the internal route through which instances hand each other the plans they hold. A plan is
 * answered by the instance that evaluates it (one HTTP hop away at most). Same authentication and
 * error shapes as the rest of the projection's API.
 */
final class PlanRoutes {

    /** Signals a series holds by default: two hours at the default 10-second interval. */
    static final int DEFAULT_SIGNALS = 720;
    static final int MAX_SIGNALS = 5_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    record Parts(ClusterPlans cluster, Clock clock) {
    }

    private final Parts parts;

    private PlanRoutes(Parts parts) {
        this.parts = parts;
    }

    static void install(JavalinConfig config, Parts parts) {
        PlanRoutes api = new PlanRoutes(parts);
        var routes = config.routes;
        String plans = "/api/v1/environments/{env}/plans";
        routes.get(plans, api::list);
        routes.get(plans + "/{key}", ctx -> api.perPlan(ctx, api::plan));
        routes.get(plans + "/{key}/signals", ctx -> api.perPlan(ctx, api::signals));
        routes.get("/internal/v1/environments/{env}/plans", api::listLocal);
    }

    private static String environment(Context ctx) {
        String environment = RequestInput.environment(ctx);
        requireViewer(ctx, environment);
        return environment;
    }

    private static PlanRef plan(Context ctx, String environment) {
        return new PlanRef(environment, Names.planKey(ctx.pathParam("key"), "key"));
    }

    private void list(Context ctx) {
        String environment = environment(ctx);
        ObjectNode body = JSON.createObjectNode().put("environment", environment);
        ArrayNode plans = body.putArray("plans");
        parts.cluster().list(environment, this::renderLocal, ctx.header("Authorization")).forEach(plans::add);
        render(ctx, 200, body);
    }

    private void listLocal(Context ctx) {
        ArrayNode plans = JSON.createArrayNode();
        renderLocal(environment(ctx)).forEach(plans::add);
        render(ctx, 200, plans);
    }

    /** The plans held here, each with its latest signal. */
    private List<JsonNode> renderLocal(String environment) {
        List<JsonNode> out = new ArrayList<>();
        for (RolloutPlanState state : parts.cluster().local().plansLocal(environment)) {
            out.add(withSignal(state, parts.cluster().local().latestSignalLocal(new PlanRef(environment, state.getKey()))));
        }
        return out;
    }

    private static ObjectNode withSignal(RolloutPlanState state, Optional<ReleaseSignal> signal) {
        ObjectNode node = StateJson.plan(state);
        node.set("guardrailSignal", signal.<JsonNode>map(s -> PlanJson.signal(s, state.getDefinition())).orElse(null));
        return node;
    }

    private interface PlanQuery {
        JsonNode answer(Context ctx, PlanRef plan);
    }

    /** Answers here when this instance evaluates the plan, else passes the request to the one that does. */
    private void perPlan(Context ctx, PlanQuery query) {
        PlanRef plan = plan(ctx, environment(ctx));
        if (ctx.header(Router.FORWARDED) == null) {
            Optional<HostInfo> owner = parts.cluster().owner(plan);
            if (owner.isPresent()) {
                Router.Forwarded answer = parts.cluster().router().forward(owner.get(), "GET", ctx.path() + query(ctx),
                        ctx.header("Authorization"), null);
                ctx.status(answer.status()).contentType(answer.contentType()).result(answer.body());
                return;
            }
        }
        render(ctx, 200, query.answer(ctx, plan));
    }

    private RolloutPlanState state(PlanRef plan) {
        return parts.cluster().local().planLocal(plan).orElseThrow(() -> QueryException.notFound(QueryErrorCode.PLAN_NOT_FOUND,
                "there is no rollout plan '" + plan.key() + "' in environment " + plan.environment()));
    }

    private JsonNode plan(Context ctx, PlanRef plan) {
        return withSignal(state(plan), parts.cluster().local().latestSignalLocal(plan));
    }

    /** {@code ?since=} (default: two hours ago) and {@code ?limit=} (default 720, the newest kept). */
    private JsonNode signals(Context ctx, PlanRef plan) {
        RolloutPlanState state = state(plan);
        Instant since = RequestInput.instant(ctx, "since");
        if (since == null) {
            since = parts.clock().instant().minus(Duration.ofHours(2));
        }
        int limit = limit(ctx);
        ObjectNode body = JSON.createObjectNode().put("environment", plan.environment()).put("key", plan.key())
                .put("status", state.getStatus().name()).put("since", since.toString());
        ArrayNode signals = body.putArray("signals");
        for (ReleaseSignal signal : parts.cluster().local().signalsLocal(plan, since.toEpochMilli(), limit)) {
            signals.add(PlanJson.signal(signal, state.getDefinition()));
        }
        return body;
    }

    private static int limit(Context ctx) {
        String text = RequestInput.text(ctx, "limit");
        if (text == null) {
            return DEFAULT_SIGNALS;
        }
        int limit;
        try {
            limit = text.length() > 9 ? -1 : Integer.parseInt(text);
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > MAX_SIGNALS) {
            throw QueryException.badParameter("limit", "\"limit\" must be a whole number from 1 to " + MAX_SIGNALS + ", not '"
                    + Names.abbreviate(text) + "'");
        }
        return limit;
    }

    /** The query string as parsed, encoded again (see ProjectionHttpApi's forwarding). */
    private static String query(Context ctx) {
        StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        ctx.queryParamMap().forEach((name, values) -> values.forEach(value -> query.add(encode(name) + "=" + encode(value))));
        return query.toString();
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
