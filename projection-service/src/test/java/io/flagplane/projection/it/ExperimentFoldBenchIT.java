package io.flagplane.projection.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.avro.ValueAggregation;
import io.flagplane.contract.RecordKeys;
import io.flagplane.projection.ProjectionConfig;
import io.flagplane.projection.ProjectionService;
import io.flagplane.projection.experiments.ExperimentDriver;
import io.flagplane.projection.experiments.Experiments;
import io.flagplane.testkit.http.Api;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import io.flagplane.wire.AvroSerializer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A measurement, not a timed test (run with {@code -Dbench.experiments=true}; {@code -Dbench.users=N},
 * default 200,000). Seed 003's experiment with three metrics (a conversion, revenue summed and
 * averaged); per user one exposure (every fifth twice) and one or two tracked events (page views,
 * 12 %/15 % bookings, revenue on bookings). Figures printed:
 * <ol>
 *   <li>the fold alone, in-process ({@code TopologyTestDriver}: processor, RocksDB stores, serdes; no broker);</li>
 *   <li>a projection-service folding the same records from offset zero on the in-JVM broker (changelogs on, as live);</li>
 *   <li>{@code GET …/results} over HTTP on that projection, 1,000 requests after 100 warm-up ones.</li>
 * </ol>
 */
@ExtendWith(SharedTestStack.class)
@EnabledIfSystemProperty(named = "bench.experiments", matches = "true")
class ExperimentFoldBenchIT {

    private record Rec(boolean exposure, String key, SpecificRecord value, long timestamp) {
    }

    private static List<Rec> workload(int users) {
        SplittableRandom random = new SplittableRandom(13);
        List<Rec> all = new ArrayList<>(users * 3);
        Instant base = Instant.now().minus(Duration.ofMinutes(30));
        for (int u = 0; u < users; u++) {
            String user = "user-" + u;
            String variant = random.nextBoolean() ? "control" : "upfront-fees";
            long at = base.toEpochMilli() + (long) u * 1_800_000L / users;
            String key = RecordKeys.ofUser(Experiments.ENV, user);
            all.add(new Rec(true, key, Experiments.exposure(user, variant, Instant.ofEpochMilli(at)), at));
            if (u % 5 == 0) {
                all.add(new Rec(true, key, Experiments.exposure(user, variant, Instant.ofEpochMilli(at + 1_000)), at + 1_000));
            }
            boolean books = random.nextDouble() < (variant.equals("control") ? 0.12 : 0.15);
            all.add(new Rec(false, key, Experiments.event(user, user + "-v", "page_viewed", null, Instant.ofEpochMilli(at + 2_000)),
                    at + 2_000));
            if (books) {
                all.add(new Rec(false, key, Experiments.event(user, user + "-b", "booking_confirmed", 20 + random.nextDouble() * 80,
                        Instant.ofEpochMilli(at + 3_000)), at + 3_000));
            }
        }
        return all;
    }

    private static Experiments experiment() {
        return Experiments.pricingDisplayTest().conversion("booking_confirmed", 168)
                .value("booking_confirmed", ValueAggregation.SUM, 168).value("booking_confirmed", ValueAggregation.MEAN, 168);
    }

