package io.flagplane.load;

import io.flagplane.avro.Actor;
import io.flagplane.avro.ActorKind;
import io.flagplane.avro.FlagCreated;
import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.FlagDisabled;
import io.flagplane.avro.FlagEnabled;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagType;
import io.flagplane.avro.RolloutChanged;
import io.flagplane.avro.Serve;
import io.flagplane.avro.Split;
import io.flagplane.avro.TargetList;
import io.flagplane.avro.TargetsChanged;
import io.flagplane.avro.Variant;
import io.flagplane.avro.WeightedVariant;
import io.flagplane.broker.LocalKafkaBroker;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.RecordKeys;
import io.flagplane.contract.TopicNames;
import io.flagplane.contract.Topics;
import io.flagplane.projection.ProjectionConfig;
import io.flagplane.projection.ProjectionService;
import io.flagplane.projection.query.ProjectionQueries;
import io.flagplane.projection.replay.Replay;
import io.flagplane.provisioning.FlagplaneTopics;
import io.flagplane.provisioning.ProvisioningSettings;
import io.flagplane.provisioning.TopicProvisioner;
import io.flagplane.registry.CachingSchemaRegistryClient;
import io.flagplane.registry.RestSchemaRegistryClient;
import io.flagplane.registry.server.SchemaRegistryServer;
import io.flagplane.settings.Settings;
import io.flagplane.wire.AvroSerializer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The projection benchmark (issue 4): writes {@code --events} events over {@code --flags} flags to
 * a real broker (one flag gets {@code --deep-versions} versions, the rest share the remainder),
 * then measures
 * <ol>
 *   <li>the replay tool's rebuild from offset zero (events/s);</li>
 *   <li>time travel on the rebuilt stores in-process: the deep flag as of random instants (p50/p99);</li>
 *   <li>a live projection-service folding the same log from zero (changelogs and outputs on), and
 *       the same time-travel query over its HTTP API.</li>
 * </ol>
 * Broker, registry, replay and projection share this JVM and the machine's cores, as they would
 * on a laptop; figures are printed as they come.
 */
@Command(name = "rebuild", mixinStandardHelpOptions = true,
        description = "Projection rebuild throughput and time-travel latency over a generated event log.")
public final class RebuildBenchmark implements Callable<Integer> {

    @Option(names = "--events", defaultValue = "1000000", description = "events to write (default ${DEFAULT-VALUE})")
    int events;

    @Option(names = "--flags", defaultValue = "10000", description = "flags they are spread over (default ${DEFAULT-VALUE})")
    int flags;

    @Option(names = "--deep-versions", defaultValue = "10000", description = "versions of the one deep flag (default ${DEFAULT-VALUE})")
    int deepVersions;

    @Option(names = "--queries", defaultValue = "2000", description = "time-travel queries per measurement (default ${DEFAULT-VALUE})")
    int queries;

    @Option(names = "--threads", defaultValue = "2", description = "replay threads (default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--rounds", defaultValue = "1", description = "rebuilds in a row in this JVM; the first one runs while the "
            + "JIT compiles the fold, the later ones on compiled code; time travel and verification use the last (default ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--skip-live", description = "measure only the replay, not a live projection-service")
    boolean skipLive;

    PrintStream out = System.out;

