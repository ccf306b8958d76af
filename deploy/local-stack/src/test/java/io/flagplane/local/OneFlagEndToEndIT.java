package io.flagplane.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.ActorKind;
import io.flagplane.command.CommandService;
import io.flagplane.auth.Role;
import io.flagplane.auth.TokenRegistry;
import io.flagplane.command.CommandServiceConfig;
import io.flagplane.contract.TopicNames;
import io.flagplane.edge.EdgeConfig;
import io.flagplane.edge.EdgeNode;
import io.flagplane.projection.ProjectionConfig;
import io.flagplane.projection.ProjectionService;
import io.flagplane.settings.Settings;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One flag through all three services with a real broker in between: the command-service writes
 * events, the projection folds them into flag-state, the edge node tails flag-state and answers
 * OFREP.
 */
@ExtendWith(SharedTestStack.class)
class OneFlagEndToEndIT {

    private final String token = TokenRegistry.newToken();
    private CommandService command;
    private ProjectionService projection;
    private EdgeNode edge;

    @BeforeEach
    void start(TestStack stack) throws Exception {
        TopicNames topics = stack.newTopics("e2e");
        Path tokens = Files.createTempFile(Path.of("target"), "tokens", ".json");
        Files.writeString(tokens, "{\"tokens\":[" + TokenRegistry.entry("e2e", ActorKind.SERVICE_TOKEN,
                Map.of("*", Role.EDITOR), token) + "]}");
        Settings settings = Settings.of(Map.of(
                "kafka.bootstrap.servers", stack.bootstrapServers(),
                "schema.registry.url", stack.schemaRegistryUrl(),
                "topic.prefix", topics.flagEvents().replace("flag-events", ""),
                "command.tokens.file", tokens.toString())).with(Map.of(
                "command.host", "127.0.0.1", "command.port", "0",
                "command.transactional.id", TestStack.uniqueName("e2e-writer"),
                "projection.host", "127.0.0.1", "projection.port", "0",
                "projection.application.id", TestStack.uniqueName("e2e-projection"),
                "projection.state.dir", Files.createTempDirectory(Path.of("target"), "streams").toString(),
                "edge.host", "127.0.0.1", "edge.port", "0"));
        command = CommandService.start(CommandServiceConfig.from(settings));
        projection = ProjectionService.start(ProjectionConfig.from(settings));
        edge = EdgeNode.start(EdgeConfig.from(settings));
        assertThat(projection.awaitRunning(Duration.ofSeconds(60))).isTrue();
        assertThat(edge.awaitReady(Duration.ofSeconds(30))).isTrue();
    }

    @AfterEach
    void stop() {
        edge.close();
        projection.close();
        command.close();
    }

    private Http.Response evaluate(String key, String targetingKey) {
        return Http.post(edge.url() + "/ofrep/v1/evaluate/flags/" + key, "{\"context\":{\"targetingKey\":\"" + targetingKey + "\"}}",
                token);
    }

