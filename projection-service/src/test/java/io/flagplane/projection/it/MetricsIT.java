package io.flagplane.projection.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.testkit.http.Api;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.SseReader;
import io.flagplane.testkit.stack.TestStack;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** GET /metrics on a running projection: what the fold did, what it holds, how far behind it is, who is streaming. */
@ExtendWith(SharedTestStack.class)
class MetricsIT {

    private static final String FLAGS = "/api/v1/environments/production/flags";
    private ProjectionFixture fixture;

    @BeforeEach
    void start(TestStack stack) throws Exception {
        fixture = new ProjectionFixture(stack, "metrics", 1);
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void folded_events_dead_letters_stores_lag_state_and_streams_are_scraped_without_a_token() throws Exception {
        Api commands = fixture.commands();
        assertThat(commands.post(FLAGS, "{\"key\":\"checkout.new_ui\",\"type\":\"boolean\"}").status()).isEqualTo(201);
        assertThat(commands.post(FLAGS + "/checkout.new_ui/enable", "{}").status()).isEqualTo(200);
        assertThat(commands.post(FLAGS + "/checkout.new_ui/kill", "{\"reason\":\"guardrail\"}").status()).isEqualTo(200);
        assertThat(commands.post("/api/v1/environments/production/segments", "{\"key\":\"beta-users\",\"included\":[\"u1\"]}")
                .status()).isEqualTo(201);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                fixture.stack.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(fixture.topics.flagEvents(), "production/garbage", new byte[] {42})).get();
        }
        fixture.awaitApplied(4);
        Api anonymous = new Api(fixture.projections.get(0).url(), null);

        try (SseReader stream = new SseReader(fixture.projections.get(0).url() + "/api/v1/events/stream", fixture.admin, null)) {
            assertThat(stream.status()).isEqualTo(200);
            // the dead letter lands after the fold has seen the garbage; lag is reported once every partition was fetched
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                String text = anonymous.get("/metrics").raw();
                assertThat(text).contains("flagplane_records_dead_lettered_total 1.0\n");
                for (int partition = 0; partition < 3; partition++) {
                    assertThat(text).contains("flagplane_projection_lag_records{partition=\"" + partition + "\"} 0.0\n");
                }
                assertThat(text).contains("flagplane_event_streams 1.0\n");
            });
        }

        Api.Response scraped = anonymous.get("/metrics");
        assertThat(scraped.status()).isEqualTo(200);
        assertThat(scraped.headers().get("content-type")).startsWith("text/plain");
        String text = scraped.raw();
        // production and staging declared at start-up, then create, enable, kill, the segment: six events applied
        assertThat(text).contains("flagplane_events_folded_total{outcome=\"applied\"} "
                + (ProjectionFixture.DECLARED_ENVIRONMENTS + 4) + ".0\n");
        assertThat(text).contains("flagplane_events_folded_total{outcome=\"stale\"} 0.0\n");
        assertThat(text).contains("flagplane_events_folded_total{outcome=\"rejected\"} 0.0\n");
        assertThat(text).contains("flagplane_records_undecodable_total 1.0\n");
        assertThat(text).contains("flagplane_streams_state{state=\"running\"} 1.0\n");
        assertThat(text).contains("flagplane_streams_state{state=\"rebalancing\"} 0.0\n");
        // RocksDB's estimate counts overwrites still in the memtable, so only "not empty" is certain
        for (String store : new String[] {"flag-states", "segment-states", "history", "audit"}) {
            assertThat(sample(text, "flagplane_store_entries{store=\"" + store + "\"}")).as(store).isPositive();
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                assertThat(anonymous.get("/metrics").raw()).contains("flagplane_event_streams 0.0\n"));
    }

    private static double sample(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        assertThat(m.find()).as(series + " in\n" + text).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
