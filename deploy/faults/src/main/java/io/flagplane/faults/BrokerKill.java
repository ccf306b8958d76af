package io.flagplane.faults;

import java.time.Duration;

/**
 * Fault 1: kill -9 the leader of flag-events partition 0 under load, keep writing (kills above
 * all) on two brokers, restart it, and time every edge to a change made once it is back.
 */
final class BrokerKill {

    private BrokerKill() {
    }

    static void run(Context c) throws Exception {
        Report report = c.report;
        report.heading("1. Broker kill -9 under load");
        String env = "faults1-" + c.run;
        c.declare(env);
        Load load = new Load(c.http, c.cluster.commandUrls(), env, c.rate, Duration.ofSeconds(60));
        load.start();
        Context.sleep(5_000);   // pacing: the fault strikes 5 s into the load

        String victim = c.cluster.leaderOf(EventLog.TOPIC, 0);
        long killed = System.nanoTime();
        c.cluster.kill9(victim);
        report.figure("killed %s (leader of %s-0) with SIGKILL after 5 s of load at %.0f commands/s", victim,
                EventLog.TOPIC, c.rate);

        // kills are what an operator needs most while the cluster is degraded: one a second, each revived again
        int kills = 0;
        int killsOk = 0;
        double slowestKillMs = 0;
        for (int i = 0; i < 10; i++) {
            Http.Response kill = c.flipProbe(true, "f1-kill-" + c.run + "-" + i);
            kills++;
            killsOk += kill.ok() ? 1 : 0;
            slowestKillMs = Math.max(slowestKillMs, kill.nanos() / 1e6);
            c.flipProbe(false, "f1-revive-" + c.run + "-" + i);
            Context.sleep(500);   // pacing: kill/revive pairs half a second apart across the outage
        }
        int isr = c.cluster.isr(EventLog.TOPIC, 0);
        report.check(killsOk == kills, "flag kills while %s was down: %d of %d succeeded (slowest attempt %.0f ms); "
                + "%s-0 in-sync replicas then: %d", victim, killsOk, kills, slowestKillMs, EventLog.TOPIC, isr);
        report.figure("acknowledged during the outage so far: %d of %d sent; longest time without an acknowledgement "
                + "after the kill: %.0f ms", load.acked.size(), load.sent(), load.longestSilenceMs(killed, System.nanoTime()));

        long restarting = System.nanoTime();
        c.cluster.start(victim);
        long back = System.nanoTime();
        report.figure("%s restarted (flagplane-cluster start) and ready in %.1f s", victim, Context.ms(restarting, back) / 1000);

        // a change made the moment the broker is back must reach every edge within 10 s
        Http.Response kill = c.flipProbe(true, "f1-after-" + c.run);
        double converged = c.edgesServe("false", back, Duration.ofSeconds(30));
        report.check(kill.ok() && converged >= 0 && converged <= 10_000,
                "every edge served the kill made as the broker returned %.0f ms after it was ready (the kill's own "
                        + "answer took %.0f ms)", converged, kill.nanos() / 1e6);
        c.flipProbe(false, "f1-after-revive-" + c.run);
        c.await(() -> {
            try {
                return c.cluster.isr(EventLog.TOPIC, 0) == 3;
            } catch (Exception e) {
                return false;
            }
        }, Duration.ofSeconds(30));
        report.figure("%s-0 in-sync replicas %.1f s after the restart: %d", EventLog.TOPIC,
                Context.ms(back, System.nanoTime()) / 1000, c.cluster.isr(EventLog.TOPIC, 0));

        Context.sleep(Math.max(0, c.loadSeconds - 5) * 1000L);   // pacing: the load runs its full time after the fault
        load.stop();
        ExactlyOnce.check(load, c.log, report);
    }
}