    private void awaitEdgeValue(String key, boolean expected, String reason) {
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10)).untilAsserted(() -> {
            Http.Response response = evaluate(key, "user-1");
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body().get("value").asBoolean()).isEqualTo(expected);
            assertThat(response.body().get("reason").asText()).isEqualTo(reason);
        });
    }

    @Test
    void create_evaluate_disable_and_see_the_change_at_the_edge() {
        assertThat(evaluate("checkout.new_ui", "user-1").status()).isEqualTo(404);

        Http.Response created = Http.post(command.url() + "/api/v1/environments/production/flags",
                "{\"key\":\"checkout.new_ui\",\"type\":\"boolean\",\"enabled\":true,\"reason\":\"seed 002 milestone 1\"}", token);
        assertThat(created.status()).isEqualTo(201);
        awaitEdgeValue("checkout.new_ui", true, "STATIC");

        Http.Response disabled = Http.post(command.url() + "/api/v1/environments/production/flags/checkout.new_ui/disable",
                "{\"reason\":\"rollback: error rate above 5%\"}", token);
        assertThat(disabled.status()).isEqualTo(200);
        awaitEdgeValue("checkout.new_ui", false, "DISABLED");
        assertThat(evaluate("checkout.new_ui", "user-1").body().get("metadata").get("flagVersion").asLong()).isEqualTo(2);

        Http.post(command.url() + "/api/v1/environments/production/flags/checkout.new_ui/enable", "", token);
        awaitEdgeValue("checkout.new_ui", true, "STATIC");
        Http.post(command.url() + "/api/v1/environments/production/flags/checkout.new_ui/kill", "{\"reason\":\"kill switch\"}",
                token);
        awaitEdgeValue("checkout.new_ui", false, "DISABLED");

        assertThat(projection.metrics().applied()).as("production and staging declared at start-up, then the flag's four")
                .isEqualTo(2 + 4);
        assertThat(projection.metrics().undecodable()).isZero();
    }

    @Test
    void the_edge_reports_what_it_applied_and_served_and_the_projection_answers_live_on_1_of_1() {
        Http.Response created = Http.post(command.url() + "/api/v1/environments/production/flags",
                "{\"key\":\"checkout.reported\",\"type\":\"boolean\",\"enabled\":true}", token);
        assertThat(created.status()).isEqualTo(201);
        awaitEdgeValue("checkout.reported", true, "STATIC");
        // the projection must know the edge first: with no evaluator registered yet, every version is
        // trivially "live on 0 of 0" (complete, nothing applied), which is what a run saw when the edge's
        // first report had not been folded yet
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                assertThat(Http.get(projection.url() + "/api/v1/evaluators", token).body().get("counts").get("live").asInt())
                        .isEqualTo(1));
        Http.Response killed = Http.post(command.url() + "/api/v1/environments/production/flags/checkout.reported/kill",
                "{\"reason\":\"kill switch\"}", token);
        String propagation = killed.body().get("propagation").asText();
        assertThat(propagation).endsWith("/checkout.reported/propagation?version=2");

        Http.Response live = Http.get(projection.url() + propagation + "&wait=20s", token);
        assertThat(live.status()).isEqualTo(200);
        assertThat(live.body().get("complete").asBoolean()).as(live.body().toString()).isTrue();
        assertThat(live.body().get("applied").asInt()).isEqualTo(1);
        assertThat(live.body().get("evaluators").get(0).get("kind").asText()).isEqualTo("edge_node");
        assertThat(live.body().get("evaluators").get(0).get("latencyMs").asLong()).isBetween(0L, 20_000L);

        long served = 0;
        for (int i = 0; i < 7; i++) {
            served += evaluate("checkout.reported", "user-" + i).status() == 200 ? 1 : 0;
        }
        long evaluatedOnce = served;
        // the edge sends usage with its next heartbeat (every 5 s by default); the polls above counted too
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            Http.Response usage = Http.get(projection.url() + "/api/v1/environments/production/flags/checkout.reported/usage",
                    token);
            assertThat(usage.status()).isEqualTo(200);
            assertThat(usage.body().get("variants").path("off").asLong()).as("the seven evaluations after the kill")
                    .isEqualTo(evaluatedOnce);
            assertThat(usage.body().get("status").asText()).isEqualTo("active");
        });
        Http.Response evaluators = Http.get(projection.url() + "/api/v1/evaluators", token);
        assertThat(evaluators.body().get("counts").get("live").asInt()).isEqualTo(1);
    }

    @Test
    void a_flag_gated_on_a_segment_follows_the_segment_from_command_to_edge() {
        String env = command.url() + "/api/v1/environments/production";
        assertThat(Http.post(env + "/segments", """
                {"key":"beta-users","description":"seed 001 beta users","included":["user-1","user-2"]}""", token).status())
                .isEqualTo(201);
        assertThat(Http.post(env + "/flags", """
                {"key":"search.semantic","type":"boolean","enabled":true,"fallthrough":{"variant":"off"},
                 "rules":[{"id":"beta","conditions":[{"attribute":"targetingKey","operator":"in_segment","values":["beta-users"]}],
                           "serve":{"variant":"on"}}]}""", token).status()).isEqualTo(201);

        awaitEdge("search.semantic", "user-1", true, "TARGETING_MATCH");
        awaitEdge("search.semantic", "user-3", false, "DEFAULT");

        assertThat(Http.put(env + "/segments/beta-users", "{\"included\":[\"user-3\"]}", token).status()).isEqualTo(200);
        awaitEdge("search.semantic", "user-3", true, "TARGETING_MATCH");
        awaitEdge("search.semantic", "user-1", false, "DEFAULT");
        assertThat(projection.metrics().rejected()).isZero();
    }

    private void awaitEdge(String key, String user, boolean expected, String reason) {
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10)).untilAsserted(() -> {
            Http.Response response = evaluate(key, user);
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body().get("value").asBoolean()).isEqualTo(expected);
            assertThat(response.body().get("reason").asText()).isEqualTo(reason);
        });
    }
}
