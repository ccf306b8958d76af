package io.flagplane.faults;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault-injection suite against a running deploy/cluster (see deploy/cluster/faults.sh, which
 * starts the cluster and calls this). Runs the chosen faults in order, prints and writes the
 * figures as Markdown, and exits 1 when any check failed (lost, duplicated or misplaced data
 * above all), 0 otherwise.
 *
 * <pre>
 *   FaultSuite --cluster-dir DIR --script deploy/cluster/flagplane-cluster [--faults 1,2,3,4,5,6]
 *              [--rate 200] [--load-seconds 20] [--report target/faults/report.md]
 * </pre>
 */
public final class FaultSuite {

    private static final Logger LOG = LoggerFactory.getLogger(FaultSuite.class);

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(".flagplane-cluster");
        Path script = Path.of("deploy/cluster/flagplane-cluster");
        List<String> faults = List.of("1", "2", "3", "4", "5", "6", "7");
        double rate = 200;
        int loadSeconds = 20;
        Path out = Path.of("deploy/faults/target/report.md");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--cluster-dir" -> dir = Path.of(args[++i]);
                case "--script" -> script = Path.of(args[++i]);
                case "--faults" -> faults = List.of(args[++i].split(","));
                case "--rate" -> rate = Double.parseDouble(args[++i]);
                case "--load-seconds" -> loadSeconds = Integer.parseInt(args[++i]);
                case "--report" -> out = Path.of(args[++i]);
                default -> {
                    System.err.println("unknown argument " + args[i]);
                    System.exit(2);
                }
            }
        }
        Report report = new Report();
        String run = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
        try (Cluster cluster = new Cluster(dir.toAbsolutePath(), script.toAbsolutePath())) {
            Context c = new Context(cluster, report, run, rate, loadSeconds);
            report.say("run " + run + ", started " + Instant.now() + ", faults " + String.join(",", faults) + ", "
                    + rate + " commands/s, load " + loadSeconds + " s per fault");
            setUp(c);
            for (String fault : faults) {
                try {
                    switch (fault.trim()) {
                        case "1" -> BrokerKill.run(c);
                        case "2" -> WriterKill.run(c);
                        case "3" -> ZombieWriter.run(c);
                        case "4" -> BrokersDown.run(c);
                        case "5" -> ProjectionKill.run(c);
                        case "6" -> PoisonRecords.run(c);
                        case "7" -> StandbyProbes.run(c);
                        default -> throw new IllegalArgumentException("no fault " + fault + " (1-7)");
                    }
                } catch (Exception e) {
                    report.check(false, "fault %s did not complete: %s", fault, e);
                    LOG.error("fault {} did not complete; the suite goes on with the next one", fault, e);
                }
            }
        }
        report.heading("Result");
        report.say(report.failures.isEmpty() ? "PASSED: every check held." : "FAILED: " + report.failures.size()
                + " check(s) broke:");
        List<String> failures = new ArrayList<>(report.failures);
        failures.forEach(f -> report.say("- " + f));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report.markdown());
        System.out.println("report written to " + out);
        System.exit(failures.isEmpty() ? 0 : 1);
    }

    /** The probe flag every edge serves (created enabled, so its value is true until killed). */
    private static void setUp(Context c) {
        Http.Response created = c.command(c.flagPath("production", null),
                "{\"key\":\"" + c.probe + "\",\"type\":\"boolean\",\"enabled\":true,\"reason\":\"fault suite\"}",
                "probe-" + c.run);
        if (!created.ok()) {
            throw new IllegalStateException("could not create the probe flag: " + created.status() + " " + created.body());
        }
        double ms = c.edgesServe("true", System.nanoTime(), Duration.ofSeconds(60));
        if (ms < 0) {
            throw new IllegalStateException("the edges never served the probe flag " + c.probe);
        }
        c.report.figure("probe flag production/%s created; all three edges served it %.0f ms later", c.probe, ms);
    }
}
