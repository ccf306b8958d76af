package io.flagplane.projection.http;

import io.flagplane.projection.query.QueryException;
import io.flagplane.projection.stream.SseConnections;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import java.time.Duration;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An experiment's results as server-sent events, for a live dashboard: a {@code results} event
 * when the stream opens and then whenever the results change, at most once per {@code every}
 * (one second) per connection; heartbeat comments in between; the stream ends after
 * {@code maxDuration} (the client reconnects). The shape follows {@link PropagationEvents}: a
 * thread per connection, capped per instance, everything that can fail checked before the 200.
 * Unlike the propagation stream it is not woken by a fold signal: the analysis folds at up to
 * 100,000 records a second, and a dashboard wants a steady rate, not every change.
 */
public final class ExperimentEvents implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ExperimentEvents.class);
    private static final String REQUEST = "flagplane.experiment-stream";

    /** The experiment followed and the caller's credentials for asking other instances. */
    record Request(String environment, String experimentKey, String authorization) {
    }

    private final Function<Request, String> results;
    private final SseConnections connections;
    private final Duration every;
    private final Duration maxDuration;
    private final Duration heartbeat;

    /** @param results the results' JSON for a request (as {@code GET …/results} answers it) */
    public ExperimentEvents(Function<Request, String> results, int maxConnections, Duration every, Duration maxDuration,
                            Duration heartbeat) {
        this.results = results;
        this.connections = new SseConnections(LOG, "experiment results stream", "experiment result streams",
                "experiment-results-stream", maxConnections);
        this.every = every;
        this.maxDuration = maxDuration;
        this.heartbeat = heartbeat;
    }

    /** Results streams for the experiment routes: one look a second, {@code GET …/results}' JSON. */
    public static ExperimentEvents of(io.flagplane.projection.query.ClusterExperiments cluster, java.time.Clock clock, int maxConnections,
                                      Duration maxDuration, Duration heartbeat) {
        return new ExperimentEvents(request -> ExperimentJson.results(request.environment(),
                cluster.answer(request.environment(), request.experimentKey(), request.authorization()), clock.instant()).toString(),
                maxConnections, Duration.ofSeconds(1), maxDuration, heartbeat);
    }

    void admit(Context ctx, Request request) {
        connections.admit();
        ctx.attribute(REQUEST, request);
    }

    public int openConnections() {
        return connections.openConnections();
    }

    void open(SseClient client) {
        Request request = client.ctx().attribute(REQUEST);
        connections.start(client, () -> run(client, request));
    }

    private void run(SseClient client, Request request) throws InterruptedException {
        long end = System.nanoTime() + maxDuration.toNanos();
        SseConnections.Heartbeat nextHeartbeat = new SseConnections.Heartbeat(heartbeat);
        String last = null;
        long sent = 0;
        while (!client.terminated() && !connections.closed() && System.nanoTime() - end < 0) {
            String json;
            try {
                json = results.apply(request);
            } catch (QueryException e) {
                json = null;   // unavailable for a moment (a rebalance, another instance away): the next look has it
            }
            if (json != null && !withoutClock(json).equals(last)) {
                client.sendEvent("results", json, String.valueOf(++sent));
                last = withoutClock(json);
                nextHeartbeat.restart();
            } else if (nextHeartbeat.due()) {
                client.sendComment("heartbeat");
            }
            Thread.sleep(every.toMillis());   // the rate limit: one look per interval, not a wait for a condition
        }
    }

    /** The results without their {@code computedAt}, which changes on every look. */
    private static String withoutClock(String json) {
        return json.replaceFirst("\"computedAt\":\"[^\"]*\"", "");
    }

    @Override
    public void close() {
        connections.close();
    }
}
