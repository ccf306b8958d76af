package io.flagplane.projection.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.avro.Exposure;
import io.flagplane.avro.TrackingEvent;
import io.flagplane.avro.WeightedVariant;
import io.flagplane.contract.RecordKeys;
import io.flagplane.projection.ProjectionConfig;
import io.flagplane.projection.ProjectionService;
import io.flagplane.projection.experiments.Experiments;
import io.flagplane.testkit.http.Api;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.SseReader;
import io.flagplane.testkit.stack.TestStack;
import io.flagplane.wire.AvroSerializer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Seed 003's {@code pricing-display-test} end to end on the real broker: exposures and tracked
 * events written as evaluators and {@code track()} write them (Avro, Confluent wire format, keyed by
 * user), folded by the projection, answered over HTTP — with a known lift, repeated exposures, a
 * mixed user and events sent before their exposures; a skewed split that raises the sample-ratio
 * check; the time series and the results stream; and a second projection rebuilding from offset
 * zero under a fresh application id answering the same results.
 */
@ExtendWith(SharedTestStack.class)
class ExperimentResultsIT {

    private static final String EXPERIMENTS = "/api/v1/environments/production/experiments";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int USERS_PER_ARM = 1_000;

    private TestStack stack;
    private ProjectionFixture fixture;
    private KafkaProducer<String, byte[]> producer;
    private AvroSerializer<SpecificRecord> serializer;
    private final List<Future<?>> sent = new ArrayList<>();
    private long records;

