package io.flagplane.projection.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagplane.contract.PlanRef;
import io.flagplane.projection.guardrails.GuardrailStores;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Rollout plans from every instance. A plan, with its latest readings and its verdict series, lives
 * with the task that evaluates its guardrails; a question about one plan goes to that instance
 * ({@link #owner}), and a list asks every instance for the plans it holds, already rendered, and
 * merges them by key.
 */
public final class ClusterPlans {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PlanQueries local;
    private final Router router;

    public ClusterPlans(PlanQueries local, Router router) {
        this.local = local;
        this.router = router;
    }

    public PlanQueries local() {
        return local;
    }

    /** The instance holding the plan; empty when it is this one. */
    public Optional<HostInfo> owner(PlanRef plan) {
        return router.remoteOwner(GuardrailStores.PLANS, plan.eventKey());
    }

    public Router router() {
        return router;
    }

    /**
     * Every instance's plans of the environment, as {@code render} shows them here and the internal
     * route shows them there, ordered by key.
     *
     * @param render this instance's plans, rendered
     */
    public List<JsonNode> list(String environment, Function<String, List<JsonNode>> render, String authorization) {
        List<JsonNode> all = new ArrayList<>(render.apply(environment));
        for (HostInfo host : router.otherInstances(GuardrailStores.PLANS)) {
            Router.Forwarded answer = router.forward(host, "GET", listPath(environment), authorization, null);
            if (answer.status() != 200) {
                throw QueryException.unavailable("instance " + host.host() + ":" + host.port() + " answered " + answer.status()
                        + " for its rollout plans; retry in a moment");
            }
            try {
                JSON.readTree(answer.body()).forEach(all::add);
            } catch (IOException e) {
                throw QueryException.unavailable("instance " + host.host() + ":" + host.port() + " sent an unreadable list of plans");
            }
        }
        all.sort(Comparator.comparing(plan -> plan.path("key").asText()));
        return all;
    }

    /** The internal route that answers the plans one instance holds. */
    public static String listPath(String environment) {
        return "/internal/v1/environments/" + URLEncoder.encode(environment, StandardCharsets.UTF_8) + "/plans";
    }
}
