package io.flagplane.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.auth.Role;
import io.flagplane.auth.TokenRegistry;
import io.flagplane.avro.Actor;
import io.flagplane.avro.ActorKind;
import io.flagplane.avro.Exposure;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagPlanSet;
import io.flagplane.avro.RolloutChanged;
import io.flagplane.avro.Split;
import io.flagplane.avro.WeightedVariant;
import io.flagplane.command.CommandService;
import io.flagplane.command.CommandServiceConfig;
import io.flagplane.contract.RecordKeys;
import io.flagplane.contract.TopicNames;
import io.flagplane.edge.EdgeConfig;
import io.flagplane.edge.EdgeNode;
import io.flagplane.evaluation.Evaluation;
import io.flagplane.evaluation.EvaluationContext;
import io.flagplane.evaluation.Reason;
import io.flagplane.projection.ProjectionConfig;
import io.flagplane.projection.ProjectionService;
import io.flagplane.sdk.FlagplaneClient;
import io.flagplane.settings.Settings;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TelemetryReader;
import io.flagplane.testkit.stack.TestStack;
import io.flagplane.wire.AvroSerializer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
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
 * Issue 14 through all three services on the real broker. Seed 000's flags, written through the
 * command-service: {@code charges.ui} and {@code auto_compute.charges} name {@code charges.engine}
 * as a prerequisite; a kill of the engine makes the UI serve off, reason PREREQUISITE_FAILED, on
 * the edge and in the SDK, and the engine cannot be archived while they depend on it. And a flag
 * under a running rollout plan ({@code FlagPlanSet}, written here onto {@code flag-events} as the
 * plans' writer will) has its evaluations logged on {@code flag-exposures} with the plan's key,
 * once per user and variant, again when a step moves a user, and no more once the plan ends.
 */
@ExtendWith(SharedTestStack.class)
class PrerequisitesAndPlanExposuresIT {

    private static final String ENV = "production";
    private final String token = TokenRegistry.newToken();
    private TestStack stack;
    private TopicNames topics;
    private CommandService command;
    private ProjectionService projection;
    private EdgeNode edge;
    private FlagplaneClient sdk;

    @BeforeEach
    void start(TestStack stack) throws Exception {
        this.stack = stack;
        topics = stack.newTopics("prereq");
        String prefix = topics.flagEvents().replace("flag-events", "");
        Path tokens = Files.createTempFile(Path.of("target"), "tokens", ".json");
        Files.writeString(tokens, "{\"tokens\":[" + TokenRegistry.entry("prereq-admin", ActorKind.SERVICE_TOKEN,
                Map.of("*", Role.ADMIN), token) + "]}");
        Settings settings = Settings.of(Map.of(
                "kafka.bootstrap.servers", stack.bootstrapServers(),
                "schema.registry.url", stack.schemaRegistryUrl(),
                "topic.prefix", prefix,
                "command.tokens.file", tokens.toString())).with(Map.of(
                "command.host", "127.0.0.1", "command.port", "0",
                "command.transactional.id", TestStack.uniqueName("prereq-writer"),
                "projection.host", "127.0.0.1", "projection.port", "0",
                "projection.application.id", TestStack.uniqueName("prereq-projection"),
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

    private String flags() {
        return command.url() + "/api/v1/environments/" + ENV + "/flags";
    }

    private Http.Response create(String body) {
        Http.Response created = Http.post(flags(), body, token);
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        return created;
    }

    private JsonNode atEdge(String flagKey, String user, String role) {
        Http.Response response = Http.post(edge.url() + "/ofrep/v1/evaluate/flags/" + flagKey,
                "{\"context\":{\"targetingKey\":\"" + user + "\",\"role\":\"" + role + "\"}}", token);
        assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
        return response.body();
    }

    /** The version of the flag the edge and the SDK both serve, or -1 while either does not serve it yet. */
    private long servedVersion(String flagKey) {
        Http.Response response = Http.post(edge.url() + "/ofrep/v1/evaluate/flags/" + flagKey,
                "{\"context\":{\"targetingKey\":\"probe\"}}", token);
        long atEdge = response.status() == 200 ? response.body().get("metadata").get("flagVersion").asLong() : -1;
        Evaluation<Object> inSdk = sdk.detail(flagKey, EvaluationContext.of("probe"));
        return !inSdk.isError() && inSdk.flagVersion() == atEdge ? atEdge : -1;
    }

    private void awaitServed(String flagKey, long version) {
        Awaitility.await(flagKey + " v" + version + " on the edge and in the SDK").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(10)).until(() -> servedVersion(flagKey) == version);
    }

    private Evaluation<Boolean> inSdk(String flagKey, String user, String role) {
        return sdk.booleanDetail(flagKey, true, EvaluationContext.of(user, Map.of("role", role)));
    }

    @Test
    void killing_charges_engine_makes_charges_ui_serve_off_with_prerequisite_failed_on_the_edge_and_in_the_sdk() {
        create("""
                {"key":"charges.engine","type":"boolean","enabled":true,"fallthrough":{"variant":"off"},
                 "rules":[{"id":"finance-phase","conditions":[{"attribute":"role","operator":"in","values":["admin","finance"]}],
                           "serve":{"variant":"on"}}]}""");
        create("""
                {"key":"charges.ui","type":"boolean","enabled":true,"fallthrough":{"variant":"off"},
                 "rules":[{"id":"broader-org","conditions":[{"attribute":"role","operator":"in",
                           "values":["admin","finance","ops","manager"]}],"serve":{"variant":"on"}}],
                 "prerequisites":[{"flagKey":"charges.engine","variants":["on"]}]}""");
        create("""
                {"key":"auto_compute.charges","type":"boolean","enabled":true,
                 "prerequisites":[{"flagKey":"charges.engine","variants":["on"]}]}""");
        create("{\"key\":\"referrer.fuzzy\",\"type\":\"boolean\",\"enabled\":false}");
        for (String key : List.of("charges.engine", "charges.ui", "auto_compute.charges", "referrer.fuzzy")) {
            awaitServed(key, 1);
        }

        JsonNode admin = atEdge("charges.ui", "admin-1", "admin");
        assertThat(admin.get("value").asBoolean()).isTrue();
        assertThat(admin.get("reason").asText()).isEqualTo("TARGETING_MATCH");
        JsonNode ops = atEdge("charges.ui", "ops-1", "ops");   // the UI's own rule would show it; the engine is off for ops
        assertThat(ops.get("value").asBoolean()).isFalse();
        assertThat(ops.get("reason").asText()).isEqualTo("PREREQUISITE_FAILED");
        assertThat(ops.get("metadata").get("prerequisite").asText()).isEqualTo("charges.engine");
        assertThat(ops.get("metadata").get("reasonDetail").asText()).isEqualTo("prerequisite charges.engine served off, needs on");
        assertThat(inSdk("charges.ui", "admin-1", "admin").value()).isTrue();
        assertThat(inSdk("charges.ui", "ops-1", "ops").reason()).isEqualTo(Reason.PREREQUISITE_FAILED);

        Http.Response archive = Http.post(flags() + "/charges.engine/archive", "{\"reason\":\"done with it\"}", token);
        assertThat(archive.status()).isEqualTo(409);
        assertThat(archive.body().get("error").get("code").asText()).isEqualTo("FLAG_HAS_DEPENDANTS");
        assertThat(archive.body().get("error").get("details")).extracting(JsonNode::asText)
                .containsExactlyInAnyOrder("charges.ui", "auto_compute.charges");
        Http.Response cycle = Http.put(flags() + "/charges.engine", "{\"type\":\"boolean\",\"prerequisites\":"
                + "[{\"flagKey\":\"charges.ui\",\"variants\":[\"on\"]}]}", token);
        assertThat(cycle.status()).isEqualTo(422);
        assertThat(cycle.body().get("error").get("code").asText()).isEqualTo("PREREQUISITE_CYCLE");
        assertThat(cycle.body().get("error").get("message").asText()).contains("charges.engine -> charges.ui -> charges.engine");

        List<String> uiChanges = new CopyOnWriteArrayList<>();
        sdk.onFlagChange("charges.ui", uiChanges::add);
        Http.Response killed = Http.post(flags() + "/charges.engine/kill", "{\"reason\":\"charges computed wrong\"}", token);
        assertThat(killed.status()).isEqualTo(200);

        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10)).untilAsserted(() -> {
            JsonNode afterKill = atEdge("charges.ui", "admin-1", "admin");
            assertThat(afterKill.get("value").asBoolean()).isFalse();
            assertThat(afterKill.get("reason").asText()).isEqualTo("PREREQUISITE_FAILED");
            assertThat(afterKill.get("metadata").get("flagVersion").asLong()).as("charges.ui itself did not change").isEqualTo(1);
        });
        assertThat(atEdge("auto_compute.charges", "anyone", "customer").get("reason").asText()).isEqualTo("PREREQUISITE_FAILED");
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
                .until(() -> inSdk("charges.ui", "admin-1", "admin").reason() == Reason.PREREQUISITE_FAILED);
        assertThat(inSdk("charges.ui", "admin-1", "admin").value()).isFalse();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> uiChanges.contains("charges.ui"));
        Http.Response rest = Http.get(edge.url() + "/api/v1/check/charges.ui?userId=admin-1&role=admin", token);
        assertThat(rest.body().get("enabled").asBoolean()).isFalse();
        assertThat(rest.body().get("reason").asText()).isEqualTo("PREREQUISITE_FAILED");
        Http.Response asOfNow = Http.post(projection.url() + "/api/v1/environments/" + ENV + "/flags/charges.ui/evaluate",
                "{\"context\":{\"targetingKey\":\"admin-1\",\"role\":\"admin\"}}", token);
        assertThat(asOfNow.body().get("reason").asText()).as(asOfNow.body().toString()).isEqualTo("PREREQUISITE_FAILED");

        assertThat(Http.post(flags() + "/charges.engine/revive", "{}", token).status()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
                .until(() -> atEdge("charges.ui", "admin-1", "admin").get("value").asBoolean());
    }

    /** Writes one flag event onto {@code flag-events} as the command-service would (the plans' writer is not built yet). */
    private void writeEvent(String flagKey, long version, Object payload) throws Exception {
        FlagEvent event = FlagEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setEnvironment(ENV).setFlagKey(flagKey)
                .setVersion(version).setOccurredAt(Instant.now()).setActor(new Actor("release-controller", ActorKind.SYSTEM))
                .setReason("plan checkout-rollout").setPayload(payload).build();
        AvroSerializer<FlagEvent> serializer = new AvroSerializer<>(stack.registryClient(), true);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topics.flagEvents(), RecordKeys.of(ENV, flagKey),
                    serializer.serialize(topics.flagEvents(), event))).get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void a_flag_under_a_running_plan_logs_every_user_and_variant_it_serves_with_the_plan_key() throws Exception {
        String flag = "checkout.new_ui";
        create("""
                {"key":"checkout.new_ui","type":"boolean","enabled":true,
                 "fallthrough":{"split":[{"variant":"on","weight":10},{"variant":"off","weight":90}]}}""");

        try (TelemetryReader<Exposure> exposures = new TelemetryReader<>(stack.bootstrapServers(), stack.registryClient(),
                topics.flagExposures(), Exposure.class)) {
            writeEvent(flag, 2, new FlagPlanSet("checkout-rollout"));
            awaitServed(flag, 2);
            Map<String, String> served = new HashMap<>();
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < 20; i++) {
                    served.put("edge-" + i, atEdge(flag, "edge-" + i, "none").get("variant").asText());
                    served.put("sdk-" + i, inSdk(flag, "sdk-" + i, "none").variant());
                }
            }
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> exposures.values().stream()
                    .filter(e -> !e.getTargetingKey().equals("probe")).count() >= 40);
            List<Exposure> first = exposures.values().stream().filter(e -> !e.getTargetingKey().equals("probe")).toList();
            assertThat(first).hasSize(40).allSatisfy(e -> {
                assertThat(e.getPlanKey()).isEqualTo("checkout-rollout");
                assertThat(e.getExperimentKey()).isEmpty();
                assertThat(e.getFlagKey()).isEqualTo(flag);
                assertThat(e.getFlagVersion()).isEqualTo(2);
                assertThat(e.getVariant()).as(e.getTargetingKey()).isEqualTo(served.get(e.getTargetingKey()));
            });
            assertThat(first).extracting(Exposure::getTargetingKey).doesNotHaveDuplicates();
            assertThat(exposures.records()).allSatisfy(r -> assertThat(r.key()).isEqualTo(RecordKeys.ofUser(ENV, r.value()
                    .getTargetingKey())));

            // the plan's next step: everyone on. Users moved from off to on are exposed again; those already on are not
            writeEvent(flag, 3, new RolloutChanged(null, new Split(List.of(new WeightedVariant("on", 10_000),
                    new WeightedVariant("off", 0)), null)));
            awaitServed(flag, 3);
            long movedOnTheEdge = served.entrySet().stream().filter(e -> e.getKey().startsWith("edge-") && e.getValue().equals("off"))
                    .count();
            for (int i = 0; i < 20; i++) {
                assertThat(atEdge(flag, "edge-" + i, "none").get("variant").asText()).isEqualTo("on");
            }
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> exposures.values().stream()
                    .filter(e -> e.getFlagVersion() == 3 && e.getTargetingKey().startsWith("edge-")).count() >= movedOnTheEdge);
            assertThat(exposures.values().stream().filter(e -> e.getFlagVersion() == 3 && e.getTargetingKey().startsWith("edge-")))
                    .hasSize((int) movedOnTheEdge).allSatisfy(e -> assertThat(e.getVariant()).isEqualTo("on"))
                    .allSatisfy(e -> assertThat(served.get(e.getTargetingKey())).as("was off before the step").isEqualTo("off"));

            // the plan ends: nothing more is logged for new users
            writeEvent(flag, 4, new FlagPlanSet(null));
            awaitServed(flag, 4);
            long edgeLogged = edge.telemetry().exposures().stats().logged();
            long sdkLogged = sdk.exposureStats().logged();
            for (int i = 0; i < 10; i++) {
                assertThat(atEdge(flag, "after-plan-" + i, "none").get("variant").asText()).isEqualTo("on");
                assertThat(inSdk(flag, "after-plan-sdk-" + i, "none").value()).isTrue();
            }
            assertThat(edge.telemetry().exposures().stats().logged()).as("the edge logged nothing more").isEqualTo(edgeLogged);
            assertThat(sdk.exposureStats().logged()).as("the SDK logged nothing more").isEqualTo(sdkLogged);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> edge.telemetry().exposures().stats().sent() == edgeLogged
                    && sdk.exposureStats().sent() == sdkLogged);
            assertThat(exposures.values()).noneMatch(e -> e.getTargetingKey().startsWith("after-plan"));
        }
    }
}
