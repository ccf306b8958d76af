package io.flagplane.faults;

import java.time.Duration;

/**
 * Fault 4: every broker killed. Edges keep answering from their rulesets and say they are stale;
 * an edge restarted meanwhile answers from its snapshot; commands fail fast with 503; when the
 * brokers return everything recovers by itself (no restarts by the suite).
 */
final class BrokersDown {

    private BrokersDown() {
    }

    static void run(Context c) throws Exception {
        Report report = c.report;
        report.heading("4. Every broker down");
        String expected = c.edgeValue(c.cluster.url("edge-1"));
        long down = System.nanoTime();
        for (String broker : new String[] {"kafka-1", "kafka-2", "kafka-3"}) {
            c.cluster.kill9(broker);
        }
        report.figure("killed kafka-1, kafka-2, kafka-3 with SIGKILL; the probe flag's value before: %s", expected);

        boolean stale = c.await(() -> c.cluster.edgeUrls().stream().allMatch(e -> c.http.get(e + "/api/v1/status",
                Duration.ofSeconds(2)).json().path("stale").asBoolean(false)), Duration.ofSeconds(90));
        report.check(stale, "every edge's /api/v1/status said stale %.1f s after the brokers died",
                Context.ms(down, System.nanoTime()) / 1000);

        int served = serve(c, 300, expected);
        report.check(served == 300, "edges answered %d of 300 evaluations (100 a node) with the last value", served);

        String active = c.active(Duration.ofSeconds(1));
        Http.Response command = c.http.post((active != null ? active : c.cluster.url("command-a"))
                        + c.flagPath("production", c.probe) + "/kill", "{\"reason\":\"during the outage\"}",
                "f4-kill-" + c.run, Duration.ofSeconds(30));
        report.check(command.status() == 503 && command.nanos() < 10_000_000_000L,
                "a command during the outage: HTTP %d %s in %.0f ms", command.status(),
                command.json().path("error").path("code").asText(), command.nanos() / 1e6);

        long restarting = System.nanoTime();
        c.cluster.kill9("edge-2");
        c.cluster.start("edge-2");
        var status = c.http.get(c.cluster.url("edge-2") + "/api/v1/status", Context.SHORT).json();
        report.figure("edge-2 restarted during the outage, ready in %.1f s: fromSnapshot %s, stale %s, flags %s",
                Context.ms(restarting, System.nanoTime()) / 1000, status.path("fromSnapshot").asText(),
                status.path("stale").asText(), status.path("flags").asText());
        int restartedServed = 0;
        for (int i = 0; i < 100; i++) {
            restartedServed += expected != null && expected.equals(c.edgeValue(c.cluster.url("edge-2"))) ? 1 : 0;
        }
        report.check(restartedServed == 100, "the restarted edge-2 answered %d of 100 evaluations with the last value",
                restartedServed);

        long starting = System.nanoTime();
        c.cluster.start("kafka-1", "kafka-2", "kafka-3");
        long back = System.nanoTime();
        report.figure("brokers restarted and ready in %.1f s (outage %.1f s)", Context.ms(starting, back) / 1000,
                Context.ms(down, back) / 1000);

        boolean writes = c.await(() -> c.active(Duration.ofSeconds(1)) != null, Duration.ofSeconds(120));
        report.check(writes, "a command-service answered /health/ready 200 %.1f s after the brokers were ready",
                Context.ms(back, System.nanoTime()) / 1000);
        long changing = System.nanoTime();
        String want = "false".equals(expected) ? "true" : "false";
        Http.Response flip = c.flipProbe("true".equals(expected), "f4-after-" + c.run);
        double converged = c.edgesServe(want, changing, Duration.ofSeconds(120));
        report.check(flip.ok() && converged >= 0, "a change after the outage: HTTP %d; every edge served it %.0f ms "
                + "after it was sent (%.1f s after the brokers were ready)", flip.status(), converged,
                Context.ms(back, System.nanoTime()) / 1000);
        boolean fresh = c.await(() -> c.cluster.edgeUrls().stream().noneMatch(e -> c.http.get(e + "/api/v1/status",
                Duration.ofSeconds(2)).json().path("stale").asBoolean(true)), Duration.ofSeconds(60));
        report.check(fresh, "no edge says stale %.1f s after the brokers were ready",
                Context.ms(back, System.nanoTime()) / 1000);
        boolean projections = c.await(() -> c.cluster.projectionUrls().stream().allMatch(p -> c.http.get(p
                + "/health/ready", Duration.ofSeconds(2)).status() == 200), Duration.ofSeconds(120));
        report.check(projections, "both projections ready %.1f s after the brokers were ready",
                Context.ms(back, System.nanoTime()) / 1000);
    }

    private static int serve(Context c, int total, String expected) {
        int ok = 0;
        for (int i = 0; i < total; i++) {
            String edge = c.cluster.edgeUrls().get(i % 3);
            ok += expected != null && expected.equals(c.edgeValue(edge)) ? 1 : 0;
        }
        return ok;
    }
}
