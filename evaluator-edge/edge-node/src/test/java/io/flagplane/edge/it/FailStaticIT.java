package io.flagplane.edge.it;

import static io.flagplane.edge.it.EdgeFixture.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.contract.TopicNames;
import io.flagplane.edge.EdgeNode;
import io.flagplane.testkit.stack.RestartableStack;
import java.nio.file.Files;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Fail-static: a node keeps serving when Kafka goes away, and starts from its snapshot when Kafka is down at boot. */
class FailStaticIT {

    private final EdgeFixture fixture = new EdgeFixture();

    private static JsonNode status(EdgeNode node) {
        return send(node, "GET", "/api/v1/status", null, null).body();
    }

    private boolean served(EdgeNode node) {
        EdgeFixture.Response response = send(node, "POST", "/ofrep/v1/evaluate/flags/checkout.new_ui",
                "{\"context\":{\"targetingKey\":\"user-1\"}}", fixture.reader);
        return response.status() == 200 && response.body().get("value").asBoolean();
    }

    @Test
    void kafka_stopped_mid_run_the_node_serves_its_last_ruleset_says_stale_since_when_and_recovers() throws Exception {
        try (RestartableStack kafka = new RestartableStack()) {
            TopicNames topics = kafka.topics();
            kafka.publishStates(topics.flagState(), Flags.checkoutNewUi(3));
            try (EdgeNode node = EdgeNode.start(fixture.config(kafka.bootstrapServers(), kafka.schemaRegistryUrl(), topics))) {
                assertThat(node.awaitReady(Duration.ofSeconds(30))).isTrue();
                assertThat(status(node).get("stale").asBoolean()).isFalse();

                kafka.stopKafka();
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> status(node).get("stale").asBoolean());
                JsonNode stale = status(node);
                assertThat(stale.get("staleSince").asText()).isNotEmpty();
                assertThat(stale.get("ready").asBoolean()).as("still has a ruleset to serve").isTrue();
                assertThat(served(node)).isTrue();
                assertThat(send(node, "GET", "/health/ready", null, null).status()).isEqualTo(200);
                assertThat(send(node, "GET", "/metrics", null, null).raw().body()).contains("flagplane_ruleset_stale 1")
                        .as("an unreachable Kafka is waited for, not a failure to restart from")
                        .contains("flagplane_ruleset_tail_restarts_total 0");
                assertThat(stale.get("tailRestarts").asLong()).isZero();
                assertThat(stale.get("lastTailFailure").isNull()).isTrue();

                kafka.startKafka();
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> !status(node).get("stale").asBoolean());
                kafka.publishStates(topics.flagState(), Flags.killed(Flags.checkoutNewUi(3), 4));
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !served(node));
            }
        }
    }

    @Test
    void started_while_kafka_is_down_a_node_serves_its_snapshot_and_one_without_a_snapshot_is_not_ready() throws Exception {
        try (RestartableStack kafka = new RestartableStack()) {
            TopicNames topics = kafka.topics();
            kafka.publishStates(topics.flagState(), Flags.checkoutNewUi(3));
            try (EdgeNode first = EdgeNode.start(fixture.config(kafka.bootstrapServers(), kafka.schemaRegistryUrl(), topics))) {
                assertThat(first.awaitReady(Duration.ofSeconds(30))).isTrue();
            }
            assertThat(Files.exists(fixture.snapshot)).as("the snapshot was written on close").isTrue();

            kafka.stopKafka();
            try (EdgeNode fromSnapshot = EdgeNode.start(fixture.config(kafka.bootstrapServers(), kafka.schemaRegistryUrl(),
                    topics))) {
                assertThat(fromSnapshot.awaitReady(Duration.ofSeconds(10))).isTrue();
                JsonNode status = status(fromSnapshot);
                assertThat(status.get("fromSnapshot").asBoolean()).isTrue();
                assertThat(status.get("stale").asBoolean()).isTrue();
                assertThat(served(fromSnapshot)).isTrue();

                EdgeFixture without = new EdgeFixture();
                try (EdgeNode bare = EdgeNode.start(without.config(kafka.bootstrapServers(), kafka.schemaRegistryUrl(), topics))) {
                    assertThat(send(bare, "GET", "/health/ready", null, null).status()).isEqualTo(503);
                    assertThat(status(bare).get("ready").asBoolean()).isFalse();

                    kafka.startKafka();
                    assertThat(bare.awaitReady(Duration.ofSeconds(60))).isTrue();
                    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !status(fromSnapshot).get("stale").asBoolean());
                    assertThat(status(fromSnapshot).get("fromSnapshot").asBoolean()).isFalse();
                }
            }
        }
    }
}
