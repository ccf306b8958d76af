package io.flagplane.edge.http;

import io.flagplane.auth.Authenticator;
import io.flagplane.auth.Principal;
import io.flagplane.auth.Role;
import io.flagplane.auth.TokenRegistry;
import io.flagplane.edge.EdgeConfig;
import io.flagplane.edge.stream.ChangeFeed;
import io.flagplane.evaluation.ErrorCode;
import io.flagplane.ruleset.LiveRuleset;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Collection;
import java.util.TreeSet;

/**
 * What a request must pass before any OFREP or REST handler runs: it names an environment this
 * node serves (or the node's default), the change stream has room for it, and its token (when
 * authentication is on) may read that environment. The chosen environment is left on the context
 * for the handlers ({@link #environment(Context)}). Operations routes are open.
 */
final class EdgeAdmission {

    private static final String PRINCIPAL = "flagplane.principal";
    private static final String ENVIRONMENT = "flagplane.environment";

    private final EdgeConfig config;
    private final LiveRuleset ruleset;
    private final ChangeFeed feed;
    /** Remembers tokens already checked: a SHA-256 per request would be a measurable share of an evaluation. */
    private final Authenticator authenticator;

    /** @param tokens null when authentication is off */
    EdgeAdmission(EdgeConfig config, LiveRuleset ruleset, ChangeFeed feed, TokenRegistry tokens) {
        this.config = config;
        this.ruleset = ruleset;
        this.feed = feed;
        this.authenticator = tokens == null ? Authenticator.open() : Authenticator.of(tokens);
    }

    void register(RoutesConfig routes) {
        routes.before("/ofrep/*", this::admit);
        routes.before("/api/v1/*", this::admit);
        routes.before("/api/feature-flags/*", this::admit);
    }

    /** The environment {@link #admit} chose for this request. */
    static String environment(Context ctx) {
        return ctx.attribute(ENVIRONMENT);
    }

    /** Who {@link #admit} let in. */
    static Principal principal(Context ctx) {
        return ctx.attribute(PRINCIPAL);
    }

    /** Whether this node answers for the environment (with {@code *}: whether its ruleset holds anything there). */
    boolean serves(String environment) {
        return config.servesEveryEnvironment() ? ruleset.current().environments().contains(environment)
                : config.environments().contains(environment);
    }

    /**
     * The environments this node answers for: its configured list, or with {@code *} every
     * environment its ruleset holds flags or segments for (only declared environments take any).
     */
    Collection<String> servedEnvironments() {
        return config.servesEveryEnvironment() ? new TreeSet<>(ruleset.current().environments()) : config.environments();
    }

    /** Picks the environment and checks the token may read it; both before any handler runs. */
    private void admit(Context ctx) {
        if (ctx.path().equals("/api/v1/status")) {
            return;   // operations: like /health and /metrics, open to the infrastructure that watches the node
        }
        String requested = ctx.header(EdgeConfig.ENVIRONMENT_HEADER);
        if (requested == null || requested.isBlank()) {
            requested = ctx.queryParam("environment");
        }
        String environment = requested == null || requested.isBlank() ? config.defaultEnvironment() : requested.trim();
        if (environment == null) {
            throw new OfrepError(400, ErrorCode.GENERAL, "ENVIRONMENT_NOT_SERVED", "this node serves every environment; name"
                    + " one with the " + EdgeConfig.ENVIRONMENT_HEADER + " header or ?environment=");
        }
        if (!servedEnvironments().contains(environment)) {
            throw new OfrepError(400, ErrorCode.GENERAL, "ENVIRONMENT_NOT_SERVED", "this node does not serve environment '"
                    + EdgeErrors.abbreviate(environment) + "'; it serves " + servedEnvironments());
        }
        ctx.attribute(ENVIRONMENT, environment);
        if (ctx.path().equals("/ofrep/v1/events") && feed.full()) {
            throw new OfrepError(503, ErrorCode.GENERAL, "this node already serves its maximum of change streams; "
                    + "try another node or poll the bulk evaluation");
        }
        // OFREP clients may send the token as X-API-Key; "" marks that this API takes it
        String apiKey = ctx.header("X-API-Key");
        Principal principal = authenticator.authenticate(ctx.header("Authorization"), apiKey == null ? "" : apiKey);
        Authenticator.require(principal, Role.VIEWER, environment);
        ctx.attribute(PRINCIPAL, principal);
    }
}
