package io.flagplane.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.command.CommandService;
import io.flagplane.command.CommandServiceConfig;
import io.flagplane.connections.KafkaClientSettings;
import io.flagplane.connections.RegistrySettings;
import io.flagplane.contract.TopicNames;
import io.flagplane.edge.EdgeConfig;
import io.flagplane.edge.EdgeNode;
import io.flagplane.evaluation.EvaluationContext;
import io.flagplane.projection.ProjectionConfig;
import io.flagplane.projection.ProjectionService;
import io.flagplane.projection.replay.Replay;
import io.flagplane.projection.replay.Verifier;
import io.flagplane.registry.RegistryAccess;
import io.flagplane.registry.server.SchemaRegistryCommand;
import io.flagplane.registry.server.SchemaRegistryServer;
import io.flagplane.sdk.FlagplaneClient;
import io.flagplane.settings.Settings;
import io.flagplane.testkit.SecureKafkaCluster;
import io.flagplane.testkit.SharedSecureKafka;
import io.flagplane.testkit.http.Api;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole system on a secured broker, every part as its own principal holding only the ACLs
 * {@code flagplane acls} grants: the topics are provisioned, the registry (over HTTPS, requiring credentials),
 * the command-service, the projection-service, an edge node and an SDK client start over SASL_SSL
 * with SCRAM-SHA-512, and a flag created through the command API is served by the edge and the SDK,
 * whose reports reach the projection.
 */
@ExtendWith(SharedSecureKafka.class)
class SecuredClusterIT {

    @Test
    void every_service_the_sdk_and_provisioning_connect_over_sasl_ssl_each_as_its_own_principal_with_only_its_acls(
            SecureKafkaCluster kafka, @TempDir Path dir) throws Exception {
        try (LogCapture logs = LogCapture.open()) {
            Principals p = new Principals(kafka);
            runEverything(kafka, dir, p);
            // every start-up summary was logged, and no secret was: not by Flagplane, not in Kafka's own config dumps
            assertThat(logs.messages()).anyMatch(m -> m.contains("command-service connects to Kafka with")
                    && m.contains("kafka.client.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required")
                    && m.contains("password=\"****\""));
            assertThat(logs.messages()).anyMatch(m -> m.contains("sasl.jaas.config = [hidden]"));
            for (String secret : p.secrets()) {
                assertThat(logs.messages()).as("log lines holding a secret").noneMatch(m -> m.contains(secret));
            }
            assertThat(logs.messages()).noneMatch(m -> m.contains("registry-pw"));
        }
    }

