package io.flagplane.faults;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Fault 5: kill -9 one projection instance while flags change. The other must answer every
 * history query once the group has rebalanced, with every change once (no entry twice, none
 * missing); after the killed one is back, the replay tool's rebuild must still equal the live
 * projection.
 */
final class ProjectionKill {

    private static final int FLAGS = 30;

    private ProjectionKill() {
    }

    static void run(Context c) throws Exception {
        Report report = c.report;
        report.heading("5. Projection instance kill -9");
        String env = "faults5-" + c.run;
        c.declare(env);
        for (int i = 0; i < FLAGS; i++) {
            write(c, env, i, "", "{\"key\":\"proj.f" + i + "\",\"type\":\"boolean\",\"reason\":\"fault suite\"}");
            write(c, env, i, "/enable", "{\"reason\":\"fault suite\"}");
        }
        String survivor = c.cluster.url("projection-2");
        boolean before = c.await(() -> complete(c, survivor, env, 2) == FLAGS, Duration.ofSeconds(60));
        report.check(before, "%d flags with 2 changes each, all in projection-2's history before the kill", FLAGS);

        long killed = System.nanoTime();
        c.cluster.kill9("projection-1");
        // changes while the group rebalances: their partitions move to the survivor mid-stream
        for (int i = 0; i < FLAGS; i++) {
            write(c, env, i, "/kill", "{\"reason\":\"fault suite\"}");
        }
        long written = System.nanoTime();
        boolean all = c.await(() -> complete(c, survivor, env, 3) == FLAGS, Duration.ofSeconds(180));
        report.check(all, "killed projection-1 with SIGKILL and changed every flag again; projection-2 answered every "
                        + "flag's history with all 3 changes %.1f s after the kill (%.1f s after the last change was "
                        + "acknowledged); %d of %d complete", Context.ms(killed, System.nanoTime()) / 1000,
                Context.ms(written, System.nanoTime()) / 1000, complete(c, survivor, env, 3), FLAGS);
        report.check(duplicates(c, survivor, env) == 0, "history entries appearing twice on projection-2: %d",
                duplicates(c, survivor, env));

        long restarting = System.nanoTime();
        c.cluster.start("projection-1");
        String other = c.cluster.url("projection-1");
        boolean both = c.await(() -> complete(c, other, env, 3) == FLAGS, Duration.ofSeconds(180));
        report.check(both && duplicates(c, other, env) == 0, "projection-1 restarted; %.1f s later it answered every "
                        + "history (complete %d of %d, entries twice: %d)", Context.ms(restarting, System.nanoTime()) / 1000,
                complete(c, other, env, 3), FLAGS, duplicates(c, other, env));
        replay(c);
    }

    private static void write(Context c, String env, int i, String action, String body) {
        Http.Response r = c.command(c.flagPath(env, action.isEmpty() ? null : "proj.f" + i) + action, body,
                "f5-" + c.run + "-" + i + action);
        if (!r.ok()) {
            throw new IllegalStateException("command " + action + " on proj.f" + i + ": " + r.status() + " " + r.body());
        }
    }

    private static List<JsonNode> history(Context c, String projection, String env, int i) {
        Http.Response r = c.http.get(projection + c.flagPath(env, "proj.f" + i) + "/history?limit=100", Context.SHORT);
        if (r.status() != 200) {
            return null;
        }
        List<JsonNode> entries = new java.util.ArrayList<>();
        r.json().path("entries").forEach(entries::add);
        return entries;
    }

    /** How many flags' histories are answered with exactly the expected number of entries. */
    private static int complete(Context c, String projection, String env, int expected) {
        int n = 0;
        for (int i = 0; i < FLAGS; i++) {
            List<JsonNode> entries = history(c, projection, env, i);
            n += entries != null && entries.size() == expected ? 1 : 0;
        }
        return n;
    }

    private static int duplicates(Context c, String projection, String env) {
        int twice = 0;
        for (int i = 0; i < FLAGS; i++) {
            List<JsonNode> entries = history(c, projection, env, i);
            Set<String> ids = new HashSet<>();
            for (JsonNode e : entries == null ? List.<JsonNode>of() : entries) {
                twice += ids.add(e.path("eventId").asText() + "/" + e.path("version").asText()) ? 0 : 1;
            }
        }
        return twice;
    }

    /** bin/flagplane replay: rebuilds from offset zero into stores of its own and compares with the live one. */
    private static void replay(Context c) throws Exception {
        java.nio.file.Path launcher = c.cluster.script.getParent().getParent().resolve("distribution/target/flagplane/bin/flagplane");
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "replay", "--bootstrap-server", c.cluster.bootstrap(),
                "--schema-registry", c.cluster.url("registry"), "--threads", "1", "--timeout", "PT10M")
                .directory(c.cluster.dir.toFile()).redirectErrorStream(true);
        pb.environment().put("FLAGPLANE_JAVA_OPTS", "-Xmx512m");
        long started = System.nanoTime();
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        int exit = p.waitFor();
        // the verdict line (VERIFIED: ... or what differs), not the progress and log lines around it
        String last = out.lines().filter(l -> l.startsWith("VERIFIED") || l.contains("differ")).findFirst()
                .orElse(out.lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse(""));
        report(c).check(exit == 0, "rebuild-equals-live (bin/flagplane replay, verify mode): exit %d in %.1f s; last line: %s",
                exit, Context.ms(started, System.nanoTime()) / 1000, last);
        if (exit != 0) {
            System.out.println(out);
        }
    }

    private static Report report(Context c) {
        return c.report;
    }
}
