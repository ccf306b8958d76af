package io.flagplane.edge.it;

import static io.flagplane.edge.it.EdgeFixture.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.avro.ExperimentStatus;
import io.flagplane.avro.Exposure;
import io.flagplane.contract.RecordKeys;
import io.flagplane.contract.TopicNames;
import io.flagplane.edge.EdgeConfig;
import io.flagplane.edge.EdgeNode;
import io.flagplane.fixtures.ExperimentStates;
import io.flagplane.reporting.exposure.ExposureSettings;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TelemetryReader;
import io.flagplane.testkit.stack.TestStack;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Exposures from an edge node, read back from {@code flag-exposures} on the real broker: a user
 * evaluated under a running experiment is one exposure however often and through whichever route
 * they are evaluated, with the variant they were served; a paused experiment, and a node with
 * exposure logging off, log nothing.
 */
@ExtendWith(SharedTestStack.class)
class ExposuresIT {

    private static final String FLAG = "pricing.upfront_fees";
    private final EdgeFixture fixture = new EdgeFixture();

    private EdgeFixture.Response ofrep(EdgeNode node, String user) {
        return send(node, "POST", "/ofrep/v1/evaluate/flags/" + FLAG, "{\"context\":{\"targetingKey\":\"" + user + "\"}}",
                fixture.reader);
    }

    @Test
    void n_distinct_users_evaluated_over_ofrep_and_rest_are_exactly_n_exposures_with_the_variants_served(TestStack stack)
            throws Exception {
        TopicNames topics = stack.newTopics("edge-exposures");
        stack.publishStates(topics.flagState(), ExperimentStates.fiftyFifty("production", FLAG, 3, "upfront-fees",
                ExperimentStatus.RUNNING), Flags.checkoutNewUi(2));
        Map<String, String> served = new HashMap<>();

        try (TelemetryReader<Exposure> exposures = new TelemetryReader<>(stack.bootstrapServers(), stack.registryClient(),
                topics.flagExposures(), Exposure.class)) {
            EdgeNode node = EdgeNode.start(fixture.config(stack.bootstrapServers(), stack.schemaRegistryUrl(), topics));
            String nodeId;
            try (node) {
                assertThat(node.awaitReady(Duration.ofSeconds(30))).isTrue();
                nodeId = node.telemetry().nodeId();
                for (int round = 0; round < 3; round++) {
                    for (int i = 0; i < 30; i++) {
                        EdgeFixture.Response response = ofrep(node, "user-" + i);
                        assertThat(response.status()).isEqualTo(200);
                        assertThat(response.body().get("reason").asText()).isEqualTo("SPLIT");
                        served.put("user-" + i, response.body().get("variant").asText());
                    }
                }
                served.put("rest-user", send(node, "GET", "/api/v1/check/" + FLAG + "?userId=rest-user", null, fixture.reader)
                        .body().get("variant").asText());
                assertThat(send(node, "POST", "/ofrep/v1/evaluate/flags", "{\"context\":{\"targetingKey\":\"user-1\"}}",
                        fixture.reader).status()).as("the bulk answer: user-1 again").isEqualTo(200);
                assertThat(send(node, "GET", "/api/v1/features?userId=rest-user", null, fixture.reader).status()).isEqualTo(200);
                send(node, "POST", "/ofrep/v1/evaluate/flags/checkout.new_ui", "{\"context\":{\"targetingKey\":\"user-1\"}}",
                        fixture.reader);

                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> exposures.records().size() >= 31);
                assertThat(node.telemetry().exposures().stats().logged()).isEqualTo(31);
                assertThat(node.telemetry().exposures().stats().deduplicated()).isEqualTo(60 + 2);
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> node.telemetry().exposures().stats().sent() == 31);
                JsonNode status = send(node, "GET", "/api/v1/status", null, null).body().get("exposures");
                assertThat(status.get("enabled").asBoolean()).isTrue();
                assertThat(status.get("logged").asLong()).isEqualTo(31);
                assertThat(status.get("sent").asLong()).isEqualTo(31);
                assertThat(send(node, "GET", "/metrics", null, null).raw().body())
                        .contains("flagplane_exposures_total{outcome=\"logged\"} 31.0",
                                "flagplane_exposures_total{outcome=\"deduplicated\"} 62.0",
                                "flagplane_exposures_sent_total 31.0", "flagplane_exposure_send_errors_total 0.0");
            }

