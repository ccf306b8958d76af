package io.flagplane.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.auth.Role;
import io.flagplane.auth.TokenRegistry;
import io.flagplane.avro.ActorKind;
import io.flagplane.avro.Exposure;
import io.flagplane.contract.RecordKeys;
import io.flagplane.wire.AvroSerializer;
import java.time.Instant;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import io.flagplane.command.CommandService;
import io.flagplane.command.CommandServiceConfig;
import io.flagplane.contract.TopicNames;
import io.flagplane.edge.EdgeConfig;
import io.flagplane.edge.EdgeNode;
import io.flagplane.evaluation.EvaluationContext;
import io.flagplane.projection.ProjectionConfig;
import io.flagplane.projection.ProjectionService;
import io.flagplane.sdk.FlagplaneClient;
import io.flagplane.settings.Settings;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 13's "done when", end to end on the real broker: seed 003's {@code pricing-display-test}
 * (control vs upfront-fees, 50/50) is created and launched through the command-service; 50,000
 * users are evaluated, 10,000 through an edge node over OFREP and 40,000 in-process through the
 * SDK, which log their exposures; the users convert with a known true lift (10 % against 13 %),
 * tracked through the edge's {@code POST /api/v1/track} and the SDK's {@code track()}; the
 * projection's results must show exactly the users and conversions the driver made, the true lift
 * inside its interval and no sample-ratio mismatch. Then pause, resume and stop behave as seed 003
 * says, and a deliberately skewed assignment raises the SRM flag.
 */
@ExtendWith(SharedTestStack.class)
class ExperimentEndToEndIT {

    private static final String ENV = "production";
    private static final String EXPERIMENT = "pricing-display-test";
    private static final int EDGE_USERS = 10_000;
    private static final int SDK_USERS = 40_000;
    private static final double CONTROL_RATE = 0.10;
    private static final double UPFRONT_RATE = 0.13;

    private final String token = TokenRegistry.newToken();
    private CommandService command;
    private ProjectionService projection;
    private EdgeNode edge;
    private FlagplaneClient sdk;
    private TopicNames topics;

    @BeforeEach
    void start(TestStack stack) throws Exception {
        topics = stack.newTopics("exp");
        String prefix = topics.flagEvents().replace("flag-events", "");
        Path tokens = Files.createTempFile(Path.of("target"), "tokens", ".json");
        Files.writeString(tokens, "{\"tokens\":[" + TokenRegistry.entry("exp-admin", ActorKind.SERVICE_TOKEN,
                Map.of("*", Role.ADMIN), token) + "]}");
        Settings settings = Settings.of(Map.of(
                "kafka.bootstrap.servers", stack.bootstrapServers(),
                "schema.registry.url", stack.schemaRegistryUrl(),
                "topic.prefix", prefix,
                "command.tokens.file", tokens.toString())).with(Map.of(
                "command.host", "127.0.0.1", "command.port", "0",
                "command.transactional.id", TestStack.uniqueName("exp-writer"),
                "projection.host", "127.0.0.1", "projection.port", "0",
                "projection.application.id", TestStack.uniqueName("exp-projection"),
                "projection.state.dir", Files.createTempDirectory(Path.of("target"), "streams").toString(),
                "edge.host", "127.0.0.1", "edge.port", "0"));
        command = CommandService.start(CommandServiceConfig.from(settings));
        projection = ProjectionService.start(ProjectionConfig.from(settings));
        edge = EdgeNode.start(EdgeConfig.from(settings));
        sdk = FlagplaneClient.builder().bootstrapServers(stack.bootstrapServers()).schemaRegistryUrl(stack.schemaRegistryUrl())
                .environment(ENV).topicPrefix(prefix).build();
        assertThat(projection.awaitRunning(Duration.ofSeconds(60))).isTrue();
        assertThat(edge.awaitReady(Duration.ofSeconds(30))).isTrue();
        assertThat(sdk.awaitReady(Duration.ofSeconds(30))).isTrue();
    }

