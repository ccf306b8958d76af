package io.flagplane.faults;

import java.time.Duration;

/**
 * Fault 2: kill -9 the active command-service under load. The standby takes over; the gap is
 * timed from the kill to the standby's readiness and to its first acknowledged command; a command
 * acknowledged by the old writer, retried with its Idempotency-Key at the new one, gets the first
 * answer back.
 */
final class WriterKill {

    private WriterKill() {
    }

    static void run(Context c) throws Exception {
        Report report = c.report;
        report.heading("2. Active command-service kill -9 under load");
        String env = "faults2-" + c.run;
        c.declare(env);
        String old = c.active(Duration.ofSeconds(30));
        String standby = c.other(old);
        String oldName = c.cluster.commandName(old);

        String key = "f2-idem-" + c.run;
        String body = "{\"key\":\"fault.idem\",\"type\":\"boolean\",\"reason\":\"fault suite\"}";
        Http.Response first = c.http.post(old + c.flagPath(env, null), body, key, Context.SHORT);
        report.check(first.ok(), "a command with Idempotency-Key %s acknowledged by %s before the kill: HTTP %d",
                key, oldName, first.status());

        Load load = new Load(c.http, c.cluster.commandUrls(), env, c.rate, Duration.ofSeconds(60));
        load.start();
        Context.sleep(5_000);   // pacing: the fault strikes 5 s into the load
        long killed = System.nanoTime();
        c.cluster.kill9(oldName);
        boolean took = c.await(() -> c.http.get(standby + "/health/ready", Duration.ofSeconds(1)).status() == 200,
                Duration.ofSeconds(60));
        long ready = System.nanoTime();
        c.await(() -> load.firstAckAfter(killed, standby) > 0, Duration.ofSeconds(30));
        long firstAck = load.firstAckAfter(killed, standby);
        report.check(took, "killed %s (the writer) after 5 s of load at %.0f commands/s; the standby %s was ready "
                + "%.0f ms later", oldName, c.rate, c.cluster.commandName(standby), Context.ms(killed, ready));
        report.figure("failover gap, kill to the new writer's first acknowledged command: %.0f ms (target <= 5,000 ms; "
                + "recorded, not asserted); longest time without any acknowledgement: %.0f ms",
                firstAck > 0 ? Context.ms(killed, firstAck) : -1.0, load.longestSilenceMs(killed, System.nanoTime()));

        Http.Response retried = c.http.post(standby + c.flagPath(env, null), body, key, Context.SHORT);
        boolean same = retried.ok() && retried.json().path("offset").asLong() == first.json().path("offset").asLong()
                && retried.json().path("partition").asInt() == first.json().path("partition").asInt();
        report.check(same && retried.replayed(), "the same Idempotency-Key sent to the new writer: HTTP %d, "
                        + "Idempotent-Replayed %s, the first answer's partition/offset %s (%s-%s@%s)",
                retried.status(), retried.replayed(), same ? "returned" : "NOT returned", EventLog.TOPIC,
                first.json().path("partition").asText(), first.json().path("offset").asText());

        Context.sleep(Math.max(0, c.loadSeconds - 5) * 1000L);   // pacing: the load runs its full time after the fault
        load.stop();
        ExactlyOnce.check(load, c.log, report);

        long restarting = System.nanoTime();
        c.cluster.start(oldName);
        String role = c.http.get(old + "/health/ready", Context.SHORT).body();
        report.figure("%s restarted in %.1f s and waits as the standby: %s", oldName,
                Context.ms(restarting, System.nanoTime()) / 1000, role.replaceAll("\\s+", ""));
    }
}
