package io.flagplane.edge.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.contract.FlagRef;
import io.flagplane.ruleset.LiveRuleset;
import io.javalin.http.sse.SseClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live updates for clients of this node, over server-sent events. Two formats:
 * <ul>
 *   <li>{@code ofrep} (the default): OFREP's change notification, {@code event: message} with
 *       {@code {"type": "refetchEvaluation", "lastModified": <unix seconds>, "flags": [...]}} —
 *       OFREP providers re-fetch their bulk evaluation and ignore the extra {@code flags};</li>
 *   <li>{@code flags}: {@code event: flagsChanged} with the environment and the changed keys, for
 *       clients that re-evaluate only those.</li>
 * </ul>
 * A message goes out for every ruleset change that touches the client's environment (a changed
 * segment counts as a change to every flag that uses it). Each carries the ruleset generation as
 * its id; a client reconnecting with an older {@code Last-Event-ID} is told to re-fetch at once.
 * Comments keep idle connections open. Sending happens on a thread of the feed's own, never on
 * the thread that applies Kafka records.
 */
public final class ChangeFeed implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    public enum Format {
        OFREP, FLAGS
    }

    private record Subscriber(SseClient client, String environment, Format format) {
    }

    private final LiveRuleset ruleset;
    private final int maxConnections;
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> daemon(r, "change-feed"));
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "change-feed-heartbeat"));

    public ChangeFeed(LiveRuleset ruleset, Duration heartbeat, int maxConnections) {
        this.ruleset = ruleset;
        this.maxConnections = maxConnections;
        ruleset.onChange(this::changed);
        heartbeats.scheduleAtFixedRate(this::heartbeat, heartbeat.toMillis(), heartbeat.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }

    public int connections() {
        return subscribers.size();
    }

    public boolean full() {
        return subscribers.size() >= maxConnections;
    }

    /** Starts streaming to {@code client}; a {@code lastEventId} behind the current generation gets a re-fetch at once. */
    public void open(SseClient client, String environment, Format format, String lastEventId) {
        client.keepAlive();
        Subscriber subscriber = new Subscriber(client, environment, format);
        subscribers.add(subscriber);
        client.onClose(() -> subscribers.remove(subscriber));
        long generation = ruleset.current().generation();
        sender.execute(() -> {
            client.sendComment("flagplane change stream for " + environment + "; generation " + generation);
            if (lastEventId != null && !lastEventId.equals(Long.toString(generation))) {
                send(subscriber, List.of(), generation, true);
            }
        });
    }

    private void changed(List<FlagRef> refs) {
        Map<String, Set<String>> byEnvironment = new LinkedHashMap<>();
        for (FlagRef ref : refs) {
            byEnvironment.computeIfAbsent(ref.environment(), e -> new LinkedHashSet<>()).add(ref.key());
        }
        long generation = ruleset.current().generation();
        if (subscribers.isEmpty()) {
            return;
        }
        sender.execute(() -> {
            for (Subscriber subscriber : subscribers) {
                Set<String> flags = byEnvironment.get(subscriber.environment());
                if (flags != null) {
                    send(subscriber, new ArrayList<>(flags), generation, false);
                }
            }
        });
    }

    private void send(Subscriber subscriber, List<String> flags, long generation, boolean resumed) {
        ObjectNode data = JSON.createObjectNode();
        Instant last = ruleset.tail().lastEventTime();
        if (subscriber.format() == Format.OFREP) {
            data.put("type", "refetchEvaluation");
            if (last != null) {
                data.put("lastModified", last.getEpochSecond());
            }
            flags.forEach(data.putArray("flags")::add);
            subscriber.client().sendEvent("message", data.toString(), Long.toString(generation));
        } else {
            data.put("type", "flagsChanged");
            data.put("environment", subscriber.environment());
            ArrayNode changed = data.putArray("flags");
            flags.forEach(changed::add);
            data.put("all", resumed);
            data.put("generation", generation);
            if (last != null) {
                data.put("lastModified", last.getEpochSecond());
            }
            subscriber.client().sendEvent("flagsChanged", data.toString(), Long.toString(generation));
        }
    }

    private void heartbeat() {
        sender.execute(() -> {
            for (Subscriber subscriber : subscribers) {
                if (subscriber.client().terminated()) {
                    subscribers.remove(subscriber);
                } else {
                    subscriber.client().sendComment("heartbeat " + Instant.now());
                }
            }
        });
    }

    @Override
    public void close() {
        heartbeats.shutdownNow();
        sender.shutdown();
        try {
            sender.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Subscriber subscriber : subscribers) {
            try {
                subscriber.client().close();
            } catch (RuntimeException e) {
                LOG.debug("closing a change stream: {}", e.toString());
            }
        }
        subscribers.clear();
    }
}
