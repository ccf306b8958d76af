package io.flagplane.edge;

import io.flagplane.edge.http.EdgeHttpApi;
import io.flagplane.registry.CachingSchemaRegistryClient;
import io.flagplane.registry.RestSchemaRegistryClient;
import io.flagplane.ruleset.RulesetTail;
import io.flagplane.ruleset.RulesetStore;
import io.flagplane.settings.Settings;
import io.javalin.Javalin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stateless evaluator node: tails {@code flag-state} into a ruleset and serves it over HTTP.
 * Run as many as you like behind any load balancer; each answers identically.
 */
public final class EdgeNode implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EdgeNode.class);

    private final EdgeConfig config;
    private final RulesetStore store = new RulesetStore();
    private final RulesetTail tail;
    private final Javalin http;

    private EdgeNode(EdgeConfig config) {
        this.config = config;
        var registry = new CachingSchemaRegistryClient(new RestSchemaRegistryClient(config.schemaRegistryUrl()));
        this.tail = new RulesetTail(RulesetTail.Settings.of(config.bootstrapServers(), config.topics(),
                java.util.Set.copyOf(config.environments())), registry, store);
        this.http = EdgeHttpApi.create(config, store::current, tail::isCaughtUp);
    }

    /** Starts tailing and serving; readiness turns true once the ruleset has caught up. */
    public static EdgeNode start(EdgeConfig config) {
        EdgeNode node = new EdgeNode(config);
        node.tail.start();
        node.http.start(config.host(), config.port());
        LOG.info("edge node serving {} on port {}", config.environments(), node.port());
        return node;
    }

    public int port() {
        return http.port();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    public boolean isReady() {
        return tail.isCaughtUp();
    }

    public RulesetTail tail() {
        return tail;
    }

    public RulesetStore ruleset() {
        return store;
    }

    public EdgeConfig config() {
        return config;
    }

    @Override
    public void close() {
        http.stop();
        tail.close();
    }

    public static void main(String[] args) {
        EdgeNode node = start(EdgeConfig.from(Settings.fromEnvironment()));
        Runtime.getRuntime().addShutdownHook(new Thread(node::close, "edge-shutdown"));
    }
}
