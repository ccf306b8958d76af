package io.flagplane.edge;

import io.flagplane.auth.TokenRegistry;
import io.flagplane.edge.http.EdgeHttpApi;
import io.flagplane.edge.stream.ChangeFeed;
import io.flagplane.registry.CachingSchemaRegistryClient;
import io.flagplane.registry.RestSchemaRegistryClient;
import io.flagplane.ruleset.LiveRuleset;
import io.flagplane.settings.Settings;
import io.javalin.Javalin;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stateless evaluator node: keeps a {@link LiveRuleset} of the environments it serves
 * (tailing {@code flag-state} and {@code segment-state}, with an on-disk snapshot when configured)
 * and serves it over HTTP. Run as many as you like behind any load balancer; each answers
 * identically. When Kafka goes away it keeps serving what it has and says so; started while Kafka
 * is down, it serves its snapshot.
 */
public final class EdgeNode implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EdgeNode.class);

    private final EdgeConfig config;
    private final LiveRuleset ruleset;
    private final ChangeFeed feed;
    private final EdgeMetrics metrics;
    private final Javalin http;

    private EdgeNode(EdgeConfig config, boolean bareEndpoint) {
        this.config = config;
        var registry = new CachingSchemaRegistryClient(new RestSchemaRegistryClient(config.schemaRegistryUrl()));
        LiveRuleset.Options options = new LiveRuleset.Options(config.bootstrapServers(), config.topics(),
                config.rulesetEnvironments(), config.snapshotFile(), Duration.ofSeconds(5), Map.of());
        this.ruleset = new LiveRuleset(options, registry);
        this.feed = new ChangeFeed(ruleset, config.heartbeat(), config.maxStreams());
        this.metrics = new EdgeMetrics(ruleset, feed::connections);
        TokenRegistry tokens = config.authEnabled() ? TokenRegistry.load(config.tokensFile()) : null;
        if (tokens == null) {
            LOG.warn("authentication is OFF (edge.auth.enabled=false): anyone who can reach port {} evaluates every flag",
                    config.port());
        }
        this.http = EdgeHttpApi.create(config, ruleset, metrics, feed, tokens, bareEndpoint);
    }

    /** Starts tailing and serving; readiness turns true once there is a ruleset (read from Kafka, or a snapshot). */
    public static EdgeNode start(EdgeConfig config) {
        return start(config, false);
    }

    /** As {@link #start(EdgeConfig)}, optionally with the constant {@code /bench/bare} route for HTTP benchmarks. */
    public static EdgeNode start(EdgeConfig config, boolean bareEndpoint) {
        EdgeNode node = new EdgeNode(config, bareEndpoint);
        node.ruleset.start();
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
        return ruleset.isReady();
    }

    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return ruleset.awaitReady(timeout);
    }

    public LiveRuleset ruleset() {
        return ruleset;
    }

    public EdgeMetrics metrics() {
        return metrics;
    }

    public EdgeConfig config() {
        return config;
    }

    @Override
    public void close() {
        feed.close();
        http.stop();
        ruleset.close();
    }

    public static void main(String[] args) {
        EdgeNode node = start(EdgeConfig.from(Settings.fromEnvironment()));
        Runtime.getRuntime().addShutdownHook(new Thread(node::close, "edge-shutdown"));
    }
}
