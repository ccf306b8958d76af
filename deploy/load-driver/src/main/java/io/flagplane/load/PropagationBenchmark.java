package io.flagplane.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagplane.command.CommandService;
import io.flagplane.command.CommandServiceConfig;
import io.flagplane.edge.EdgeConfig;
import io.flagplane.reporting.ReportingSettings;
import io.flagplane.edge.EdgeNode;
import io.flagplane.evaluation.Flag;
import io.flagplane.projection.ProjectionConfig;
import io.flagplane.projection.ProjectionService;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The kill switch, end to end (issue 6): a real broker, the command-service, the projection and
 * {@code --nodes} edge nodes, each with its own consumer, all in this JVM. {@code --commands}
 * alternating kill / revive commands on one flag; for each, the time from the command's HTTP 2xx
 * to each node serving the new version (the moment its ruleset swap made it visible to requests).
 * A node that applied the change before the 2xx reached the driver counts as 0.
 */
@Command(name = "propagation", mixinStandardHelpOptions = true,
        description = "Kill-switch propagation: command 2xx to every edge node serving the new value.")
public final class PropagationBenchmark implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ENV = "production";
    private static final String FLAG = "checkout.kill-switch";

    @Option(names = "--nodes", defaultValue = "20", description = "edge nodes (default ${DEFAULT-VALUE})")
    int nodes;

    @Option(names = "--commands", defaultValue = "200", description = "kill / revive commands measured (default ${DEFAULT-VALUE})")
    int commands;

    @Option(names = "--warmup", defaultValue = "20", description = "commands sent first and not measured (default ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--pause-ms", defaultValue = "50", description = "pause between commands (default ${DEFAULT-VALUE})")
    int pauseMillis;

    @Option(names = "--reporting", defaultValue = "true", arity = "1",
            description = "whether the edge nodes report to evaluator-reports, as in production (default ${DEFAULT-VALUE})")
    boolean reporting;

    PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        out.printf("machine: %d cores, %s %s%n", Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"));
        try (BenchStack stack = new BenchStack()) {
            CommandService command = CommandService.start(CommandServiceConfig.from(stack.settings(Map.of(
                    "command.host", "127.0.0.1", "command.port", "0", "command.transactional.id", "propagation-writer"))));
            ProjectionService projection = ProjectionService.start(ProjectionConfig.from(stack.settings(Map.of(
                    "projection.host", "127.0.0.1", "projection.port", "0", "projection.auth.enabled", "false",
                    "projection.application.id", "propagation-projection",
                    "projection.state.dir", stack.dir.resolve("streams").toString()))));
            List<EdgeNode> edges = new ArrayList<>();
            try {
                for (int i = 0; i < nodes; i++) {
                    edges.add(EdgeNode.start(EdgeConfig.open("127.0.0.1", 0, stack.bootstrapServers(), stack.registry.url(),
                            stack.topics, List.of(ENV)).withReporting(ReportingSettings.defaults().withEnabled(reporting))));
                }
                projection.awaitRunning(Duration.ofSeconds(60));
                for (EdgeNode edge : edges) {
                    edge.awaitReady(Duration.ofSeconds(60));
                }
                out.printf("started: broker, registry, command-service, projection, %d edge nodes (reporting %s)%n", nodes,
                        reporting ? "on" : "off");
                run(command, edges, stack.adminToken);
            } finally {
                edges.forEach(EdgeNode::close);
                projection.close();
                command.close();
            }
        }
        return 0;
    }

    private void run(CommandService command, List<EdgeNode> edges, String token) throws Exception {
        // when each node applied each version of the flag, in nanoTime
        Map<Long, long[]> applied = new ConcurrentHashMap<>();
        for (int n = 0; n < edges.size(); n++) {
            int node = n;
            EdgeNode edge = edges.get(n);
            edge.ruleset().onChange(refs -> {
                long now = System.nanoTime();
                Flag flag = edge.ruleset().current().flag(ENV, FLAG);
                if (flag != null) {
                    applied.computeIfAbsent(flag.version(), v -> new long[edges.size()])[node] = now;
                }
            });
        }
        HttpConnection http = new HttpConnection(URI.create(command.url()), 10_000);
        String auth = "Bearer " + token;
        HttpConnection.Response created = http.exchange("POST", "/api/v1/environments/" + ENV + "/flags", auth,
                "{\"key\":\"" + FLAG + "\",\"type\":\"boolean\",\"enabled\":true,\"tags\":[\"kill-switch\"]}");
        if (created.status() != 201) {
            throw new IllegalStateException("cannot create the flag: " + created.status() + " " + created.body());
        }
        awaitAll(applied, 1, edges.size());

        Latencies everyNode = new Latencies();
        Latencies slowestNode = new Latencies();
        int early = 0;
        for (int i = 0; i < warmup + commands; i++) {
            String action = i % 2 == 0 ? "kill" : "revive";
            HttpConnection.Response response = http.exchange("POST", "/api/v1/environments/" + ENV + "/flags/" + FLAG + "/"
                    + action, auth, "{\"reason\":\"propagation benchmark\"}");
            long acknowledged = System.nanoTime();
            if (response.status() != 200) {
                throw new IllegalStateException(action + " failed: " + response.status() + " " + response.body());
            }
            long version = JSON.readTree(response.body()).get("version").asLong();
            long[] times = awaitAll(applied, version, edges.size());
            if (i >= warmup) {
                long slowest = 0;
                for (long at : times) {
                    long delta = at - acknowledged;
                    if (delta < 0) {
                        early++;
                        delta = 0;
                    }
                    everyNode.record(delta);
                    slowest = Math.max(slowest, delta);
                }
                slowestNode.record(slowest);
            }
            Thread.sleep(pauseMillis);
        }
        http.close();
        out.printf("%d kill/revive commands x %d nodes = %d (command 2xx -> node serving the new version) measurements%n",
                commands, edges.size(), commands * edges.size());
        out.printf("PROPAGATION every node:    %s%n", everyNode.summary().describeMillis());
        out.printf("PROPAGATION slowest node:  %s (per command)%n", slowestNode.summary().describeMillis());
        out.printf("applied before the 2xx reached the driver (counted as 0): %d of %d%n", early, commands * edges.size());
    }

    private static long[] awaitAll(Map<Long, long[]> applied, long version, int nodes) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            long[] times = applied.get(version);
            if (times != null) {
                boolean all = true;
                for (long t : times) {
                    if (t == 0) {
                        all = false;
                        break;
                    }
                }
                if (all) {
                    return times;
                }
            }
            Thread.sleep(0, 200_000);
        }
        throw new IllegalStateException("not every node applied version " + version + " within 30 s");
    }
}