    private static void runEverything(SecureKafkaCluster kafka, Path dir, Principals p) throws Exception {
        p.provisionTopics();
        String registryUser = p.user("registry");
        String commandUser = p.user("command");
        String projectionUser = p.user("projection");
        String edgeUser = p.user("edge");
        String sdkUser = p.user("checkout");
        String replayUser = p.user("replay");
        Map<String, String> roles = new LinkedHashMap<>();
        roles.put("registry", registryUser);
        roles.put("command", commandUser);
        roles.put("projection", projectionUser);
        roles.put("edge", edgeUser);
        roles.put("sdk", sdkUser);
        roles.put("replay", replayUser);
        String printed = p.grant(roles);
        assertThat(printed).contains("ALLOW User:" + commandUser).contains("ACLs in place");

        // the registry over HTTPS (the test CA's certificate for 127.0.0.1), requiring basic auth
        String trustStore = kafka.certificates().truststore().toString();
        try (SchemaRegistryServer registry = SchemaRegistryServer.start(SchemaRegistryCommand.settings(p.settings(registryUser,
                Map.of("registry.topic", p.schemaTopic, "registry.host", "127.0.0.1", "registry.port", "0",
                        "registry.auth.basic.user.info", "flagplane:registry-pw",
                        "registry.ssl.keystore.location", kafka.certificates().keystore("broker").toString(),
                        "registry.ssl.keystore.password", kafka.certificates().password()))))) {
            assertThat(registry.url()).startsWith("https://");
            Map<String, String> common = new HashMap<>(Map.of("schema.registry.url", registry.url(),
                    "schema.registry.basic.auth.user.info", "flagplane:registry-pw",
                    "schema.registry.ssl.truststore.location", trustStore,
                    "schema.registry.ssl.truststore.password", kafka.certificates().password()));

            Map<String, String> command = new HashMap<>(common);
            command.putAll(Map.of("command.host", "127.0.0.1", "command.port", "0", "command.auth.enabled", "false",
                    "command.transactional.id", p.transactionalId, "command.environments", "production"));
            Map<String, String> projection = new HashMap<>(common);
            projection.putAll(Map.of("projection.host", "127.0.0.1", "projection.port", "0", "projection.auth.enabled", "false",
                    "projection.application.id", p.applicationId, "projection.state.dir", dir.resolve("streams").toString()));
            Map<String, String> edge = new HashMap<>(common);
            edge.putAll(Map.of("edge.host", "127.0.0.1", "edge.port", "0", "edge.auth.enabled", "false",
                    "edge.environments", "production", "edge.report.heartbeat.ms", "500"));

            try (CommandService commands = CommandService.start(CommandServiceConfig.from(p.settings(commandUser, command)));
                 ProjectionService projections = ProjectionService.start(ProjectionConfig.from(p.settings(projectionUser, projection)));
                 EdgeNode node = EdgeNode.start(EdgeConfig.from(p.settings(edgeUser, edge)));
                 FlagplaneClient sdk = FlagplaneClient.builder()
                         .bootstrapServers(kafka.bootstrapServers()).kafkaProperties(p.client(sdkUser))
                         .schemaRegistry(RegistryAccess.of(registry.url()).withBasicAuth("flagplane:registry-pw")
                                 .withTrustStore(new RegistryAccess.TrustStore(kafka.certificates().caPem(), null, "PEM")))
                         .topicPrefix(p.prefix).environment("production")
                         .reporting(io.flagplane.reporting.ReportingSettings.defaults().withHeartbeat(Duration.ofMillis(500)))
                         .build()) {
                Api api = new Api(commands.url(), null);
                await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/health/ready").status() == 200);
                Api.Response created = api.post("/api/v1/environments/production/flags",
                        "{\"key\":\"secure.checkout\",\"type\":\"boolean\",\"enabled\":true}");
                assertThat(created.status()).as(created.raw()).isEqualTo(201);

                Api edgeApi = new Api(node.url(), null);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    Api.Response served = edgeApi.post("/ofrep/v1/evaluate/flags/secure.checkout",
                            "{\"context\":{\"targetingKey\":\"user-1\"}}");
                    assertThat(served.status()).as(served.raw()).isEqualTo(200);
                    assertThat(served.body().get("value").asBoolean()).isTrue();
                });
                await().atMost(Duration.ofSeconds(30)).until(() -> sdk.getBoolean("secure.checkout", false, EvaluationContext.of("user-1")));

                // the projection folded the flag (it wrote flag-state, which the edge and SDK read) and both evaluators' reports
                assertThat(projections.awaitRunning(Duration.ofSeconds(30))).isTrue();
                Api projectionApi = new Api(projections.url(), null);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    JsonNode evaluators = projectionApi.get("/api/v1/evaluators").body();
                    assertThat(evaluators.toString()).contains("edge_node").contains("sdk_client");
                });
                assertThat(node.reportingStats().sent()).isPositive();

                // the auditor's replay, as its own principal with only its grants (no group, no topics of its own):
                // rebuilds from flag-events and compares with the live projection's changelogs
                ByteArrayOutputStream progress = new ByteArrayOutputStream();
                Settings replaySettings = p.settings(replayUser, common);
                Replay.Options options = new Replay.Options(KafkaClientSettings.from(replaySettings), TopicNames.withPrefix(p.prefix),
                        p.applicationId, Files.createDirectories(dir.resolve("replay")), 1,
                        new PrintStream(progress, true, StandardCharsets.UTF_8));
                try (Replay replay = new Replay(options, RegistrySettings.client(RegistrySettings.from(replaySettings)))) {
                    replay.rebuild(Duration.ofSeconds(60));
                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                        Verifier.Report report = replay.verify(Duration.ofSeconds(5));
                        assertThat(report.ok()).as(progress.toString(StandardCharsets.UTF_8)).isTrue();
                        assertThat(report.stores().get(0).identical()).as("the flag's state").isEqualTo(1);
                    });
                }
            }
        }
    }
}
