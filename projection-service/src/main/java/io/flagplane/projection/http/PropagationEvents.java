package io.flagplane.projection.http;

import io.flagplane.contract.FlagRef;
import io.flagplane.projection.query.PropagationQueries;
import io.flagplane.projection.stream.SseConnections;
import io.flagplane.projection.telemetry.FoldSignal;
import io.flagplane.projection.telemetry.Propagation;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A flag version's propagation as server-sent events, for the console: a {@code progress} event
 * whenever the answer changes (a node applied it, turned stale or gone, or appeared), then one
 * {@code complete} event and the end of the stream; or {@code incomplete} when {@code maxDuration}
 * passes first. Each connection runs on a thread of its own, woken by the fold's
 * {@link FoldSignal} (and a short timer, see {@link PropagationQueries}); connections are capped
 * per instance.
 */
public final class PropagationEvents implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PropagationEvents.class);
    private static final String REQUEST = "flagplane.propagation-stream";
    private static final long RECHECK_MS = 250;

    /** The flag and the version followed, and the caller's credentials for asking other instances. */
    record Request(FlagRef flag, long version, String authorization) {
    }

    private final PropagationQueries queries;
    private final FoldSignal signal;
    private final SseConnections connections;
    private final Duration maxDuration;
    private final Duration heartbeat;

    public PropagationEvents(PropagationQueries queries, FoldSignal signal, int maxConnections, Duration maxDuration, Duration heartbeat) {
        this.queries = queries;
        this.signal = signal;
        this.connections = new SseConnections(LOG, "propagation stream", "propagation streams", "propagation-stream", maxConnections);
        this.maxDuration = maxDuration;
        this.heartbeat = heartbeat;
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
        long seen = signal.generation();
        String last = null;
        while (!client.terminated() && !connections.closed()) {
            Propagation answer = queries.now(request.flag(), request.version(), request.authorization());
            String json = TelemetryJson.propagation(answer).toString();
            if (answer.complete()) {
                client.sendEvent("complete", json, null);
                return;
            }
            String progress = progress(answer);
            if (!progress.equals(last)) {   // not on every heartbeat: only when who has it, or who is expected, changed
                client.sendEvent("progress", json, null);
                last = progress;
            }
            if (System.nanoTime() - end >= 0) {
                client.sendEvent("incomplete", json, null);
                return;
            }
            if (nextHeartbeat.due()) {
                client.sendComment("heartbeat");
            }
            seen = signal.awaitAfter(seen, RECHECK_MS);
        }
    }

    private static String progress(Propagation answer) {
        StringBuilder key = new StringBuilder().append(answer.applied()).append('/').append(answer.expected());
        for (Propagation.Node node : answer.nodes()) {
            key.append('|').append(node.entry().nodeId()).append(':').append(node.liveness()).append(':').append(node.pending());
        }
        return key.toString();
    }

    @Override
    public void close() {
        connections.close();
    }

    /** The propagation queries this stream and the {@code wait} parameter share. */
    public PropagationQueries queries() {
        return queries;
    }
}
