package io.flagplane.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A server-sent-event stream that outlives a drop: when it breaks or the service closes it, it
 * reconnects with backoff and resumes with {@code Last-Event-ID} (the id of the last event it
 * handed on, heartbeats included), so nothing is missed and nothing is handed on twice. It gives
 * up — exit 4 — once the stream has stayed unavailable for longer than {@code reconnectFor}.
 *
 * <p>Only a stream that was open once is resumed: a first connection that fails is the user's
 * URL or token being wrong far more often than a restart, and fails at once.
 */
final class ResumableStream {

    /** The waits between attempts: {@code first}, doubled each time, at most {@code max}. */
    record Backoff(Duration first, Duration max) {
        static final Backoff DEFAULT = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(5));
    }

    private final Api api;
    private final Api.Service service;
    private final String path;
    private final String since;
    private final Duration reconnectFor;
    private final Backoff backoff;
    private final Consumer<String> say;
    private String lastEventId;

    /**
     * @param path   the stream's path and filters, without {@code since}
     * @param since  where the first connection starts ({@code since=}), or null for "from now"
     * @param say    where the reconnection notices go (stderr)
     */
    ResumableStream(Api api, Api.Service service, String path, String since, Duration reconnectFor, Backoff backoff,
                    Consumer<String> say) {
        this.api = api;
        this.service = service;
        this.path = path;
        this.since = since;
        this.reconnectFor = reconnectFor;
        this.backoff = backoff;
        this.say = say;
    }

    /** Starts after this event id (an earlier watch's), as a reconnection would. */
    ResumableStream resumingAfter(String eventId) {
        this.lastEventId = eventId;
        return this;
    }

    /** The id of the last event handed on, or null before the first. */
    String lastEventId() {
        return lastEventId;
    }

    /** Hands every event to {@code onEvent} until it throws, the thread is interrupted, or the stream is gone for good. */
    void run(Consumer<Map<String, String>> onEvent) {
        boolean everOpen = false;
        Instant firstOpenedAt = null;
        long outageStart = -1;
        Duration wait = backoff.first();
        while (!Thread.currentThread().isInterrupted()) {
            boolean[] opened = {false};
            long lostAt = outageStart;
            Instant attemptAt = Instant.now();
            CliException failure;
            try {
                api.stream(service, target(firstOpenedAt), lastEventId == null ? Map.of() : Map.of("Last-Event-ID", lastEventId),
                        () -> {
                            opened[0] = true;
                            if (lostAt >= 0) {
                                say.accept("flagplane: event stream back after " + Durations.human(Duration.ofNanos(System.nanoTime() - lostAt))
                                        + (lastEventId == null ? "" : "; resuming after event " + lastEventId));
                            }
                        },
                        event -> {
                            onEvent.accept(event);
                            if (event.containsKey("id")) {
                                lastEventId = event.get("id");
                            }
                        });
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                failure = new CliException(ExitCode.UNREACHABLE, api.label(service) + " closed the event stream");
            } catch (ApiException e) {
                if (!everOpen || e.status() < 500) {
                    throw e;    // a refusal (a 4xx, e.g. a Last-Event-ID it no longer knows) is not fixed by trying again
                }
                failure = e;
            } catch (CliException e) {
                if ((!everOpen && !opened[0]) || e.exitCode() != ExitCode.UNREACHABLE) {
                    throw e;
                }
                failure = e;
            }
            if (opened[0]) {
                if (firstOpenedAt == null) {
                    firstOpenedAt = attemptAt;
                }
                everOpen = true;
                outageStart = -1;
                wait = backoff.first();
            }
            long now = System.nanoTime();
            if (outageStart < 0) {
                outageStart = now;
                say.accept("flagplane: stream lost (" + failure.getMessage() + "), reconnecting…");
            }
            long left = reconnectFor.toNanos() - (now - outageStart);
            if (left <= 0) {
                throw new CliException(ExitCode.UNREACHABLE, "the event stream of " + api.label(service) + " has been unavailable for "
                        + Durations.human(Duration.ofNanos(now - outageStart)) + ", longer than --reconnect-for " + Durations.human(reconnectFor)
                        + "; last: " + failure.getMessage()
                        + (lastEventId == null ? "" : " — resume with: flagplane watch --last-event-id " + lastEventId), failure);
            }
            try {
                // the backoff between reconnects: nothing to wait on but time (the projection is unreachable),
                // and never past the --reconnect-for deadline
                Thread.sleep(Math.min(wait.toMillis(), Math.max(1, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            wait = wait.multipliedBy(2).compareTo(backoff.max()) > 0 ? backoff.max() : wait.multipliedBy(2);
        }
    }

    /**
     * The request's path: after an event it resumes with {@code Last-Event-ID} alone; before any,
     * from {@code since} or from the moment the first connection was made (nothing has been handed
     * on yet, so nothing can come twice).
     */
    private String target(Instant firstOpenedAt) {
        String start = lastEventId != null ? null : since != null ? since : firstOpenedAt == null ? null : firstOpenedAt.toString();
        if (start == null) {
            return path;
        }
        return path + (path.contains("?") ? "&" : "?") + "since=" + Api.enc(start);
    }
}