    /**
     * The results query at a size: {@code -Dbench.exposures=10000000} exposure records (every user exposed
     * {@code -Dbench.repeats=5} times, as evaluators on several nodes or after restarts would log them) and
     * a booking for 12 %/15 % of users, written as a stream (no list in memory), folded by a projection
     * from offset zero, then {@code GET …/results} timed. Skips the other measurement when set.
     */
    @Test
    @EnabledIfSystemProperty(named = "bench.exposures", matches = "[0-9]+")
    void results_latency_at_many_exposures(TestStack stack) throws Exception {
        long exposures = Long.getLong("bench.exposures");
        int repeats = Integer.getInteger("bench.repeats", 5);
        long users = exposures / repeats;
        try (ProjectionFixture fixture = new ProjectionFixture(stack, "expquery", 0)) {
            stack.publishStates(fixture.topics.flagState(), experiment().flagState());
            AvroSerializer<SpecificRecord> serializer = new AvroSerializer<>(stack.registryClient(), true);
            SplittableRandom random = new SplittableRandom(17);
            long base = Instant.now().minus(Duration.ofMinutes(30)).toEpochMilli();
            long records = 0;
            long writeStarted = System.nanoTime();
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, 20,
                    ProducerConfig.BATCH_SIZE_CONFIG, 262_144, ProducerConfig.ACKS_CONFIG, "1"),
                    new StringSerializer(), new ByteArraySerializer())) {
                for (long u = 0; u < users; u++) {
                    String user = "user-" + u;
                    String key = RecordKeys.ofUser(Experiments.ENV, user);
                    String variant = random.nextBoolean() ? "control" : "upfront-fees";
                    long at = base + u * 1_800_000L / users;
                    for (int r = 0; r < repeats; r++) {
                        String topic = fixture.topics.flagExposures();
                        producer.send(new ProducerRecord<>(topic, null, at + r, key,
                                serializer.serialize(topic, Experiments.exposure(user, variant, Instant.ofEpochMilli(at + r)))));
                        records++;
                    }
                    if (random.nextDouble() < (variant.equals("control") ? 0.12 : 0.15)) {
                        String topic = fixture.topics.trackingEvents();
                        producer.send(new ProducerRecord<>(topic, null, at + 10, key, serializer.serialize(topic,
                                Experiments.event(user, user + "-b", "booking_confirmed", 20 + random.nextDouble() * 80,
                                        Instant.ofEpochMilli(at + 10)))));
                        records++;
                    }
                }
                producer.flush();
            }
            System.out.printf("written %,d records (%,d exposures of %,d users) in %.1f s%n", records, exposures, users,
                    (System.nanoTime() - writeStarted) / 1e9);
            fold(stack, fixture, records);
        }
    }

    @Test
    void fold_throughput_and_results_latency(TestStack stack) throws Exception {
        if (Long.getLong("bench.exposures") != null) {
            return;
        }
        int users = Integer.getInteger("bench.users", 200_000);
        List<Rec> records = workload(users);
        long exposures = records.stream().filter(Rec::exposure).count();
        System.out.printf("workload: %,d users, %,d records (%,d exposures, %,d tracked events)%n", users, records.size(), exposures,
                records.size() - exposures);

        // 1. the fold alone
        try (ExperimentDriver driver = new ExperimentDriver()) {
            driver.publish(experiment().flagState());
            AvroSerializer<SpecificRecord> local = new AvroSerializer<>(driver.registry, true);
            List<byte[]> bytes = new ArrayList<>(records.size());
            for (Rec r : records) {
                bytes.add(local.serialize(r.exposure() ? "flag-exposures" : "tracking-events", r.value()));
            }
            long started = System.nanoTime();
            for (int i = 0; i < records.size(); i++) {
                Rec r = records.get(i);
                driver.sendRaw(r.exposure(), r.key(), bytes.get(i), Instant.ofEpochMilli(r.timestamp()));
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("fold alone (TopologyTestDriver, RocksDB, no broker): %,d records in %.2f s = %,.0f records/s%n",
                    records.size(), seconds, records.size() / seconds);
            assertThat(driver.totals(Experiments.KEY).users()).isEqualTo(users);
        }

        // 2. a projection-service folding them from offset zero
        try (ProjectionFixture fixture = new ProjectionFixture(stack, "expbench", 0)) {
            stack.publishStates(fixture.topics.flagState(), experiment().flagState());
            AvroSerializer<SpecificRecord> serializer = new AvroSerializer<>(stack.registryClient(), true);
            long writeStarted = System.nanoTime();
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, 20,
                    ProducerConfig.BATCH_SIZE_CONFIG, 262_144, ProducerConfig.ACKS_CONFIG, "1"),
                    new StringSerializer(), new ByteArraySerializer())) {
                for (Rec r : records) {
                    String topic = r.exposure() ? fixture.topics.flagExposures() : fixture.topics.trackingEvents();
                    producer.send(new ProducerRecord<>(topic, null, r.timestamp(), r.key(), serializer.serialize(topic, r.value())));
                }
                producer.flush();
            }
            System.out.printf("written to the broker in %.1f s%n", (System.nanoTime() - writeStarted) / 1e9);

            fold(stack, fixture, records.size());
        }
    }

    /** A projection-service folding {@code total} records from offset zero, then {@code GET …/results} timed over HTTP. */
    private static void fold(TestStack stack, ProjectionFixture fixture, long total) throws Exception {
        Path state = Files.createTempDirectory(Path.of("target"), "expbench");
        long started = System.nanoTime();
        try (ProjectionService projection = ProjectionService.start(ProjectionConfig.from(fixture.settings(Map.of(
                "projection.port", "0", "projection.host", "127.0.0.1",
                "projection.application.id", TestStack.uniqueName("expbench"),
                "projection.state.dir", state.toString()))), fixture.clock)) {
            long firstSeen = 0;
            long lastReport = System.nanoTime();
            while (projection.experiments().folded() < total) {
                Thread.sleep(50);   // the benchmark's progress poll (its resolution), bounded by the 30-minute deadline below
                long folded = projection.experiments().folded();
                if (firstSeen == 0 && folded > 0) {
                    firstSeen = System.nanoTime();
                }
                if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(5)) {
                    System.out.printf("  … %,d folded%n", folded);
                    lastReport = System.nanoTime();
                }
                if (System.nanoTime() - started > TimeUnit.MINUTES.toNanos(30)) {
                    throw new IllegalStateException("not folded within 30 minutes");
                }
            }
            long done = System.nanoTime();
            System.out.printf("projection-service from offset zero: %,d records, %.2f s from start (%,.0f records/s), %.2f s from "
                            + "its first record (%,.0f records/s)%n", total, (done - started) / 1e9,
                    total / ((done - started) / 1e9), (done - firstSeen) / 1e9, total / ((done - firstSeen) / 1e9));

            // 3. results over HTTP
            Api api = new Api(projection.url(), fixture.admin);
            String path = "/api/v1/environments/production/experiments/" + Experiments.KEY + "/results";
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> api.get(path).status() == 200);
            JsonNode body = api.get(path).body();
            System.out.printf("results: %,d users, %,d exposures%n", body.get("users").asLong(), body.get("exposures").asLong());
            for (int i = 0; i < 100; i++) {
                api.get(path);
            }
            long[] micros = new long[1_000];
            for (int i = 0; i < micros.length; i++) {
                long t0 = System.nanoTime();
                Api.Response response = api.get(path);
                micros[i] = (System.nanoTime() - t0) / 1_000;
                assertThat(response.status()).isEqualTo(200);
            }
            java.util.Arrays.sort(micros);
            System.out.printf("GET …/results over HTTP (%,d exposures, 1,000 requests): p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    body.get("exposures").asLong(), micros[500] / 1000.0, micros[990] / 1000.0, micros[999] / 1000.0);
        }
    }
}
