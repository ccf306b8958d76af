package io.flagplane.projection.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.projection.ProjectionService;
import io.flagplane.testkit.http.Api;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.SseReader;
import io.flagplane.testkit.stack.TestStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A flag that outlives its lifetime appears on the SRE event stream once: not on every re-check,
 * not again after the projection restarts (the "announced" fact is in a changelogged store).
 */
@ExtendWith(SharedTestStack.class)
class StaleNoticeIT {

    private static final String FLAGS = "/api/v1/environments/production/flags";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private ProjectionFixture fixture;
    private TestStack stack;

    @BeforeEach
    void start(TestStack stack) throws Exception {
        this.stack = stack;
        fixture = new ProjectionFixture(stack, "stale", 1, Map.of("projection.lifecycle.check.ms", "100"));
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void a_flag_past_its_lifetime_is_announced_on_the_event_stream_once_across_rechecks_and_a_restart() throws Exception {
        Api commands = fixture.commands();
        assertThat(commands.post(FLAGS, "{\"key\":\"ops.cache_size\",\"type\":\"boolean\",\"kind\":\"operational\"}").status())
                .isEqualTo(201);
        fixture.awaitApplied(1);
        String url = fixture.projections.get(0).url() + "/api/v1/events/stream?environment=production&type=FlagPotentiallyStale";
        try (SseReader stream = new SseReader(url, fixture.admin, null)) {
            assertThat(stream.next("heartbeat", WAIT)).isNotNull();
            fixture.clock.advance(Duration.ofDays(8));

            SseReader.Event notice = stream.next("notice", WAIT);
            JsonNode body = Api.JSON.readTree(notice.data());
            assertThat(body.get("key").asText()).isEqualTo("ops.cache_size");
            assertThat(body.get("type").asText()).isEqualTo("FlagPotentiallyStale");
            assertThat(body.get("reason").asText()).startsWith("operational flag created 8 days ago; operational flags are expected"
                    + " to live 7 days");
            assertThat(notice.id()).as("the id holds the notices' position too").contains("~");
        }

        ProjectionService first = fixture.projections.get(0);
        long checked = first.metrics().lifetimeChecks();
        awaitChecks(first, checked + 5);   // five re-checks
        fixture.projections.remove(0).close();
        ProjectionService restarted = fixture.addInstance();
        restarted.awaitRunning(WAIT);
        awaitChecks(restarted, 10);   // ten re-checks by the restarted instance

        assertThat(notices()).as("announced once").hasSize(1);
    }

    private List<String> notices() {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        List<String> keys = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(fixture.topics.flagNotices()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(100)).forEach(r -> keys.add(r.key()));
            }
        }
        return keys;
    }

    private static void awaitChecks(ProjectionService projection, long passes) {
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> projection.metrics().lifetimeChecks() >= passes);
    }
}
