package io.flagplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flagplane watch} against a small real HTTP server speaking the projection's event
 * stream, which drops the stream when the test says so and records the {@code Last-Event-ID}
 * (and query) each connection brings.
 */
class WatchResumesTest {

    @TempDir
    Path dir;

    private final List<String> lastEventIds = new CopyOnWriteArrayList<>();
    private final List<String> queries = new CopyOnWriteArrayList<>();
    private Javalin server;

    /** A projection whose n-th connection (from 0) is answered by {@code answer}. */
    private String projection(BiConsumer<Integer, Context> answer) {
        server = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.routes.addHttpHandler(HandlerType.GET, "/api/v1/events/stream", ctx -> {
                int n = lastEventIds.size();
                lastEventIds.add(String.valueOf(ctx.header("Last-Event-ID")));
                queries.add(String.valueOf(ctx.queryString()));
                answer.accept(n, ctx);
            });
        }).start("127.0.0.1", 0);
        return "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private Run watch(String projectionUrl, String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "watch";
        all[1] = "--projection-url";
        all[2] = projectionUrl;
        System.arraycopy(args, 0, all, 3, args.length);
        return Run.of(Map.of("HOME", dir.toString()), dir, all);
    }

    private static void send(Context ctx, String... events) {
        ctx.res().setContentType("text/event-stream");
        try {
            OutputStream out = ctx.res().getOutputStream();
            out.write(": flagplane event stream\n\n".getBytes(StandardCharsets.UTF_8));
            for (String event : events) {
                out.write(event.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        // returning ends the response: the stream drops
    }

    private static String change(String id, String key, long version) {
        return "event: change\nid: " + id + "\ndata: {\"environment\":\"production\",\"kind\":\"flag\",\"key\":\"" + key
                + "\",\"version\":" + version + ",\"type\":\"FlagKilled\",\"occurredAt\":\"2026-11-26T23:00:00.000Z\"}\n\n";
    }

    private static String heartbeat(String id) {
        return "event: heartbeat\nid: " + id + "\ndata: {\"at\":\"2026-11-26T23:00:01Z\"}\n\n";
    }

    @Test
    void a_dropped_stream_is_resumed_after_the_last_event_seen_so_none_is_missed_or_printed_twice() {
        String url = projection((n, ctx) -> {
            switch (n) {
                case 0 -> send(ctx, change("0.1", "a.flag", 1), change("0.2", "b.flag", 1), heartbeat("0.5"));
                // a projection that honours Last-Event-ID sends what came after it; one that does not would repeat a and b
                case 1 -> send(ctx, "0.5".equals(ctx.header("Last-Event-ID")) ? change("0.6", "c.flag", 1)
                        : change("0.1", "a.flag", 1) + change("0.2", "b.flag", 1) + change("0.6", "c.flag", 1));
                default -> send(ctx, change("0.7", "d.flag", 1));
            }
        });

        Run run = watch(url, "--count", "3", "--since", "2026-11-26T22:00:00Z");

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(lastEventIds).containsExactly("null", "0.5");
        assertThat(queries.get(0)).contains("since=2026-11-26T22%3A00%3A00Z");
        assertThat(queries.get(1)).as("a resumed stream starts from its Last-Event-ID, not from --since again").doesNotContain("since");
        assertThat(run.out().lines().toList()).hasSize(3);
        assertThat(run.out()).containsOnlyOnce("flag a.flag v1").containsOnlyOnce("flag b.flag v1").containsOnlyOnce("flag c.flag v1")
                .doesNotContain("d.flag");
        assertThat(run.err()).contains("stream lost (the projection-service at " + url + " closed the event stream), reconnecting…")
                .contains("event stream back after").contains("resuming after event 0.5");
    }

    @Test
    void a_stream_that_stays_unavailable_past_reconnect_for_exits_4_saying_why_and_where_to_resume() {
        String url = projection((n, ctx) -> {
            if (n == 0) {
                send(ctx, change("0.1", "a.flag", 1));
            } else {
                ctx.status(503).contentType("application/json")
                        .result("{\"error\":{\"code\":\"NOT_READY\",\"message\":\"the projection is restoring its stores\"}}");
            }
        });

        Run run = watch(url, "--reconnect-for", "1s");

        assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCode.UNREACHABLE);
        assertThat(run.out()).containsOnlyOnce("flag a.flag v1");
        assertThat(lastEventIds.size()).as("it tried again, more than once, within the second").isGreaterThan(2);
        assertThat(lastEventIds.subList(1, lastEventIds.size())).containsOnly("0.1");
        assertThat(run.err()).contains("reconnecting…")
                .contains("the event stream of the projection-service at " + url + " has been unavailable for")
                .contains("longer than --reconnect-for 1 s")
                .contains("last: projection-service answered 503 NOT_READY: the projection is restoring its stores")
                .contains("resume with: flagplane watch --last-event-id 0.1");
    }

    @Test
    void watch_resumes_after_the_id_it_is_given() {
        String url = projection((n, ctx) -> send(ctx, change("0.9", "e.flag", 2)));

        Run run = watch(url, "--last-event-id", "0.8", "--count", "1");

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(lastEventIds).containsExactly("0.8");
        assertThat(run.out()).contains("flag e.flag v2");
    }

    @Test
    void a_refusal_on_reconnecting_is_not_retried() {
        String url = projection((n, ctx) -> {
            if (n == 0) {
                send(ctx, change("0.1", "a.flag", 1));
            } else {
                ctx.status(400).contentType("application/json").result("{\"error\":{\"code\":\"BAD_PARAMETER\",\"message\":"
                        + "\"Last-Event-ID '0.1' names 1 partitions; flag-events has 3\",\"field\":\"Last-Event-ID\"}}");
            }
        });

        Run run = watch(url);

        assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCode.REFUSED);
        assertThat(lastEventIds).hasSize(2);
        assertThat(run.err()).contains("projection-service answered 400 BAD_PARAMETER: Last-Event-ID '0.1' names 1 partitions");
    }

    @Test
    void a_projection_that_cannot_be_reached_at_the_start_exits_4_at_once() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        long begin = System.nanoTime();
        Run run = watch("http://127.0.0.1:" + closed);

        assertThat(run.exit()).isEqualTo(ExitCode.UNREACHABLE);
        assertThat(run.err()).contains("cannot reach the projection-service at http://127.0.0.1:" + closed + ": connection refused")
                .doesNotContain("reconnecting");
        assertThat(System.nanoTime() - begin).as("no 60 s of retrying a URL that never answered").isLessThan(30_000_000_000L);
    }
}
