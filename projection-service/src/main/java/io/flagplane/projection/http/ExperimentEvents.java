package io.flagplane.projection.http;

import io.flagplane.projection.query.QueryException;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
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
    private final int maxConnections;
    private final Duration every;
    private final Duration maxDuration;
    private final Duration heartbeat;
    private final AtomicInteger open = new AtomicInteger();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** @param results the results' JSON for a request (as {@code GET …/results} answers it) */
    public ExperimentEvents(Function<Request, String> results, int maxConnections, Duration every, Duration maxDuration,
                            Duration heartbeat) {
        this.results = results;
        this.maxConnections = maxConnections;
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
        if (open.get() >= maxConnections) {
            throw QueryException.unavailable("this instance already serves " + maxConnections + " experiment result streams; try "
                    + "another instance or later");
        }
        ctx.attribute(REQUEST, request);
    }

    public int openConnections() {
        return open.get();
    }

    void open(SseClient client) {
        Request request = client.ctx().attribute(REQUEST);
        client.keepAlive();
        open.incrementAndGet();
        Thread thread = new Thread(() -> {
            try {
                run(client, request);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                if (!closed) {
                    LOG.warn("experiment results stream ended: {}", e.toString());
                }
            } finally {
                open.decrementAndGet();
                threads.remove(Thread.currentThread());
                client.close();
            }
        }, "experiment-results-stream");
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    private void run(SseClient client, Request request) throws InterruptedException {
        long end = System.nanoTime() + maxDuration.toNanos();
        long nextHeartbeat = System.nanoTime() + heartbeat.toNanos();
        String last = null;
        long sent = 0;
        while (!client.terminated() && !closed && System.nanoTime() - end < 0) {
            String json;
            try {
                json = results.apply(request);
            } catch (QueryException e) {
                json = null;   // unavailable for a moment (a rebalance, another instance away): the next look has it
            }
            if (json != null && !withoutClock(json).equals(last)) {
                client.sendEvent("results", json, String.valueOf(++sent));
                last = withoutClock(json);
                nextHeartbeat = System.nanoTime() + heartbeat.toNanos();
            } else if (System.nanoTime() - nextHeartbeat >= 0) {
                client.sendComment("heartbeat");
                nextHeartbeat = System.nanoTime() + heartbeat.toNanos();
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
        closed = true;
        for (Thread thread : threads) {
            try {
                thread.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