            assertThat(exposures.records()).as("nothing more after the node closed").hasSize(31).allSatisfy(record -> {
                Exposure exposure = record.value();
                assertThat(record.key()).isEqualTo(RecordKeys.ofUser("production", exposure.getTargetingKey()));
                assertThat(exposure.getExperimentKey()).isEqualTo("upfront-fees");
                assertThat(exposure.getFlagKey()).isEqualTo(FLAG);
                assertThat(exposure.getFlagVersion()).isEqualTo(3);
                assertThat(exposure.getEnvironment()).isEqualTo("production");
                assertThat(exposure.getNodeId()).isEqualTo(nodeId);
                assertThat(exposure.getVariant()).as(exposure.getTargetingKey()).isEqualTo(served.get(exposure.getTargetingKey()));
            });
            assertThat(exposures.values()).extracting(Exposure::getTargetingKey).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(served.keySet());
            assertThat(served.values()).contains("on", "off");
        }
    }

    @Test
    void a_paused_experiment_logs_nothing_from_the_moment_its_state_arrives(TestStack stack) throws Exception {
        TopicNames topics = stack.newTopics("edge-exposures-pause");
        stack.publishStates(topics.flagState(), ExperimentStates.fiftyFifty("production", FLAG, 3, "upfront-fees",
                ExperimentStatus.RUNNING));

        try (TelemetryReader<Exposure> exposures = new TelemetryReader<>(stack.bootstrapServers(), stack.registryClient(),
                topics.flagExposures(), Exposure.class)) {
            try (EdgeNode node = EdgeNode.start(fixture.config(stack.bootstrapServers(), stack.schemaRegistryUrl(), topics))) {
                assertThat(node.awaitReady(Duration.ofSeconds(30))).isTrue();
                ofrep(node, "before-pause");
                stack.publishStates(topics.flagState(), ExperimentStates.fiftyFifty("production", FLAG, 4, "upfront-fees",
                        ExperimentStatus.PAUSED));
                Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                        .until(() -> node.ruleset().current().flag("production", FLAG).version() == 4);
                for (int i = 0; i < 10; i++) {
                    assertThat(ofrep(node, "paused-" + i).body().get("reason").asText()).as("still served").isEqualTo("SPLIT");
                }
            }
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !exposures.records().isEmpty());
            assertThat(exposures.values()).extracting(Exposure::getTargetingKey).containsExactly("before-pause");
        }
    }

    @Test
    void a_node_with_exposure_logging_off_logs_nothing(TestStack stack) throws Exception {
        TopicNames topics = stack.newTopics("edge-exposures-off");
        stack.publishStates(topics.flagState(), ExperimentStates.fiftyFifty("production", FLAG, 3, "upfront-fees",
                ExperimentStatus.RUNNING));
        EdgeConfig config = fixture.config(stack.bootstrapServers(), stack.schemaRegistryUrl(), topics)
                .withExposures(ExposureSettings.disabled());

        try (EdgeNode node = EdgeNode.start(config)) {
            assertThat(node.awaitReady(Duration.ofSeconds(30))).isTrue();
            for (int i = 0; i < 10; i++) {
                assertThat(ofrep(node, "user-" + i).status()).isEqualTo(200);
            }
            assertThat(node.telemetry().exposures().stats().logged()).isZero();
            assertThat(send(node, "GET", "/metrics", null, null).raw().body())
                    .contains("flagplane_exposures_total{outcome=\"logged\"} 0.0");
        }
        try (TelemetryReader<Exposure> exposures = new TelemetryReader<>(stack.bootstrapServers(), stack.registryClient(),
                topics.flagExposures(), Exposure.class)) {
            assertThat(exposures.records()).isEmpty();
        }
    }
}
