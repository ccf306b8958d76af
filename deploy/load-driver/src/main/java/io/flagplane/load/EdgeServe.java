package io.flagplane.load;

import io.flagplane.avro.Actor;
import io.flagplane.avro.ActorKind;
import io.flagplane.avro.ChangeInfo;
import io.flagplane.avro.Experiment;
import io.flagplane.avro.ExperimentDefinition;
import io.flagplane.avro.ExperimentMetric;
import io.flagplane.avro.ExperimentStatus;
import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.FlagType;
import io.flagplane.avro.MetricKind;
import io.flagplane.avro.Serve;
import io.flagplane.avro.Split;
import io.flagplane.avro.Variant;
import io.flagplane.avro.WeightedVariant;
import io.flagplane.contract.RecordKeys;
import io.flagplane.edge.EdgeConfig;
import io.flagplane.edge.EdgeNode;
import io.flagplane.reporting.ReportingSettings;
import io.flagplane.reporting.exposure.ExposureLog;
import io.flagplane.reporting.exposure.ExposureSettings;
import io.flagplane.wire.AvroSerializer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * One edge node for an external load generator (wrk): a broker and registry in this JVM,
 * {@code --flags} flags (the cold-start mix) plus {@value #EXPERIMENT_FLAG}, a 50/50 flag under a
 * RUNNING experiment, token authentication on, and the constant {@code POST /bench/bare} route on
 * the same server for the baseline; evaluator reporting on (as in production) unless
 * {@code --reporting=false}, and exposure logging on unless {@code --exposures=false}. Prints the
 * node's URL, a token and the flags to evaluate, then serves until killed; on shutdown it prints
 * what exposure logging did.
 */
@Command(name = "edge-serve", mixinStandardHelpOptions = true,
        description = "Serve one edge node with generated flags (and a bare endpoint) for HTTP load generators.")
public final class EdgeServe implements Callable<Integer> {

    static final String EXPERIMENT_FLAG = "bench.experiment";

    @Option(names = "--flags", defaultValue = "100", description = "flags to serve besides the experiment's (default ${DEFAULT-VALUE})")
    int flags;

    @Option(names = "--port", defaultValue = "0", description = "port (default: any free one)")
    int port;

    @Option(names = "--reporting", defaultValue = "true", arity = "1",
            description = "report to evaluator-reports and count usage (default ${DEFAULT-VALUE})")
    boolean reporting;

    @Option(names = "--exposures", defaultValue = "true", arity = "1",
            description = "log exposures to the running experiment on flag-exposures (default ${DEFAULT-VALUE})")
    boolean exposures;

    @Override
    public Integer call() throws Exception {
        try (BenchStack stack = new BenchStack()) {
            ColdStartBenchmark generator = new ColdStartBenchmark();
            generator.flags = flags;
            generator.publish(stack);
            publishExperiment(stack);
            EdgeConfig config = new EdgeConfig("127.0.0.1", port, stack.bootstrapServers(), stack.registry.url(), stack.topics,
                    List.of("production"), true, stack.tokens, null, Duration.ofSeconds(15), 1_000)
                    .withReporting(ReportingSettings.defaults().withEnabled(reporting))
                    .withExposures(ExposureSettings.defaults().withEnabled(exposures));
            try (EdgeNode node = EdgeNode.start(config, true)) {
                if (!node.awaitReady(Duration.ofSeconds(60)) || node.ruleset().current().size() != flags + 1) {
                    throw new IllegalStateException("the node did not load " + (flags + 1) + " flags");
                }
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    ExposureLog.Stats s = node.telemetry().exposures().stats();
                    System.out.printf("EXPOSURES logged %d deduplicated %d dropped %d sent %d send-errors %d%n", s.logged(),
                            s.deduplicated(), s.dropped(), s.sent(), s.sendErrors());
                }, "edge-serve-stats"));
                System.out.println("TOKEN " + stack.adminToken);
                System.out.println("FLAG " + ColdStartBenchmark.flag(6, new SplittableRandom(3)).getFlagKey());
                System.out.println("EXPERIMENT_FLAG " + EXPERIMENT_FLAG);
                System.out.println("READY " + node.url());
                System.out.flush();
                Thread.currentThread().join();
            }
        }
        return 0;
    }

    /** {@value #EXPERIMENT_FLAG}: 50/50 on its fallthrough, measured by a RUNNING experiment. */
    static void publishExperiment(BenchStack stack) {
        List<WeightedVariant> arms = List.of(new WeightedVariant("on", 5_000), new WeightedVariant("off", 5_000));
        FlagDefinition definition = FlagDefinition.newBuilder().setType(FlagType.BOOLEAN)
                .setVariants(List.of(new Variant("on", "true", null), new Variant("off", "false", null)))
                .setOffVariant("off").setFallthrough(Serve.newBuilder().setSplit(new Split(arms, null)).build())
                .setSalt(EXPERIMENT_FLAG).build();
        Experiment experiment = Experiment.newBuilder().setKey("bench-test").setStatus(ExperimentStatus.RUNNING)
                .setDefinition(ExperimentDefinition.newBuilder().setPrimaryMetric(ExperimentMetric.newBuilder()
                        .setEventKey("booking_confirmed").setKind(MetricKind.CONVERSION).build()).build())
                .setCreatedAt(Instant.now()).setLaunchedAt(Instant.now()).setArms(arms).setLaunchedAtVersion(2).build();
        FlagState state = FlagState.newBuilder().setEnvironment("production").setFlagKey(EXPERIMENT_FLAG).setVersion(2)
                .setDefinition(definition).setEnabled(true).setKilled(false).setArchived(false).setCreatedAt(Instant.now())
                .setLastChange(new ChangeInfo("bench-experiment", "ExperimentLaunched", Instant.now(),
                        new Actor("bench", ActorKind.SYSTEM), null, null))
                .setExperiments(List.of(experiment)).build();
        AvroSerializer<FlagState> serializer = new AvroSerializer<>(stack.registryClient, true);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(stack.topics.flagState(), RecordKeys.of("production", EXPERIMENT_FLAG),
                    serializer.serialize(stack.topics.flagState(), state)));
            producer.flush();
        }
    }
}
