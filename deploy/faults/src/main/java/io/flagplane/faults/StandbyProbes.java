package io.flagplane.faults;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * Fault 7's standby family: hostile requests sent to the <em>standby</em> command-service, which a
 * load balancer may route to at any time. The standby must refuse every write before it
 * authenticates or parses (503 {@code WRITER_STANDBY}), so a wrong token gets 503 too, never 401 —
 * and it must answer quickly (no hang), never with another 5xx, and write nothing: the end offsets
 * of {@code flag-events} do not move while only the standby is probed. The rest of fault 7 (the
 * hostile-input suite against the active services) runs from {@code faults.sh}.
 */
final class StandbyProbes {

    private record Probe(String name, String method, String path, byte[] body) {
    }

    private StandbyProbes() {
    }

    static void run(Context c) {
        Report report = c.report;
        report.heading("7. Hostile input at the standby command-service");
        String active = c.active(Duration.ofSeconds(30));
        if (active == null) {
            report.check(false, "no writer answered /health/ready in 30 s; the standby cannot be told apart");
            return;
        }
        String standby = c.other(active);
        Map<TopicPartition, Long> before = c.log.endOffsets();
        byte[] big = new byte[3 * 1024 * 1024];
        Arrays.fill(big, (byte) 'x');
        String flags = c.flagPath("production", null);
        List<Probe> probes = List.of(
                new Probe("malformed JSON", "POST", flags, bytes("{\"key\": ")),
                new Probe("empty body", "POST", flags, bytes("")),
                new Probe("undeclared environment", "POST", c.flagPath("nowhere", null),
                        bytes("{\"key\":\"a.b\",\"type\":\"boolean\"}")),
                new Probe("a valid create", "POST", flags, bytes("{\"key\":\"standby.probe-" + c.run + "\",\"type\":\"boolean\"}")),
                new Probe("a kill", "POST", c.flagPath("production", c.probe) + "/kill", bytes("{\"reason\":\"standby probe\"}")),
                new Probe("wrong method", "DELETE", flags, null),
                new Probe("change set of the wrong shape", "POST", "/api/v1/changesets", bytes("{\"commands\": {\"not\": \"a list\"}}")),
                new Probe("a 3 MB body", "POST", flags, big),
                new Probe("an encoded ../ path", "GET", "/api/v1/environments/%2e%2e/%2e%2e/etc/passwd", null),
                new Probe("a NUL in the path", "GET", "/api/v1/environments/prod%00uction/flags", null));
        List<String> authorizations = new ArrayList<>();
        authorizations.add("Bearer " + c.cluster.token);
        authorizations.add("Bearer not-a-token");
        authorizations.add(null);
        Map<Integer, Integer> byStatus = new TreeMap<>();
        List<String> bad = new ArrayList<>();
        long slowest = 0;
        for (Probe probe : probes) {
            for (String authorization : authorizations) {
                Http.Response r = c.http.raw(probe.method(), standby + probe.path(), probe.body(), authorization, Context.SHORT);
                byStatus.merge(r.status(), 1, Integer::sum);
                slowest = Math.max(slowest, r.nanos());
                String who = authorization == null ? "no token" : authorization.contains(c.cluster.token) ? "admin token" : "wrong token";
                if (r.status() == 0) {
                    bad.add(probe.name() + " (" + who + "): no answer in " + Context.SHORT.toSeconds() + " s (" + r.body() + ")");
                } else if (r.status() / 100 == 5 && r.status() != 503) {
                    bad.add(probe.name() + " (" + who + "): " + r.status());
                } else if (r.status() / 100 == 2) {
                    bad.add(probe.name() + " (" + who + "): the standby accepted it (" + r.status() + ")");
                }
            }
        }
        report.figure("%d requests to the standby (%d probes x admin, wrong and no token): statuses %s; slowest answer %.0f ms",
                probes.size() * authorizations.size(), probes.size(), byStatus, slowest / 1e6);
        report.check(bad.isEmpty(), "no 2xx, no 5xx but 503, no hang from the standby%s", bad.isEmpty() ? "" : ": " + bad);
        Map<TopicPartition, Long> after = c.log.endOffsets();
        report.check(before.equals(after), "flag-events end offsets unchanged by the probes%s",
                before.equals(after) ? "" : " (before " + before + ", after " + after + ")");
        report.check(c.http.get(standby + "/health/ready", Context.SHORT).status() == 503
                        && c.http.get(active + "/health/ready", Context.SHORT).status() == 200,
                "the standby is still the standby and the writer still ready after the probes");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