    @AfterEach
    void stop() {
        sdk.close();
        edge.close();
        projection.close();
        command.close();
    }

    private String experiments() {
        return command.url() + "/api/v1/environments/" + ENV + "/experiments";
    }

    private String results(String key) {
        return projection.url() + "/api/v1/environments/" + ENV + "/experiments/" + key + "/results";
    }

    /** Seed 003's shape: key, description, variants with relative weights; the flag comes with it. */
    private String createSeed003(String key) {
        Http.Response created = Http.post(experiments(), """
                {"key":"%s","description":"Test showing fees upfront vs at checkout",
                 "variants":[{"name":"control","weight":50},{"name":"upfront-fees","weight":50}],
                 "primaryMetric":{"eventKey":"booking_confirmed","kind":"conversion"}}""".formatted(key), token);
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        return created.body().path("experiment").path("flagKey").asText(created.body().path("flagKey").asText());
    }

    private Http.Response lifecycle(String key, String step, String body) {
        return Http.post(experiments() + "/" + key + "/" + step, body, token);
    }

    private Http.Response evaluateAtEdge(String flagKey, String user) {
        return Http.post(edge.url() + "/ofrep/v1/evaluate/flags/" + flagKey, "{\"context\":{\"targetingKey\":\"" + user + "\"}}",
                token);
    }

