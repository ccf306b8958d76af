package io.flagplane.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagplane.command.CommandService;
import io.flagplane.command.CommandServiceConfig;
import io.flagplane.connections.KafkaClientSettings;
import io.flagplane.edge.EdgeConfig;
import io.flagplane.reporting.ReportingSettings;
import io.flagplane.edge.EdgeNode;
import io.flagplane.evaluation.Flag;
import io.flagplane.projection.ProjectionConfig;
import io.flagplane.projection.ProjectionService;
import java.io.PrintStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagState;
import io.flagplane.contract.TopicNames;
import io.flagplane.registry.RegistryAccess;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.settings.Settings;
import io.flagplane.wire.AvroDeserializer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Comparator;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
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

    // 20 until issue 17: with everything in one JVM, the JIT was still compiling (C2 at two thirds of a
    // core) through the measured kills, and the p99 measured the compiler (BENCHMARKS.md, issue 17 part 3)
    @Option(names = "--warmup", defaultValue = "1000",
            description = "commands sent first and not measured, while the JIT compiles the path (default ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--pause-ms", defaultValue = "50", description = "pause between commands (default ${DEFAULT-VALUE})")
    int pauseMillis;

    @Option(names = "--reporting", defaultValue = "true", arity = "1",
            description = "whether the edge nodes report to evaluator-reports, as in production (default ${DEFAULT-VALUE})")
    boolean reporting;

    @Option(names = "--fold-reports", defaultValue = "true", arity = "1",
            description = "with reporting on: false sends the nodes' reports to a topic the projection does not read, so the "
                    + "nodes do all their report work but the projection folds none (default ${DEFAULT-VALUE})")
    boolean foldReports;

    @Option(names = "--telemetry-apart", defaultValue = "true", arity = "1",
            description = "the projection's projection.telemetry.apart: true folds reports and experiments in a Kafka Streams "
                    + "application of their own; false in the fold's application, on its stream thread, as before issue 12's "
                    + "fix (default ${DEFAULT-VALUE})")
    boolean telemetryApart;

    @Option(names = "--edge-fetch-wait-ms", defaultValue = "-1",
            description = "the edge nodes' kafka.consumer.fetch.max.wait.ms; -1 keeps the nodes' own default (500 since "
                    + "issue 17; it was 10 before) (default ${DEFAULT-VALUE})")
    int edgeFetchWaitMillis;

    @Option(names = "--idle-seconds", defaultValue = "10",
            description = "seconds to measure this JVM's CPU with everything started and no command sent; 0 skips it "
                    + "(default ${DEFAULT-VALUE})")
    int idleSeconds;

    @Option(names = "--slowest", defaultValue = "10",
            description = "how many of the slowest commands to break down hop by hop (default ${DEFAULT-VALUE})")
    int slowestShown;

    PrintStream out = System.out;

    /** Where the nodes' reports go when the projection must not fold them. */
    static final String UNFOLDED_REPORTS = "evaluator-reports-unfolded";

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
                    "projection.state.dir", stack.dir.resolve("streams").toString(),
                    "projection.telemetry.apart", String.valueOf(telemetryApart)))));
            List<EdgeNode> edges = new ArrayList<>();
            TopicNames edgeTopics = stack.topics;
            if (!foldReports) {
                try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
                    admin.createTopics(List.of(new NewTopic(UNFOLDED_REPORTS, Optional.empty(), Optional.empty()))).all()
                            .get(30, TimeUnit.SECONDS);
                }
                TopicNames t = stack.topics;
                edgeTopics = new TopicNames(t.flagEvents(), t.flagState(), t.segmentState(), t.deadLetters(), UNFOLDED_REPORTS,
                        t.commandLeader(), t.flagNotices(), t.flagExposures(), t.trackingEvents(), t.releaseSignals());
            }
            Arrivals<FlagState> arrivals = Arrivals.states(stack.bootstrapServers(), stack.topics.flagState(), stack.registryClient);
            Arrivals<FlagEvent> events = Arrivals.events(stack.bootstrapServers(), stack.topics.flagEvents(), stack.registryClient);
            try {
                for (int i = 0; i < nodes; i++) {
                    edges.add(EdgeNode.start(edgeConfig(stack, edgeTopics)));
                }
                projection.awaitRunning(Duration.ofSeconds(60));
                for (EdgeNode edge : edges) {
                    edge.awaitReady(Duration.ofSeconds(60));
                }
                out.printf("started: broker, registry, command-service, projection (telemetry %s), %d edge nodes (reporting %s%s)%n",
                        telemetryApart ? "in its own Streams application" : "on the fold's stream thread", nodes,
                        (reporting ? "on" : "off") + (edgeFetchWaitMillis >= 0 ? ", fetch.max.wait.ms " + edgeFetchWaitMillis : ""),
                        reporting && !foldReports ? ", reports sent to " + UNFOLDED_REPORTS
                                + " which the projection does not fold" : "");
                measureIdle();
                run(command, edges, stack.adminToken, events.start(), arrivals.start());
            } finally {
                events.close();
                arrivals.close();
                edges.forEach(EdgeNode::close);
                projection.close();
                command.close();
            }
        }
        return 0;
    }

    /** What the whole stack costs doing nothing: this JVM's CPU over {@code --idle-seconds} before the first command. */
    private void measureIdle() throws InterruptedException {
        if (idleSeconds <= 0) {
            return;
        }
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpu = os.getProcessCpuTime();
        long start = System.nanoTime();
        // a sleep is the measurement: the stack's own threads are what runs in this window, and nothing else of ours may
        Thread.sleep(idleSeconds * 1_000L);
        double cores = (double) (os.getProcessCpuTime() - cpu) / (System.nanoTime() - start);
        out.printf("IDLE: the whole stack used %.1f %% of one core over %d s before the first command%n", cores * 100, idleSeconds);
    }

    private EdgeConfig edgeConfig(BenchStack stack, TopicNames edgeTopics) {
        Map<String, String> kafka = new HashMap<>(Map.of("kafka.bootstrap.servers", stack.bootstrapServers()));
        if (edgeFetchWaitMillis >= 0) {
            kafka.put("kafka.consumer.fetch.max.wait.ms", String.valueOf(edgeFetchWaitMillis));
        }
        return new EdgeConfig("127.0.0.1", 0, KafkaClientSettings.from(Settings.of(kafka)), RegistryAccess.of(stack.registry.url()),
                edgeTopics, List.of(ENV), false, null, null, Duration.ofSeconds(15), 1_000,
                ReportingSettings.defaults().withEnabled(reporting));
    }

    private void run(CommandService command, List<EdgeNode> edges, String token, Arrivals<FlagEvent> events,
                     Arrivals<FlagState> arrivals) throws Exception {
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
        Latencies toEvent = new Latencies();
        Latencies eventToState = new Latencies();
        Latencies toState = new Latencies();
        Latencies stateToSlowest = new Latencies();
        List<Hops> hops = new ArrayList<>();
        int early = 0;
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long compiledBefore = jit.getTotalCompilationTime();
        long measuredFrom = System.nanoTime();
        for (int i = 0; i < warmup + commands; i++) {
            if (i == warmup) {
                compiledBefore = jit.getTotalCompilationTime();
                measuredFrom = System.nanoTime();
            }
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
                long first = Long.MAX_VALUE;
                long last = 0;
                for (long at : times) {
                    first = Math.min(first, at);
                    last = Math.max(last, at);
                }
                long event = events.await(version, Duration.ofSeconds(10));
                long state = arrivals.await(version, Duration.ofSeconds(10));
                toEvent.record(Math.max(0, event - acknowledged));
                eventToState.record(Math.max(0, state - event));
                toState.record(Math.max(0, state - acknowledged));
                stateToSlowest.record(Math.max(0, last - state));
                hops.add(new Hops(version, action, state - acknowledged, first - acknowledged, last - acknowledged));
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
        long measuredMillis = (System.nanoTime() - measuredFrom) / 1_000_000;
        long compiledMillis = jit.getTotalCompilationTime() - compiledBefore;
        http.close();
        String competing = compiledMillis * 10 > measuredMillis ? " (over 10 %: the compiler competes with the kills; raise --warmup)" : "";
        out.printf("JIT: %d ms of compilation (all compiler threads) during the %d ms of measured commands%s%n",
                compiledMillis, measuredMillis, competing);
        out.printf("%d kill/revive commands x %d nodes = %d (command 2xx -> node serving the new version) measurements%n",
                commands, edges.size(), commands * edges.size());
        out.printf("PROPAGATION every node:    %s%n", everyNode.summary().describeMillis());
        out.printf("PROPAGATION slowest node:  %s (per command)%n", slowestNode.summary().describeMillis());
        out.printf("applied before the 2xx reached the driver (counted as 0): %d of %d%n", early, commands * edges.size());
        out.printf("HOP command 2xx -> flag-state record read by the driver's own consumer: %s%n", toState.summary().describeMillis());
        out.printf("  of which 2xx -> flag-events record read (read committed):           %s%n", toEvent.summary().describeMillis());
        out.printf("  and flag-events record read -> flag-state record read (the fold):   %s%n",
                eventToState.summary().describeMillis());
        out.printf("HOP flag-state record read -> slowest node applied:                 %s%n",
                stateToSlowest.summary().describeMillis());
        hops.sort(Comparator.comparingLong(Hops::last).reversed());
        out.printf("the %d slowest commands (ms after the 2xx; negative: before the 2xx reached the driver):%n", slowestShown);
        out.printf("  %-8s %-7s %10s %12s %12s%n", "version", "action", "flag-state", "first node", "last node");
        for (Hops h : hops.subList(0, Math.min(slowestShown, hops.size()))) {
            out.printf("  %-8d %-7s %10.2f %12.2f %12.2f%n", h.version(), h.action(), h.state() / 1e6, h.first() / 1e6,
                    h.last() / 1e6);
        }
    }

    /** One measured command, its hops in nanoseconds after the 2xx reached the driver. */
    private record Hops(long version, String action, long state, long first, long last) {
    }

    /**
     * One of the driver's own consumers (configured like a node's: {@code fetch.max.wait.ms=500}, read committed),
     * which notes when each version of the flag first reached it: on {@code flag-events}, when the command's event
     * became readable (the commit's hop); on {@code flag-state}, when the projection's fold of it did.
     */
    private static final class Arrivals<T extends org.apache.avro.specific.SpecificRecord> implements AutoCloseable {

        private final KafkaConsumer<String, byte[]> consumer;
        private final String topic;
        private final AvroDeserializer<T> values;
        private final java.util.function.ToLongFunction<T> versionOfFlag;
        private final Map<Long, Long> seen = new ConcurrentHashMap<>();
        private final Thread thread;
        private volatile boolean running = true;

        /** @param versionOfFlag the record's version if it is about the measured flag, else -1 */
        Arrivals(String bootstrapServers, String topic, SchemaRegistryClient registry, Class<T> type,
                 java.util.function.ToLongFunction<T> versionOfFlag) {
            this.topic = topic;
            this.values = new AvroDeserializer<>(registry, type);
            this.versionOfFlag = versionOfFlag;
            this.consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 500,
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                    new StringDeserializer(), new ByteArrayDeserializer());
            this.thread = new Thread(this::run, "driver-" + topic);
            this.thread.setDaemon(true);
        }

        static Arrivals<FlagState> states(String bootstrapServers, String topic, SchemaRegistryClient registry) {
            return new Arrivals<>(bootstrapServers, topic, registry, FlagState.class,
                    s -> s.getFlagKey().equals(FLAG) && s.getEnvironment().equals(ENV) ? s.getVersion() : -1);
        }

        static Arrivals<FlagEvent> events(String bootstrapServers, String topic, SchemaRegistryClient registry) {
            return new Arrivals<>(bootstrapServers, topic, registry, FlagEvent.class,
                    e -> e.getFlagKey().equals(FLAG) && e.getEnvironment().equals(ENV) ? e.getVersion() : -1);
        }

        Arrivals<T> start() {
            thread.start();
            return this;
        }

        private void run() {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            while (running) {
                try {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                        long now = System.nanoTime();
                        if (record.value() == null) {
                            continue;
                        }
                        long version = versionOfFlag.applyAsLong(values.deserialize(record.topic(), record.value()));
                        if (version >= 0) {
                            seen.putIfAbsent(version, now);
                        }
                    }
                } catch (WakeupException e) {
                    return;
                }
            }
        }

        long await(long version, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                Long at = seen.get(version);
                if (at != null) {
                    return at;
                }
                // the driver's own consumer thread fills `seen`; the instant it read the record is stamped there,
                // so this poll's 0.2 ms only delays the next command, it does not blur the measurement
                Thread.sleep(0, 200_000);
            }
            throw new IllegalStateException("the driver never read version " + version + " on " + topic);
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            consumer.wakeup();
            thread.join(5_000);
            consumer.close();
        }
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
