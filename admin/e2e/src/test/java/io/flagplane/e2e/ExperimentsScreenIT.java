package io.flagplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.avro.Exposure;
import io.flagplane.contract.RecordKeys;
import io.flagplane.contract.TopicNames;
import io.flagplane.registry.CachingSchemaRegistryClient;
import io.flagplane.registry.RestSchemaRegistryClient;
import io.flagplane.wire.AvroSerializer;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The experiments screen in a real browser: an experiment drafted, launched and seen running from
 * the UI; its results say "not enough data yet" until users are evaluated and convert through the
 * edge node's public endpoints (OFREP, {@code POST /api/v1/track}), then show per variant with the
 * interval chart; a stop with a winner from the UI.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExperimentsScreenIT extends BrowserTestBase {

    private static final String KEY = "checkout-test";
    private static final String FLAG = "experiment." + KEY;
    private static final String EXPERIMENTS = "/api/v1/environments/production/experiments";
    private static final int USERS = 40;

    @Test
    @Order(1)
    void an_experiment_is_created_and_launched_from_the_ui_and_shows_not_enough_data_yet() {
        login();
        open("#/production/experiments");
        waitFor("experiments-list");
        click("experiment-new");
        type("experiment-key", KEY);
        type("experiment-description", "one-page checkout against the current one");
        type("experiment-variants", "control:50, treatment:50");
        type("experiment-metric", "purchase");
        type("experiment-minimum-sample", "3");
        screenshot("experiment-form");
        click("experiment-create");
        waitText("experiment-status", "DRAFT");
        assertThat(command.get(EXPERIMENTS + "/" + KEY).body().path("status").asText()).isEqualTo("DRAFT");

        click("experiment-launch");
        waitFor("confirm-dialog");
        type("confirm-reason", "hypothesis: one page converts better");
        click("confirm-ok");
        waitText("experiment-status", "RUNNING");
        JsonNode running = command.get(EXPERIMENTS + "/" + KEY).body();
        assertThat(running.path("status").asText()).isEqualTo("RUNNING");
        assertThat(running.path("measuring").asBoolean()).isTrue();
        assertThat(waitText("experiment-not-enough", "not enough data yet")).contains("not enough data yet");
        screenshot("experiment-running-not-enough-data");
    }

    @Test
    @Order(2)
    void exposures_and_tracking_through_the_edge_make_per_variant_results_appear() {
        // the edge serves the launched split once it has the flag's new version
        until(d -> {
            Rest.Response r = edge.post("/ofrep/v1/evaluate/flags/" + FLAG + "?environment=production",
                    Map.of("context", Map.of("targetingKey", "probe")));
            return r.status() == 200 && "SPLIT".equals(r.body().path("reason").asText()) ? Boolean.TRUE : null;
        });
        Set<String> variants = new HashSet<>();
        StringBuilder events = new StringBuilder("{\"events\":[");
        for (int i = 0; i < USERS; i++) {
            Rest.Response r = edge.post("/ofrep/v1/evaluate/flags/" + FLAG + "?environment=production",
                    Map.of("context", Map.of("targetingKey", "user-" + i)));
            assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
            String variant = r.body().path("variant").asText();
            variants.add(variant);
            // treatment converts twice as often as control
            if (i % ("treatment".equals(variant) ? 2 : 4) == 0) {
                events.append(events.charAt(events.length() - 1) == '[' ? "" : ",")
                        .append("{\"eventKey\":\"purchase\",\"targetingKey\":\"user-").append(i).append("\"}");
            }
        }
        assertThat(variants).containsExactlyInAnyOrder("control", "treatment");
        Rest.Response tracked = edge.post("/api/v1/track?environment=production", events.append("]}").toString());
        assertThat(tracked.status()).as(tracked.body().toString()).isEqualTo(202);

        waitFor("experiment-enough");
        // every user's exposure folded (the probe that waited for the launch is one more user), re-read every 2 s
        until(d -> Integer.parseInt(find("result-users-control").getText().trim())
                + Integer.parseInt(find("result-users-treatment").getText().trim()) == USERS + 1 ? Boolean.TRUE : null);
        int control = Integer.parseInt(find("result-users-control").getText().trim());
        int treatment = Integer.parseInt(find("result-users-treatment").getText().trim());
        assertThat(find("metric-purchase-rate-control").getText()).endsWith("%");
        assertThat(find("lift-purchase-treatment").getText()).contains("[");
        waitFor("chart-purchase");
        assertThat(all("interval-purchase-treatment")).hasSize(1);
        JsonNode results = projection.get(EXPERIMENTS + "/" + KEY + "/results").body();
        assertThat(results.path("users").asInt()).isEqualTo(control + treatment);
        screenshot("experiment-results");
        js("arguments[0].scrollIntoView({block: 'center'})", find("chart-purchase"));
        screenshot("experiment-results-chart");
    }

    @Test
    @Order(3)
    void the_experiment_is_paused_and_resumed_from_the_ui() {
        click("experiment-pause");
        waitFor("confirm-dialog");
        type("confirm-reason", "a tracking outage");
        click("confirm-ok");
        waitText("experiment-status", "PAUSED");
        JsonNode paused = command.get(EXPERIMENTS + "/" + KEY).body();
        assertThat(paused.path("status").asText()).isEqualTo("PAUSED");
        assertThat(paused.path("measuring").asBoolean()).isFalse();
        assertThat(all("experiment-pause")).isEmpty();
        screenshot("experiment-paused");

        click("experiment-resume");
        waitFor("confirm-dialog");
        click("confirm-ok");
        waitText("experiment-status", "RUNNING");
        JsonNode resumed = command.get(EXPERIMENTS + "/" + KEY).body();
        assertThat(resumed.path("status").asText()).isEqualTo("RUNNING");
        assertThat(resumed.path("measuring").asBoolean()).isTrue();
        waitFor("experiment-pause");
    }

    @Test
    @Order(4)
    void a_stop_with_a_winner_from_the_ui_makes_the_flag_serve_it() {
        js("document.querySelector('[data-testid=experiment-winner]').value = 'treatment';");
        click("experiment-stop");
        waitFor("confirm-dialog");
        click("confirm-ok");
        waitText("experiment-status", "STOPPED");
        assertThat(command.get(EXPERIMENTS + "/" + KEY).body().path("winner").asText()).isEqualTo("treatment");
        until(d -> "treatment".equals(edge.post("/ofrep/v1/evaluate/flags/" + FLAG + "?environment=production",
                Map.of("context", Map.of("targetingKey", "someone-new"))).body().path("variant").asText()) ? Boolean.TRUE : null);
        open("#/production/experiments");
        assertThat(waitText("experiment-status-" + KEY, "STOPPED")).isEqualTo("STOPPED");
        screenshot("experiments-list");
        assertThat(List.of(find("experiment-row-" + KEY).getText())).allMatch(t -> t.contains(FLAG));
    }

    /**
     * A buggy client that logs far more control exposures than the 50/50 split can give (written to
     * {@code flag-exposures} as any producer may): the results screen raises the SRM warning.
     */
    @Test
    @Order(5)
    void a_skewed_assignment_shows_the_sample_ratio_mismatch_warning() throws Exception {
        String key = "skew-test";
        Rest.Response created = command.post(EXPERIMENTS, Map.of("key", key,
                "variants", List.of(Map.of("key", "control", "weight", 50), Map.of("key", "treatment", "weight", 50))));
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        Rest.Response launched = command.post(EXPERIMENTS + "/" + key + "/launch", Map.of());
        assertThat(launched.status()).as(launched.body().toString()).isEqualTo(200);
        long version = command.get(EXPERIMENTS + "/" + key).body().path("flagVersion").asLong();
        String topic = TopicNames.DEFAULT.flagExposures();
        AvroSerializer<Exposure> serializer = new AvroSerializer<>(
                new CachingSchemaRegistryClient(new RestSchemaRegistryClient(stack.registryUrl())), true);
        Instant now = Instant.now();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(), ProducerConfig.LINGER_MS_CONFIG, 5),
                new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 1_000; i++) {
                String user = "skewed-" + i;
                Exposure exposure = new Exposure("production", key, "experiment." + key, version, i < 700 ? "control" : "treatment",
                        user, now, "buggy-client", null);
                producer.send(new ProducerRecord<>(topic, RecordKeys.ofUser("production", user), serializer.serialize(topic, exposure)));
            }
        }
        open("#/production/experiments/" + key);
        assertThat(waitText("experiment-srm", "Sample ratio mismatch")).contains("do not trust these results");
        waitText("result-users-treatment", "300");
        waitText("result-users-control", "700");
        screenshot("experiment-srm-warning");
    }
}