    /** Waits until the edge and the SDK serve the running experiment's split. */
    private void awaitServing(String flagKey, long version) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            JsonNode at = evaluateAtEdge(flagKey, "probe").body();
            assertThat(at.path("metadata").path("flagVersion").asLong()).isGreaterThanOrEqualTo(version);
            assertThat(sdk.stringDetail(flagKey, "none", EvaluationContext.of("probe")).flagVersion()).isGreaterThanOrEqualTo(version);
        });
    }

    @Test
    void seed_003_pricing_display_test_from_launch_to_winner() throws Exception {
        String flagKey = createSeed003(EXPERIMENT);
        Http.Response launched = lifecycle(EXPERIMENT, "launch", "{\"reason\":\"hypothesis: upfront fees convert better\"}");
        assertThat(launched.status()).as(launched.body().toString()).isEqualTo(200);
        awaitServing(flagKey, launched.body().path("version").asLong());

        // 50,000 users: the first 10,000 through the edge (OFREP), the rest in-process through the SDK
        Map<String, long[]> served = new HashMap<>(); // variant -> {users, conversions}
        // the probe that waited for the launch at the edge and in the SDK is one exposed user too
        tally(served, sdk.getString(flagKey, "none", EvaluationContext.of("probe")), false);
        List<String[]> edgeConversions = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < EDGE_USERS; i++) {
                String user = "user-" + i;
                answers.add(pool.submit(() -> {
                    Http.Response r = evaluateAtEdge(flagKey, user);
                    assertThat(r.status()).isEqualTo(200);
                    return r.body().path("variant").asText();
                }));
            }
            for (int i = 0; i < EDGE_USERS; i++) {
                String variant = answers.get(i).get();
                boolean converts = converts(i, variant);
                tally(served, variant, converts);
                if (converts) {
                    edgeConversions.add(new String[] {"user-" + i});
                }
            }
        } finally {
            pool.shutdown();
        }
        for (int from = 0; from < edgeConversions.size(); from += 500) {
            StringBuilder batch = new StringBuilder("{\"events\":[");
            for (int i = from; i < Math.min(from + 500, edgeConversions.size()); i++) {
                batch.append(i == from ? "" : ",").append("{\"eventKey\":\"booking_confirmed\",\"targetingKey\":\"")
                        .append(edgeConversions.get(i)[0]).append("\"}");
            }
            Http.Response tracked = Http.post(edge.url() + "/api/v1/track", batch.append("]}").toString(), token);
            assertThat(tracked.status()).as(tracked.body().toString()).isEqualTo(202);
        }
        for (int i = EDGE_USERS; i < EDGE_USERS + SDK_USERS; i++) {
            EvaluationContext context = EvaluationContext.of("user-" + i);
            String variant = sdk.getString(flagKey, "none", context);
            boolean converts = converts(i, variant);
            tally(served, variant, converts);
            if (converts) {
                assertThat(sdk.track("booking_confirmed", context)).isTrue();
            }
            if ((i + 1) % 2_000 == 0) {
                // a service evaluates at its users' pace, not in a loop: let the buffers drain between bursts
                awaitSdkDrained();
            }
        }
        awaitSdkDrained();
        assertThat(served.keySet()).containsExactlyInAnyOrder("control", "upfront-fees");

        JsonNode result = awaitResults(EXPERIMENT, served);
        JsonNode comparison = find(primary(result).path("comparisons"), "variant", "upfront-fees").path("fixedHorizon");
        double trueLift = UPFRONT_RATE / CONTROL_RATE - 1;
        assertThat(comparison.path("relativeLiftCi").path(0).asDouble()).as(result.toString()).isLessThan(trueLift);
        assertThat(comparison.path("relativeLiftCi").path(1).asDouble()).as(result.toString()).isGreaterThan(trueLift);
        assertThat(comparison.path("significant").asBoolean()).as("a 30 % lift on 25,000 users an arm").isTrue();
        assertThat(result.path("sampleRatio").path("mismatch").asBoolean()).as(result.toString()).isFalse();
        assertThat(result.path("mixedUsers").asLong()).isZero();
        System.out.printf("seed 003 end to end: %s; lift %.4f (true %.2f), 95 %% CI %s, p %.3g; always-valid p %.3g, CI of the "
                        + "difference %s; SRM p %.3f%n", primary(result).path("variants"), comparison.path("relativeLift").asDouble(),
                trueLift, comparison.path("relativeLiftCi"), comparison.path("pValue").asDouble(),
                find(primary(result).path("comparisons"), "variant", "upfront-fees").path("alwaysValid").path("pValue").asDouble(),
                find(primary(result).path("comparisons"), "variant", "upfront-fees").path("alwaysValid").path("differenceCi"),
                result.path("sampleRatio").path("pValue").asDouble());

        // pause: the flag keeps serving its split (sticky), but nothing is measured
        Http.Response paused = lifecycle(EXPERIMENT, "pause", "{}");
        assertThat(paused.status()).isEqualTo(200);
        awaitServing(flagKey, paused.body().path("version").asLong());
        for (int i = 0; i < 200; i++) {
            assertThat(sdk.getString(flagKey, "none", EvaluationContext.of("user-" + i))).isNotEqualTo("none");
            sdk.getString(flagKey, "none", EvaluationContext.of("paused-" + i));
        }
        assertThat(Http.put(experiments() + "/" + EXPERIMENT, "{\"primaryMetric\":{\"eventKey\":\"x\",\"kind\":\"conversion\"}}",
                token).status()).as("no edits while it runs or is paused").isEqualTo(409);

        // resume: measured again; the paused users never count, the new ones do
        Http.Response resumed = lifecycle(EXPERIMENT, "resume", "{}");
        assertThat(resumed.status()).isEqualTo(200);
        awaitServing(flagKey, resumed.body().path("version").asLong());
        for (int i = 0; i < 100; i++) {
            String variant = sdk.getString(flagKey, "none", EvaluationContext.of("resumed-" + i));
            tally(served, variant, false);
        }
        awaitResults(EXPERIMENT, served);

        // stop with a winner: everyone gets it; stopped is final
        Http.Response stopped = lifecycle(EXPERIMENT, "stop", "{\"winner\":\"upfront-fees\"}");
        assertThat(stopped.status()).isEqualTo(200);
        awaitServing(flagKey, stopped.body().path("version").asLong());
        for (int i = 0; i < 50; i++) {
            assertThat(sdk.getString(flagKey, "none", EvaluationContext.of("user-" + i))).isEqualTo("upfront-fees");
        }
        assertThat(lifecycle(EXPERIMENT, "launch", "{}").status()).as("no restart after stop").isEqualTo(409);
    }

    /**
     * A client that logs its own exposures and loses some of one arm's (a redirect that drops users,
     * the classic cause of a sample-ratio mismatch): 6,000 against 4,000 on a 50/50 split.
     */
    @Test
    void a_skewed_assignment_raises_the_sample_ratio_mismatch(TestStack stack) throws Exception {
        String key = "pricing-display-skew";
        String flagKey = createSeed003(key);
        Http.Response launched = lifecycle(key, "launch", "{}");
        assertThat(launched.status()).as(launched.body().toString()).isEqualTo(200);
        long version = launched.body().path("version").asLong();
        String topic = topics.flagExposures();
        AvroSerializer<Exposure> serializer = new AvroSerializer<>(stack.registryClient(), true);
        Instant now = Instant.now();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, 5),
                new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 10_000; i++) {
                String user = "skewed-" + i;
                Exposure exposure = new Exposure(ENV, key, flagKey, version, i < 6_000 ? "control" : "upfront-fees", user, now,
                        "buggy-client", null);
                producer.send(new ProducerRecord<>(topic, RecordKeys.ofUser(ENV, user), serializer.serialize(topic, exposure)));
            }
        }
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            Http.Response r = Http.get(results(key), token);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().path("users").asLong()).as(r.body().toString()).isEqualTo(10_000);
            assertThat(r.body().path("sampleRatio").path("mismatch").asBoolean()).as(r.body().toString()).isTrue();
        });
    }

    /** Every exposure and tracked event the SDK logged is acknowledged by Kafka; none was dropped. */
    private void awaitSdkDrained() {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10)).untilAsserted(() -> {
            assertThat(sdk.exposureStats().dropped()).as("exposures dropped").isZero();
            assertThat(sdk.exposureStats().sent()).isEqualTo(sdk.exposureStats().logged());
            assertThat(sdk.trackingStats().dropped()).as("tracked events dropped").isZero();
            assertThat(sdk.trackingStats().sent()).isEqualTo(sdk.trackingStats().accepted());
        });
    }

    /** Deterministic per user: the same users convert in every run, at the variant's true rate. */
    private static boolean converts(int user, String variant) {
        double rate = variant.equals("upfront-fees") ? UPFRONT_RATE : CONTROL_RATE;
        return new SplittableRandom(user * 7_919L + 13).nextDouble() < rate;
    }

    private static void tally(Map<String, long[]> served, String variant, boolean converted) {
        long[] counts = served.computeIfAbsent(variant, v -> new long[2]);
        counts[0]++;
        counts[1] += converted ? 1 : 0;
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode element : array) {
            if (element.path(field).asText().equals(value)) {
                return element;
            }
        }
        throw new AssertionError("no " + field + " " + value + " in " + array);
    }

    private static JsonNode primary(JsonNode result) {
        return find(result.path("metrics"), "primary", "true");
    }

    /** The results once they count exactly the users and conversions the driver made. */
    private JsonNode awaitResults(String key, Map<String, long[]> served) {
        JsonNode[] last = new JsonNode[1];
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            Http.Response r = Http.get(results(key), token);
            assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(200);
            last[0] = r.body();
            for (Map.Entry<String, long[]> e : served.entrySet()) {
                JsonNode users = find(r.body().path("variants"), "variant", e.getKey());
                assertThat(users.path("users").asLong()).as(e.getKey() + " users in " + r.body()).isEqualTo(e.getValue()[0]);
                JsonNode converted = find(primary(r.body()).path("variants"), "variant", e.getKey());
                assertThat(converted.path("conversions").asLong()).as(e.getKey() + " conversions").isEqualTo(e.getValue()[1]);
            }
        });
        return last[0];
    }
}