    private static final String ENV = "production";
    private static final String DEEP = "bench.deep-flag";
    private static final String LIVE_APPLICATION_ID = "bench-live-projection";
    private static final Actor ACTOR = new Actor("bench@example.com", ActorKind.SERVICE_TOKEN);
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("flagplane-rebuild-bench");
        out.printf("machine: %d cores, %s; max heap %d MiB%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20);
        try (LocalKafkaBroker broker = new LocalKafkaBroker(new LocalKafkaBroker.Settings(dir.resolve("kafka"), "127.0.0.1",
                freePort(), freePort())).start(Duration.ofSeconds(60))) {
            TopicNames topics = TopicNames.DEFAULT;
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                new TopicProvisioner(admin, Duration.ofSeconds(30)).provision(FlagplaneTopics.all(topics, ProvisioningSettings.local()));
            }
            try (SchemaRegistryServer registryServer = SchemaRegistryServer.start(SchemaRegistryServer.Settings.local(
                    broker.bootstrapServers(), Topics.SCHEMAS, freePort()))) {
                var registry = new CachingSchemaRegistryClient(new RestSchemaRegistryClient(registryServer.url()));
                Span deep = write(broker.bootstrapServers(), topics, registry);
                try (Replay replay = replay(broker.bootstrapServers(), topics, registry, dir, deep)) {
                    if (!skipLive) {
                        live(broker.bootstrapServers(), registryServer.url(), dir, deep);
                        verify(replay);
                    }
                }
            }
        }
        return 0;
    }

    // ------------------------------------------------------------------ the event log

    /** When the deep flag was created and last changed. */
    private record Span(Instant from, Instant to) {
    }

    /** Writes the log; returns the deep flag's life span. */
    private Span write(String bootstrap, TopicNames topics, CachingSchemaRegistryClient registry) throws Exception {
        AvroSerializer<FlagEvent> serializer = new AvroSerializer<>(registry, true);
        int others = flags - 1;
        int remaining = events - deepVersions;
        long[] versions = new long[flags];
        List<Integer> order = new ArrayList<>(events);
        for (int i = 0; i < deepVersions; i++) {
            order.add(0);
        }
        for (int i = 0; i < remaining; i++) {
            order.add(1 + i % others);
        }
        // interleave: the log is one history, not one flag after another
        Collections.shuffle(order, new Random(42));
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "rebuild-bench-writer");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        long started = System.nanoTime();
        long bytes = 0;
        Instant deepStart = null;
        Instant deepEnd = T0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            SplittableRandom random = new SplittableRandom(7);
            for (int n = 0; n < order.size(); n++) {
                if (n % 2_000 == 0) {
                    if (n > 0) {
                        producer.commitTransaction();
                    }
                    producer.beginTransaction();
                }
                int flag = order.get(n);
                long version = ++versions[flag];
                String key = flag == 0 ? DEEP : "bench.flag-" + flag;
                Instant at = T0.plusMillis(n * 10L);   // one change every 10 ms: a million span ~3 hours
                if (flag == 0) {
                    deepStart = deepStart == null ? at : deepStart;
                    deepEnd = at;
                }
                FlagEvent event = FlagEvent.newBuilder()
                        .setEventId(UUID.randomUUID().toString())
                        .setEnvironment(ENV)
                        .setFlagKey(key)
                        .setVersion(version)
                        .setOccurredAt(at)
                        .setActor(ACTOR)
                        .setReason(version % 7 == 0 ? "ramp step " + version : null)
                        .setPayload(payload(key, version, random))
                        .build();
                byte[] value = serializer.serialize(topics.flagEvents(), event);
                bytes += value.length;
                producer.send(new ProducerRecord<>(topics.flagEvents(), RecordKeys.of(ENV, key), value));
            }
            producer.commitTransaction();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        out.printf("wrote %,d events (%,d flags; %s has %,d versions; %.0f bytes each on average) in %.1f s%n", events, flags, DEEP,
                deepVersions, (double) bytes / events, seconds);
        return new Span(deepStart, deepEnd);
    }

    /** Version 1 creates the flag; later versions ramp, toggle and target, like seed 001's rollout. */
    private static Object payload(String key, long version, SplittableRandom random) {
        if (version == 1) {
            return new FlagCreated(FlagDefinition.newBuilder()
                    .setType(FlagType.BOOLEAN)
                    .setDescription("benchmark flag " + key)
                    .setTags(List.of("bench", "team-" + (key.hashCode() & 7)))
                    .setVariants(List.of(new Variant("on", "true", null), new Variant("off", "false", null)))
                    .setOffVariant("off")
                    .setFallthrough(Serve.newBuilder().setVariant("on").build())
                    .setSalt(key)
                    .build(), true);
        }
        return switch ((int) (version % 4)) {
            case 0 -> new FlagDisabled();
            case 1 -> new FlagEnabled();
            case 2 -> {
                int weight = 100 * (1 + random.nextInt(99));
                yield new RolloutChanged(null, new Split(List.of(new WeightedVariant("on", weight),
                        new WeightedVariant("off", 10_000 - weight)), null));
            }
            // allow lists stay short, as real ones do: each change adds one user and removes the one added 40 changes before
            default -> new TargetsChanged(TargetList.ALLOW, "on", List.of("user-" + version), version > 160
                    ? List.of("user-" + (version - 160)) : List.of());
        };
    }

    // ------------------------------------------------------------------ the replay

    /** Rebuilds and measures; the replay stays open for {@link #verify}. */
    private Replay replay(String bootstrap, TopicNames topics, CachingSchemaRegistryClient registry, Path dir, Span deepSpan)
            throws Exception {
        Replay.Options options = new Replay.Options(bootstrap, topics, LIVE_APPLICATION_ID, dir.resolve("replay"), threads, out);
        for (int round = 1; round < rounds; round++) {
            try (Replay earlier = new Replay(options, registry)) {
                Replay.Result result = earlier.rebuild(Duration.ofMinutes(30));
                out.printf("REPLAY rebuild, round %d of %d: %,d events in %.2f s = %,.0f events/s (%d threads)%n", round, rounds,
                        result.events(), result.took().toNanos() / 1e9, result.eventsPerSecond(), threads);
            }
        }
        Replay replay = new Replay(options, registry);
        try {
            Replay.Result result = replay.rebuild(Duration.ofMinutes(30));
            out.printf("REPLAY rebuild%s: %,d events in %.2f s = %,.0f events/s (%d threads)%n",
                    rounds > 1 ? ", round " + rounds + " of " + rounds : "", result.events(),
                    result.took().toNanos() / 1e9, result.eventsPerSecond(), threads);
            ProjectionQueries rebuilt = replay.queries();
            FlagRef deep = new FlagRef(ENV, DEEP);
            // warm up, then measure
            timeTravel("warm-up", instant -> rebuilt.state(deep, instant, null), deepSpan, Math.min(500, queries));
            Latencies.Summary summary = timeTravel("in-process", instant -> rebuilt.state(deep, instant, null), deepSpan, queries);
            out.printf("REPLAY time travel (in-process, %s as of a random instant, %,d versions): %s%n", DEEP, deepVersions,
                    summary.describeMillis());
            return replay;
        } catch (Exception | Error e) {
            replay.close();
            throw e;
        }
    }

    /** Promise 4 at this size: the rebuild against the live projection's changelogs, byte for byte. */
    private void verify(Replay replay) throws InterruptedException {
        long started = System.nanoTime();
        var report = replay.verify(Duration.ofMinutes(2));
        out.printf("VERIFY rebuild vs live (byte for byte, %,d entries identical): %s in %.1f s%n", report.identical(),
                report.ok() ? "IDENTICAL" : "DIFFERENT", (System.nanoTime() - started) / 1e9);
        if (!report.ok()) {
            throw new IllegalStateException("the rebuild differs from the live projection: " + report);
        }
    }

    private interface Query {
        Object at(Instant instant);
    }

    private Latencies.Summary timeTravel(String label, Query query, Span deepSpan, int count) {
        SplittableRandom random = new SplittableRandom(11);
        long span = Duration.between(deepSpan.from(), deepSpan.to()).toMillis();
        Latencies latencies = new Latencies();
        for (int i = 0; i < count; i++) {
            Instant at = deepSpan.from().plusMillis(random.nextLong(span + 1));
            long started = System.nanoTime();
            Object state = query.at(at);
            latencies.record(System.nanoTime() - started);
            if (state == null) {
                throw new IllegalStateException(label + ": no state at " + at);
            }
        }
        return latencies.summary();
    }

    // ------------------------------------------------------------------ the live projection

    private void live(String bootstrap, String registryUrl, Path dir, Span deepSpan) throws Exception {
        ProjectionService projection = ProjectionService.start(ProjectionConfig.from(Settings.of(Map.of(
                "kafka.bootstrap.servers", bootstrap,
                "schema.registry.url", registryUrl,
                "projection.host", "127.0.0.1",
                "projection.port", "0",
                "projection.application.id", LIVE_APPLICATION_ID,
                "projection.state.dir", dir.resolve("live").toString(),
                "projection.auth.enabled", "false"))));
        try {
            long started = System.nanoTime();
            long lastReport = started;
            while (projection.metrics().seen() < events) {
                Thread.sleep(100);
                if (System.nanoTime() - lastReport > 5_000_000_000L) {
                    lastReport = System.nanoTime();
                    out.printf("  … live projection folded %,d events%n", projection.metrics().seen());
                }
                if (System.nanoTime() - started > Duration.ofMinutes(30).toNanos()) {
                    throw new IllegalStateException("the live projection did not fold the log within 30 minutes");
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            out.printf("LIVE projection (changelogs, flag-state output, linger 0) folded %,d events from zero in %.1f s = %,.0f events/s%n",
                    events, seconds, events / seconds);
            HttpConnection http = new HttpConnection(URI.create(projection.url()), 30_000);
            Query overHttp = instant -> {
                try {
                    HttpConnection.Response response = http.exchange("GET", "/api/v1/environments/" + ENV + "/flags/" + DEEP
                            + "?asOf=" + instant, null, null);
                    if (response.status() != 200) {
                        throw new IllegalStateException("HTTP " + response.status() + ": " + response.body());
                    }
                    return response.body();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            };
            timeTravel("warm-up", overHttp, deepSpan, Math.min(500, queries));
            Latencies.Summary summary = timeTravel("http", overHttp, deepSpan, queries);
            out.printf("LIVE time travel (GET …/flags/%s?asOf=<random instant> over HTTP, %,d versions): %s%n", DEEP, deepVersions,
                    summary.describeMillis());
            http.close();
        } finally {
            projection.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