    @BeforeEach
    void start(TestStack stack) throws Exception {
        this.stack = stack;
        fixture = new ProjectionFixture(stack, "experiments", 1);
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new ByteArraySerializer());
        serializer = new AvroSerializer<>(stack.registryClient(), true);
    }

    @AfterEach
    void stop() {
        producer.close();
        fixture.close();
    }

    private void send(Exposure exposure, Instant at) {
        String topic = fixture.topics.flagExposures();
        sent.add(producer.send(new ProducerRecord<>(topic, null, at.toEpochMilli(),
                RecordKeys.ofUser(exposure.getEnvironment(), exposure.getTargetingKey()), serializer.serialize(topic, exposure))));
        records++;
    }

    private void send(TrackingEvent event, Instant at) {
        String topic = fixture.topics.trackingEvents();
        sent.add(producer.send(new ProducerRecord<>(topic, null, at.toEpochMilli(),
                RecordKeys.ofUser(event.getEnvironment(), event.getTargetingKey()), serializer.serialize(topic, event))));
        records++;
    }

    private void flushAndAwait(ProjectionService projection) throws Exception {
        producer.flush();
        for (Future<?> future : sent) {
            future.get();
        }
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() ->
                projection.experiments().folded() + projection.experiments().refused() >= records);
    }

    private static JsonNode ok(Api.Response response) {
        assertThat(response.status()).as(response.raw()).isEqualTo(200);
        return response.body();
    }

    /**
     * 1,000 users per arm over about seven minutes of record time: control converts 10 %, upfront-fees
     * 15 %; every fifth user is exposed twice; every tenth converter's event is sent before the
     * exposure; one user is served both arms.
     */
    private void seed003Traffic(Instant base) {
        for (int u = 0; u < USERS_PER_ARM; u++) {
            for (String variant : List.of("control", "upfront-fees")) {
                String user = variant + "-" + u;
                Instant at = base.plusMillis(u * 400L);
                boolean converts = u < (variant.equals("control") ? 100 : 150);
                TrackingEvent booking = Experiments.event(user, user + "-booking", "booking_confirmed", null, at.plusSeconds(30));
                if (converts && u % 10 == 0) {
                    send(booking, at.plusMillis(1));   // arrives before its exposure
                }
                send(Experiments.exposure(user, variant, at), at.plusMillis(2));
                if (u % 5 == 0) {
                    send(Experiments.exposure(user, variant, at.plusSeconds(5)), at.plusMillis(3));
                }
                if (converts && u % 10 != 0) {
                    send(booking, at.plusMillis(4));
                }
            }
        }
        Instant later = base.plusMillis(USERS_PER_ARM * 400L);
        send(Experiments.exposure("both", "control", later), later);
        send(Experiments.exposure("both", "upfront-fees", later.plusSeconds(1)), later.plusSeconds(1));
    }

    @Test
    void results_show_the_lift_count_users_not_exposures_exclude_mixed_users_and_a_rebuild_answers_the_same() throws Exception {
        stack.publishStates(fixture.topics.flagState(), Experiments.pricingDisplayTest().conversion("booking_confirmed", 168)
                .flagState());
        Instant base = Instant.now().minus(Duration.ofMinutes(10));
        seed003Traffic(base);
        flushAndAwait(fixture.projections.get(0));
        Api projection = fixture.projection();

        JsonNode list = ok(projection.get(EXPERIMENTS));
        assertThat(list.get("experiments")).extracting(e -> e.get("key").asText()).containsExactly(Experiments.KEY);
        JsonNode experiment = ok(projection.get(EXPERIMENTS + "/" + Experiments.KEY));
        assertThat(experiment.get("flag").asText()).isEqualTo(Experiments.FLAG);
        assertThat(experiment.get("status").asText()).isEqualTo("running");
        assertThat(experiment.get("control").asText()).isEqualTo("control");

        JsonNode results = ok(projection.get(EXPERIMENTS + "/" + Experiments.KEY + "/results"));
        assertThat(results.get("users").asLong()).isEqualTo(2L * USERS_PER_ARM);
        assertThat(results.get("mixedUsers").asLong()).isEqualTo(1);
        assertThat(results.get("exposures").asLong()).as("every exposure record, repeats and the mixed user's included")
                .isEqualTo(2L * USERS_PER_ARM + 2L * USERS_PER_ARM / 5 + 2);
        assertThat(results.get("enoughData").asBoolean()).isTrue();
        assertThat(results.get("sampleRatio").get("mismatch").asBoolean()).isFalse();
        JsonNode primary = results.get("metrics").get(0);
        assertThat(primary.get("eventKey").asText()).isEqualTo("booking_confirmed");
        assertThat(primary.get("variants")).extracting(v -> v.get("variant").asText() + ":" + v.get("users").asLong() + ":"
                + v.get("conversions").asLong()).containsExactly("control:1000:100", "upfront-fees:1000:150");
        JsonNode lift = primary.get("comparisons").get(0);
        assertThat(lift.get("variant").asText()).isEqualTo("upfront-fees");
        assertThat(lift.get("fixedHorizon").get("difference").asDouble()).isCloseTo(0.05, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(lift.get("fixedHorizon").get("relativeLift").asDouble()).isCloseTo(0.5, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(lift.get("fixedHorizon").get("pValue").asDouble()).isLessThan(0.01);
        assertThat(lift.get("fixedHorizon").get("significant").asBoolean()).isTrue();
        assertThat(lift.get("alwaysValid").get("differenceCi")).hasSize(2);

        Files.writeString(Path.of("target", "experiment-results-example.json"), Api.JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsString(results));   // the README's example is this answer

        JsonNode series = ok(projection.get(EXPERIMENTS + "/" + Experiments.KEY + "/results/timeseries?resolution=minute"));
        assertThat(projection.get(EXPERIMENTS + "/" + Experiments.KEY + "/results/timeseries?resolution=week").status())
                .isEqualTo(400);
        assertThat(series.get("points").size()).isGreaterThanOrEqualTo(3);
        JsonNode first = series.get("points").get(0);
        JsonNode last = series.get("points").get(series.get("points").size() - 1);
        assertThat(first.get("users").get("control").asLong()).isLessThan(last.get("users").get("control").asLong());

        try (SseReader stream = new SseReader(fixture.projections.get(0).url() + EXPERIMENTS + "/" + Experiments.KEY
                + "/results/stream", fixture.admin, null)) {
            SseReader.Event event = stream.next("results", WAIT);
            assertThat(Api.JSON.readTree(event.data()).get("users").asLong()).isEqualTo(2L * USERS_PER_ARM);
        }
        assertThat(projection.get(EXPERIMENTS + "/no-such-test/results").status()).isEqualTo(404);
        assertThat(projection.get(EXPERIMENTS + "/Not_A_Key!/results").status()).isEqualTo(400);

        // a rebuild: a fresh application over the same topics from offset zero answers the same results
        Path state = Files.createTempDirectory(Path.of("target"), "rebuild");
        try (ProjectionService rebuilt = ProjectionService.start(ProjectionConfig.from(fixture.settings(Map.of(
                "projection.port", "0", "projection.host", "127.0.0.1",
                "projection.application.id", TestStack.uniqueName("experiments-rebuild"),
                "projection.state.dir", state.toString()))), fixture.clock)) {
            assertThat(rebuilt.awaitRunning(WAIT)).isTrue();
            flushAndAwait(rebuilt);
            JsonNode again = new Api(rebuilt.url(), fixture.admin).get(EXPERIMENTS + "/" + Experiments.KEY + "/results").body();
            ((ObjectNode) again).remove("computedAt");
            JsonNode live = ok(projection.get(EXPERIMENTS + "/" + Experiments.KEY + "/results"));
            ((ObjectNode) live).remove("computedAt");
            assertThat(again).isEqualTo(live);
        }
    }

    @Test
    void an_experiment_drafted_launched_and_stopped_through_the_command_service_is_analysed_from_the_flag_it_runs_on()
            throws Exception {
        Api commands = fixture.commands();
        Api projection = fixture.projection();
        String written = "/api/v1/environments/production/experiments";
        assertThat(commands.post(written, "{\"key\":\"pricing-display-test\",\"description\":\"fees upfront vs at checkout\","
                + "\"variants\":[{\"key\":\"control\",\"weight\":50},{\"key\":\"upfront-fees\",\"weight\":50}],"
                + "\"primaryMetric\":{\"eventKey\":\"booking_confirmed\",\"kind\":\"conversion\"},"
                + "\"secondaryMetrics\":[{\"eventKey\":\"revenue\",\"kind\":\"value\",\"aggregation\":\"sum\"}]}").status())
                .isBetween(200, 201);
        assertThat(commands.post(written + "/pricing-display-test/launch", "{\"reason\":\"upfront fees convert better\"}").status())
                .isBetween(200, 201);
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
            Api.Response r = projection.get(EXPERIMENTS + "/" + Experiments.KEY);
            return r.status() == 200 && r.body().get("status").asText().equals("running");
        });
        JsonNode experiment = ok(projection.get(EXPERIMENTS + "/" + Experiments.KEY));
        String flag = experiment.get("flag").asText();
        long launchedAt = experiment.get("launchedAtVersion").asLong();
        assertThat(experiment.get("arms")).extracting(a -> a.get("variant").asText() + ":" + a.get("weight").asInt())
                .containsExactly("control:5000", "upfront-fees:5000");
        assertThat(experiment.get("metrics")).extracting(m -> m.get("eventKey").asText()).containsExactly("booking_confirmed", "revenue");
        assertThat(ok(projection.get(EXPERIMENTS + "/" + Experiments.KEY + "/results")).get("enoughData").asBoolean()).isFalse();

        Instant base = Instant.now().minus(Duration.ofMinutes(2));
        for (int u = 0; u < 200; u++) {
            String variant = u % 2 == 0 ? "control" : "upfront-fees";
            Instant at = base.plusMillis(u * 10L);
            send(Exposure.newBuilder(Experiments.exposure("user-" + u, variant, at)).setFlagKey(flag).setFlagVersion(launchedAt)
                    .build(), at);
            if (u % 4 == 1) {   // half of upfront-fees' users book and pay 10; control's do not
                send(Experiments.event("user-" + u, "b-" + u, "booking_confirmed", null, at.plusSeconds(1)), at.plusSeconds(1));
                send(Experiments.event("user-" + u, "r-" + u, "revenue", 10.0, at.plusSeconds(1)), at.plusSeconds(1));
            }
        }
        flushAndAwait(fixture.projections.get(0));
        assertThat(commands.post(written + "/pricing-display-test/stop", "{\"winner\":\"upfront-fees\"}").status()).isBetween(200, 201);
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() ->
                ok(projection.get(EXPERIMENTS + "/" + Experiments.KEY)).get("status").asText().equals("stopped"));

        JsonNode results = ok(projection.get(EXPERIMENTS + "/" + Experiments.KEY + "/results"));
        assertThat(results.get("status").asText()).isEqualTo("stopped");
        assertThat(results.get("variants")).extracting(v -> v.get("users").asLong()).containsExactly(100L, 100L);
        assertThat(results.get("metrics").get(0).get("variants")).extracting(v -> v.get("conversions").asLong())
                .containsExactly(0L, 50L);
        JsonNode revenue = results.get("metrics").get(1);
        assertThat(revenue.get("kind").asText()).isEqualTo("value_sum");
        assertThat(revenue.get("variants").get(1).get("mean").asDouble()).isEqualTo(5.0);
        assertThat(revenue.get("comparisons").get(0).get("fixedHorizon").get("test").asText()).isEqualTo("welch_t");
        assertThat(ok(projection.get(EXPERIMENTS)).get("experiments").get(0).get("winner").asText()).isEqualTo("upfront-fees");
    }

    @Test
    void with_two_instances_each_holding_some_users_either_one_answers_the_whole_results_and_series() throws Exception {
        ProjectionService second = fixture.addInstance();
        assertThat(second.awaitRunning(WAIT)).isTrue();
        stack.publishStates(fixture.topics.flagState(), Experiments.pricingDisplayTest().conversion("booking_confirmed", 168)
                .flagState());
        Instant base = Instant.now().minus(Duration.ofMinutes(5));
        for (int u = 0; u < 600; u++) {
            String variant = u % 2 == 0 ? "control" : "upfront-fees";
            Instant at = base.plusMillis(u * 400L);
            send(Experiments.exposure("user-" + u, variant, at), at);
            if (u % 3 == 0) {
                send(Experiments.event("user-" + u, "b-" + u, "booking_confirmed", null, at.plusSeconds(1)), at.plusSeconds(1));
            }
        }
        producer.flush();
        for (Future<?> future : sent) {
            future.get();
        }
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> fixture.projections.stream()
                .mapToLong(p -> p.experiments().folded()).sum() >= records);
        assertThat(fixture.projections).allSatisfy(p -> assertThat(p.experiments().folded()).as("each holds some users").isPositive());

        String path = EXPERIMENTS + "/" + Experiments.KEY + "/results";
        JsonNode one = ok(fixture.projection(0).get(path));
        JsonNode two = ok(fixture.projection(1).get(path));
        ((ObjectNode) one).remove("computedAt");
        ((ObjectNode) two).remove("computedAt");
        assertThat(one.get("users").asLong()).isEqualTo(600);
        assertThat(one.get("metrics").get(0).get("variants")).extracting(v -> v.get("conversions").asLong())
                .containsExactly(100L, 100L);
        assertThat(two).isEqualTo(one);
        JsonNode series = ok(fixture.projection(1).get(path + "/timeseries?resolution=minute")).get("points");
        JsonNode last = series.get(series.size() - 1);
        assertThat(last.get("users").get("control").asLong() + last.get("users").get("upfront-fees").asLong()).isEqualTo(600);
    }

    @Test
    void a_split_far_from_its_weights_raises_the_sample_ratio_mismatch_and_the_stream_pushes_the_results_as_they_change()
            throws Exception {
        stack.publishStates(fixture.topics.flagState(), Experiments.pricingDisplayTest().arms(new WeightedVariant("control", 5_000),
                new WeightedVariant("upfront-fees", 5_000)).flagState());
        Awaitility.await().atMost(WAIT).until(() -> fixture.projection().get(EXPERIMENTS + "/" + Experiments.KEY).status() == 200);
        SseReader stream = new SseReader(fixture.projections.get(0).url() + EXPERIMENTS + "/" + Experiments.KEY + "/results/stream",
                fixture.admin, null);
        Instant base = Instant.now().minus(Duration.ofMinutes(1));
        for (int u = 0; u < 1_300; u++) {
            String variant = u < 500 ? "control" : "upfront-fees";   // 500 against 800 on a 50/50 split
            send(Experiments.exposure("user-" + u, variant, base.plusMillis(u)), base.plusMillis(u));
        }
        flushAndAwait(fixture.projections.get(0));
        try (stream) {   // the stream pushes the results as they change, at most once a second, until they show every user
            long users = -1;
            long events = 0;
            long started = System.nanoTime();
            while (users != 1_300) {
                users = Api.JSON.readTree(stream.next("results", WAIT).data()).get("users").asLong();
                events++;
            }
            assertThat(events).as("no more than one event a second (plus the first)")
                    .isLessThanOrEqualTo(2 + (System.nanoTime() - started) / 1_000_000_000L);
        }

        JsonNode results = ok(fixture.projection().get(EXPERIMENTS + "/" + Experiments.KEY + "/results"));
        assertThat(results.get("sampleRatio").get("mismatch").asBoolean()).isTrue();
        assertThat(results.get("sampleRatio").get("pValue").asDouble()).isLessThan(0.001);
        assertThat(results.get("variants")).extracting(v -> v.get("users").asLong()).containsExactly(500L, 800L);
        assertThat(fixture.projection().get("/metrics").raw()).contains("flagplane_experiment_records_folded_total{kind=\"exposure\"} 1300.0");
    }
}
