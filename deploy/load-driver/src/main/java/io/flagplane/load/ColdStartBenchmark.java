package io.flagplane.load;

import io.flagplane.avro.Actor;
import io.flagplane.avro.ActorKind;
import io.flagplane.avro.ChangeInfo;
import io.flagplane.avro.Condition;
import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.FlagType;
import io.flagplane.avro.Rule;
import io.flagplane.avro.Serve;
import io.flagplane.avro.Split;
import io.flagplane.avro.Target;
import io.flagplane.avro.Variant;
import io.flagplane.avro.WeightedVariant;
import io.flagplane.contract.RecordKeys;
import io.flagplane.edge.EdgeConfig;
import io.flagplane.edge.EdgeNode;
import io.flagplane.ruleset.Ruleset;
import io.flagplane.wire.AvroSerializer;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.openjdk.jol.info.GraphLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Edge cold start (issue 6): {@code --flags} flags on {@code flag-state} (a realistic mix: plain
 * booleans, flags with tier / country / version rules, percentage splits with allow lists), then
 * a new edge node: the time from start to ready (its ruleset has read everything there was), and
 * the heap its ruleset holds, measured by walking the object graph (JOL), not by GC arithmetic.
 */
@Command(name = "cold-start", mixinStandardHelpOptions = true,
        description = "Edge node cold start with many flags: time to ready and heap held by the ruleset.")
public final class ColdStartBenchmark implements Callable<Integer> {

    private static final String ENV = "production";

    @Option(names = "--flags", defaultValue = "10000", description = "flags on flag-state (default ${DEFAULT-VALUE})")
    int flags;

    @Option(names = "--runs", defaultValue = "3", description = "node starts measured (default ${DEFAULT-VALUE})")
    int runs;

    PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        // JOL reads field offsets of records (the engine's results are records) only this way
        System.setProperty("jol.magicFieldOffset", "true");
        out.printf("machine: %d cores, %s %s%n", Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"));
        try (BenchStack stack = new BenchStack()) {
            long bytes = publish(stack);
            out.printf("published %,d flags to flag-state (%,d bytes of Avro, %.0f per flag)%n", flags, bytes, (double) bytes / flags);
            for (int run = 1; run <= runs; run++) {
                long started = System.nanoTime();
                try (EdgeNode node = EdgeNode.start(EdgeConfig.open("127.0.0.1", 0, stack.bootstrapServers(), stack.registry.url(),
                        stack.topics, List.of(ENV)))) {
                    if (!node.awaitReady(Duration.ofSeconds(60))) {
                        throw new IllegalStateException("the node was not ready within 60 s");
                    }
                    double seconds = (System.nanoTime() - started) / 1e9;
                    Ruleset ruleset = node.ruleset().current();
                    if (ruleset.size() != flags) {
                        throw new IllegalStateException("ready with " + ruleset.size() + " flags, expected " + flags);
                    }
                    long held = GraphLayout.parseInstance(ruleset).totalSize();
                    out.printf("COLD START run %d: ready in %.3f s with %,d flags; the ruleset holds %.1f MiB (%,d bytes, %.0f per flag)%n",
                            run, seconds, ruleset.size(), held / 1048576.0, held, (double) held / flags);
                }
            }
            out.printf("JVM uptime %.1f s, heap in use now %.0f MiB%n", ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0,
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0);
        }
        return 0;
    }

    long publish(BenchStack stack) throws Exception {
        AvroSerializer<FlagState> serializer = new AvroSerializer<>(stack.registryClient, true);
        SplittableRandom random = new SplittableRandom(3);
        long bytes = 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.bootstrapServers(),
                "linger.ms", 20, "batch.size", 262_144), new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < flags; i++) {
                FlagState state = flag(i, random);
                byte[] value = serializer.serialize(stack.topics.flagState(), state);
                bytes += value.length;
                producer.send(new ProducerRecord<>(stack.topics.flagState(), RecordKeys.of(ENV, state.getFlagKey()), value));
            }
            producer.flush();
        }
        TimeUnit.MILLISECONDS.sleep(200);
        return bytes;
    }

    /** 60 % plain booleans, 30 % with rules, 10 % percentage rollouts with an allow list. */
    static FlagState flag(int i, SplittableRandom random) {
        String key = "team-" + (i % 40) + ".feature-" + i;
        FlagDefinition.Builder definition = FlagDefinition.newBuilder()
                .setType(FlagType.BOOLEAN)
                .setDescription("cold-start flag " + i + " owned by team " + (i % 40))
                .setTags(List.of("team-" + (i % 40), i % 3 == 0 ? "checkout" : "growth"))
                .setOwner("team-" + (i % 40) + "@example.com")
                .setVariants(List.of(new Variant("on", "true", null), new Variant("off", "false", null)))
                .setOffVariant("off")
                .setFallthrough(Serve.newBuilder().setVariant(i % 2 == 0 ? "on" : "off").build())
                .setSalt(key);
        int kind = i % 10;
        if (kind >= 6 && kind <= 8) {
            List<Rule> rules = new ArrayList<>();
            rules.add(new Rule("tiers", null, List.of(new Condition("tier", "in", List.of("pro", "enterprise", "team"))),
                    Serve.newBuilder().setVariant("on").build()));
            rules.add(new Rule("countries", null, List.of(new Condition("country", "in", List.of("DE", "FR", "NL", "BE", "AT")),
                    new Condition("appVersion", "semver_gte", List.of("4." + (i % 9) + ".0"))), Serve.newBuilder().setVariant("on").build()));
            definition.setRules(rules);
        } else if (kind == 9) {
            int weight = 100 * (1 + random.nextInt(99));
            definition.setFallthrough(Serve.newBuilder().setSplit(new Split(List.of(new WeightedVariant("on", weight),
                    new WeightedVariant("off", 10_000 - weight)), null)).build());
            List<String> beta = new ArrayList<>();
            for (int b = 0; b < 10; b++) {
                beta.add("user-" + random.nextInt(1_000_000));
            }
            definition.setAllowList(List.of(new Target("on", beta)));
        }
        return FlagState.newBuilder()
                .setEnvironment(ENV)
                .setFlagKey(key)
                .setVersion(1 + random.nextInt(20))
                .setDefinition(definition.build())
                .setEnabled(true)
                .setKilled(false)
                .setArchived(false)
                .setCreatedAt(Instant.parse("2026-01-01T00:00:00Z"))
                .setLastChange(new ChangeInfo("e-" + i, "FlagEnabled", Instant.parse("2026-06-01T00:00:00Z"),
                        new Actor("bench", ActorKind.SERVICE_TOKEN), null, null))
                .build();
    }
}
