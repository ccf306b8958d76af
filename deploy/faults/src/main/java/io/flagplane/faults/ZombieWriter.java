package io.flagplane.faults;

import io.flagplane.avro.FlagEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Fault 3: SIGSTOP the writer, let the standby take over, SIGCONT the old one: it must answer
 * 503 and append nothing. Nothing else writes meanwhile, so "nothing" is checked by reading every
 * committed event after the moment of the wake-up (end offsets alone would count transaction markers).
 */
final class ZombieWriter {

    private ZombieWriter() {
    }

    static void run(Context c) throws Exception {
        Report report = c.report;
        report.heading("3. Zombie writer (SIGSTOP, takeover, SIGCONT)");
        String env = "faults3-" + c.run;
        c.declare(env);
        String old = c.active(Duration.ofSeconds(30));
        String current = c.other(old);
        String oldName = c.cluster.commandName(old);
        Http.Response before = c.http.post(old + c.flagPath(env, null),
                "{\"key\":\"fault.zombie\",\"type\":\"boolean\",\"reason\":\"fault suite\"}", "f3-create-" + c.run, Context.SHORT);
        report.check(before.ok(), "a flag created through %s before the freeze: HTTP %d", oldName, before.status());

        long stopped = System.nanoTime();
        c.cluster.signal(oldName, "STOP");
        boolean took = c.await(() -> c.http.get(current + "/health/ready", Duration.ofSeconds(1)).status() == 200,
                Duration.ofSeconds(60));
        report.check(took, "SIGSTOP %s; %s was the writer %.0f ms later", oldName, c.cluster.commandName(current),
                Context.ms(stopped, System.nanoTime()));
        Http.Response byNew = c.http.post(current + c.flagPath(env, "fault.zombie") + "/enable", "{\"reason\":\"new writer\"}",
                "f3-enable-" + c.run, Context.SHORT);
        report.check(byNew.ok(), "the new writer enabled the flag: HTTP %d (version %s)", byNew.status(),
                byNew.json().path("version").asText());

        Map<TopicPartition, Long> mark = c.log.endOffsets();
        c.cluster.signal(oldName, "CONT");
        long woke = System.nanoTime();
        int answers503 = 0;
        int writes = 0;
        StringBuilder codes = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            // disable: a change against the stale model (which still has it disabled it would be "unchanged")
            String path = c.flagPath(env, "fault.zombie") + (i % 2 == 0 ? "/disable" : "/kill");
            Http.Response r = c.http.post(old + path, "{\"reason\":\"zombie-" + c.run + "\"}", null, Context.SHORT);
            writes++;
            answers503 += r.status() == 503 ? 1 : 0;
            if (i < 3) {
                codes.append(r.status()).append(' ').append(r.json().path("error").path("code").asText()).append("; ");
            }
            Context.sleep(200);   // pacing: the writes spread over two seconds after the wake-up
        }
        report.check(answers503 == writes, "after SIGCONT %s answered %d of %d writes with 503 (first: %s)", oldName,
                answers503, writes, codes);
        Context.sleep(3_000);   // an observation window: the check is that nothing appears, which has no event to wait on
        List<FlagEvent> after = c.log.eventsAfter(mark);
        long fromZombie = after.stream().filter(e -> ("zombie-" + c.run).equals(e.getReason())).count();
        report.check(after.isEmpty(), "committed events on %s since the wake-up (%.1f s): %d, of them the zombie's: %d",
                EventLog.TOPIC, Context.ms(woke, System.nanoTime()) / 1000, after.size(), fromZombie);
        String ready = c.http.get(old + "/health/ready", Context.SHORT).body().replaceAll("\\s+", "");
        report.figure("%s /health/ready afterwards: %s", oldName, ready);
        if (!ready.contains("standby")) {
            // a fenced writer that does not rejoin as a standby is restarted, so later faults have one
            c.cluster.kill9(oldName);
            c.cluster.start(oldName);
            report.figure("%s restarted to wait as the standby again", oldName);
        }
    }
}
