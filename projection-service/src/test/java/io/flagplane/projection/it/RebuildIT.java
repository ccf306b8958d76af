package io.flagplane.projection.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.avro.FlagEvent;
import io.flagplane.contract.RecordKeys;
import io.flagplane.projection.guardrails.Plans;
import io.flagplane.projection.replay.Replay;
import io.flagplane.projection.replay.Verifier;
import io.flagplane.testkit.http.Api;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import io.flagplane.wire.AvroSerializer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Promise 4: a projection rebuilt from offset zero equals the live one, byte for byte. */
@ExtendWith(SharedTestStack.class)
class RebuildIT {

    private static final String FLAGS = "/api/v1/environments/production/flags";
    private ProjectionFixture fixture;
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();

    @BeforeEach
    void start(TestStack stack) throws Exception {
        fixture = new ProjectionFixture(stack, "rebuild", 1);
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private Replay replay(String liveApplicationId) throws Exception {
        return replay(liveApplicationId, Replay.Batching.DEFAULT);
    }

    private Replay replay(String liveApplicationId, Replay.Batching batching) throws Exception {
        return new Replay(new Replay.Options(fixture.stack.bootstrapServers(), fixture.topics, liveApplicationId,
                Files.createTempDirectory(Path.of("target"), "replay"), 2, new PrintStream(output, true, StandardCharsets.UTF_8)),
                fixture.stack.registryClient(), batching);
    }

    /**
     * Seed 000 and 001 in miniature: flags, ramps, a segment, a kill by tag, one record nobody can decode,
     * and seed 001's rollout plan at its beta step (four plan events, written as the command-service writes them).
     */
    private Instant history() throws Exception {
        Api commands = fixture.commands();
        commands.post("/api/v1/environments/production/segments", "{\"key\":\"beta-users\",\"included\":[\"u1\",\"u2\"]}");
        for (int i = 0; i < 40; i++) {
            String key = "charges.step-" + i;
            commands.post(FLAGS, "{\"key\":\"" + key + "\",\"type\":\"boolean\",\"enabled\":true,\"tags\":[\"charges\"],"
                    + "\"fallthrough\":{\"variant\":\"off\"},\"rules\":[{\"id\":\"beta\",\"conditions\":[{\"attribute\":\"targetingKey\","
                    + "\"operator\":\"in_segment\",\"values\":[\"beta-users\"]}],\"serve\":{\"variant\":\"on\"}}]}");
        }
        Instant middle = Instant.now();
        for (int step = 0; step < 40; step++) {   // one flag through 40 ramp steps: more than one keyframe
            commands.patch(FLAGS + "/charges.step-0/rollout", "{\"percentage\":" + (step + 1) + "}");
        }
        commands.put("/api/v1/environments/production/segments/beta-users", "{\"included\":[\"u3\"]}");
        commands.post("/api/v1/environments/production/kill-by-tag", "{\"tag\":\"charges\",\"reason\":\"rollback\"}");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                fixture.stack.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(fixture.topics.flagEvents(), "production/garbage", new byte[] {42})).get();
            AvroSerializer<FlagEvent> events = new AvroSerializer<>(fixture.stack.registryClient(), true);
            for (FlagEvent plan : Plans.seed001().threshold("error-rate", "http_error", "request", 0.05, 600, 100).runningAtBeta()) {
                producer.send(new ProducerRecord<>(fixture.topics.flagEvents(), RecordKeys.ofPlanEvents(plan.getEnvironment(),
                        plan.getFlagKey()), events.serialize(fixture.topics.flagEvents(), plan))).get();
            }
        }
        fixture.awaitApplied(1 + 40 + 40 + 1 + 40 + 4);
        return middle;
    }

    @Test
    void the_rebuild_equals_the_live_projection_byte_for_byte_and_exports_any_instant() throws Exception {
        Instant middle = history();

        try (Replay replay = replay(fixture.applicationId)) {
            Replay.Result result = replay.rebuild(Duration.ofSeconds(60));
            // the two environments the command-service declares at start-up (production, staging) come first
            assertThat(result.events()).isEqualTo(2 + 1 + 40 + 40 + 1 + 40 + 1 + 4);

            Verifier.Report report = replay.verify(Duration.ofSeconds(20));
            assertThat(report.ok()).as(output.toString(StandardCharsets.UTF_8)).isTrue();
            assertThat(report.stores()).extracting(Verifier.StoreReport::store)
                    .containsExactly("flag-states", "segment-states", "plan-states", "history", "audit");
            assertThat(report.stores().get(0).identical()).isEqualTo(40);
            assertThat(report.stores().get(2).identical()).as("the plan").isEqualTo(1);
            assertThat(report.stores().get(3).identical()).isEqualTo(2 + 122 + 4);
            assertThat(report.stores().get(4).identical()).isEqualTo(2 + 122 + 4);

            JsonNode then = replay.export(middle);
            assertThat(then.get("flags")).hasSize(40);
            assertThat(then.get("flags").get(0).get("killed").asBoolean()).isFalse();
            JsonNode now = replay.export(null);
            assertThat(now.get("flags")).allSatisfy(flag -> assertThat(flag.get("killed").asBoolean()).isTrue());
            assertThat(now.get("segments").get(0).get("included").get(0).asText()).isEqualTo("u3");
        }
        assertThat(output.toString(StandardCharsets.UTF_8)).contains("rebuilt from 129 events");

        // the same with a write every 3 events and room for 2 states: many batches, caches that fill, start over
        // and read states back from the store — still byte for byte the live projection
        try (Replay small = replay(fixture.applicationId, new Replay.Batching(3, 2))) {
            assertThat(small.rebuild(Duration.ofSeconds(60)).events()).isEqualTo(129);
            Verifier.Report report = small.verify(Duration.ofSeconds(20));
            assertThat(report.ok()).as(output.toString(StandardCharsets.UTF_8)).isTrue();
            assertThat(report.identical()).isEqualTo(40 + 1 + 1 + 128 + 128);
            assertThat(small.export(null).get("flags")).allSatisfy(flag -> assertThat(flag.get("killed").asBoolean()).isTrue());
        }
    }

    @Test
    void redelivered_events_are_stale_in_the_rebuild_as_they_are_live_even_after_its_caches_started_over() throws Exception {
        history();
        // the plan's four events and a segment's creation delivered again: the version gate must skip them in both
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                fixture.stack.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            AvroSerializer<FlagEvent> events = new AvroSerializer<>(fixture.stack.registryClient(), true);
            for (FlagEvent plan : Plans.seed001().threshold("error-rate", "http_error", "request", 0.05, 600, 100).runningAtBeta()) {
                producer.send(new ProducerRecord<>(fixture.topics.flagEvents(), RecordKeys.ofPlanEvents(plan.getEnvironment(),
                        plan.getFlagKey()), events.serialize(fixture.topics.flagEvents(), plan))).get();
            }
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(fixture.projection().get("/api/v1/status").body().get("eventsStale").asLong()).isEqualTo(4));

        // room for 2 states: the plan's state is written out and read back from the store before its duplicates arrive
        try (Replay small = replay(fixture.applicationId, new Replay.Batching(3, 2))) {
            small.rebuild(Duration.ofSeconds(60));
            Verifier.Report report = small.verify(Duration.ofSeconds(20));
            assertThat(report.ok()).as(output.toString(StandardCharsets.UTF_8)).isTrue();
            assertThat(report.stores().get(2).identical()).as("the plan").isEqualTo(1);
        }
        assertThat(output.toString(StandardCharsets.UTF_8)).contains("stale 4,");
    }

    @Test
    void an_undecodable_event_is_counted_copied_to_the_dead_letter_topic_and_skipped() throws Exception {
        history();

        // the garbage sits on its own partition: awaitApplied counts the others, so wait for this one too
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(fixture.projection().get("/api/v1/status").body().get("recordsDeadLettered").asLong()).isEqualTo(1));
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
                fixture.stack.bootstrapServers(), "auto.offset.reset", "earliest", "group.id", TestStack.uniqueName("dlq-reader")),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(fixture.topics.deadLetters()));
            List<ConsumerRecord<String, byte[]>> letters = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (letters.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(letters::add);
            }
            assertThat(letters).hasSize(1);
            ConsumerRecord<String, byte[]> letter = letters.get(0);
            assertThat(letter.key()).isEqualTo("production/garbage");
            assertThat(letter.value()).containsExactly(42);
            assertThat(new String(letter.headers().lastHeader("flagplane.dlq.topic").value(), StandardCharsets.UTF_8))
                    .isEqualTo(fixture.topics.flagEvents());
            assertThat(new String(letter.headers().lastHeader("flagplane.dlq.reason").value(), StandardCharsets.UTF_8))
                    .startsWith("TOO_SHORT");
        }
        // and the fold went on: the kill after it is in
        assertThat(fixture.projection().get(FLAGS + "/charges.step-7").body().get("killed").asBoolean()).isTrue();
    }

    @Test
    void the_check_fails_when_the_live_side_does_not_hold_what_the_rebuild_does() throws Exception {
        history();

        try (Replay replay = replay("no-such-projection")) {
            replay.rebuild(Duration.ofSeconds(60));
            Verifier.Report report = replay.verify(Duration.ZERO);
            assertThat(report.ok()).isFalse();
            assertThat(report.stores().get(0).missingLive()).isEqualTo(40);
        }
    }
}
