package io.flagplane.load;

import io.flagplane.edge.EdgeConfig;
import io.flagplane.edge.EdgeNode;
import io.flagplane.reporting.ReportingSettings;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * One edge node for an external load generator (wrk): a broker and registry in this JVM,
 * {@code --flags} flags (the cold-start mix), token authentication on, and the constant
 * {@code POST /bench/bare} route on the same server for the baseline; evaluator reporting on (as
 * in production) unless {@code --reporting=false}. Prints the node's URL and a token, then serves
 * until killed.
 */
@Command(name = "edge-serve", mixinStandardHelpOptions = true,
        description = "Serve one edge node with generated flags (and a bare endpoint) for HTTP load generators.")
public final class EdgeServe implements Callable<Integer> {

    @Option(names = "--flags", defaultValue = "100", description = "flags to serve (default ${DEFAULT-VALUE})")
    int flags;

    @Option(names = "--port", defaultValue = "0", description = "port (default: any free one)")
    int port;

    @Option(names = "--reporting", defaultValue = "true", arity = "1",
            description = "report to evaluator-reports and count usage (default ${DEFAULT-VALUE})")
    boolean reporting;

    @Override
    public Integer call() throws Exception {
        try (BenchStack stack = new BenchStack()) {
            ColdStartBenchmark generator = new ColdStartBenchmark();
            generator.flags = flags;
            generator.publish(stack);
            EdgeConfig config = new EdgeConfig("127.0.0.1", port, stack.bootstrapServers(), stack.registry.url(), stack.topics,
                    List.of("production"), true, stack.tokens, null, Duration.ofSeconds(15), 1_000)
                    .withReporting(ReportingSettings.defaults().withEnabled(reporting));
            try (EdgeNode node = EdgeNode.start(config, true)) {
                if (!node.awaitReady(Duration.ofSeconds(60)) || node.ruleset().current().size() != flags) {
                    throw new IllegalStateException("the node did not load " + flags + " flags");
                }
                System.out.println("TOKEN " + stack.adminToken);
                System.out.println("FLAG " + ColdStartBenchmark.flag(6, new SplittableRandom(3)).getFlagKey());
                System.out.println("READY " + node.url());
                System.out.flush();
                Thread.currentThread().join();
            }
        }
        return 0;
    }
}
