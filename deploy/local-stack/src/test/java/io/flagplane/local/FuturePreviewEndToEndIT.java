package io.flagplane.local;

import io.flagplane.testkit.MovableClock;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.auth.Role;
import io.flagplane.auth.TokenRegistry;
import io.flagplane.avro.ActorKind;
import io.flagplane.command.CommandService;
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
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 14's "the future preview agrees with what is served once that instant arrives", through all
 * three services on the real broker, with the command-service on a clock the test moves: the
 * command-service previews what twenty users will be served at T (a scheduled 50 % ramp of one flag,
 * a rollout plan's next step on another); the clock reaches T; the release controller applies both;
 * and what the edge serves (OFREP) and what the projection answers then are, user by user, the
 * preview.
 *
 * <p>The command-service's clock starts two hours behind the wall clock, so every event it stamps
 * is in the projection's past and the projection's "now" includes it.
 */
@ExtendWith(SharedTestStack.class)
class FuturePreviewEndToEndIT {

    private static final String ENV = "/api/v1/environments/production";
    private static final List<String> FLAGS = List.of("night.ramp", "plan.ramp");
    private static final int USERS = 20;

    /** A clock that stands still until the test moves it. */
    private final String token = TokenRegistry.newToken();
    private final Instant start = Instant.now().minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.SECONDS);
    private final MovableClock clock = new MovableClock(start);
    private CommandService command;
    private ProjectionService projection;
    private EdgeNode edge;

    @BeforeEach
    void start(TestStack stack) throws Exception {
        TopicNames topics = stack.newTopics("preview");
        Path tokens = Files.createTempFile(Path.of("target"), "tokens", ".json");
        Files.writeString(tokens, "{\"tokens\":[" + TokenRegistry.entry("alice@example.com", ActorKind.USER,
                Map.of("*", Role.ADMIN), token) + "]}");
        Settings settings = Settings.of(Map.of(
                "kafka.bootstrap.servers", stack.bootstrapServers(),
                "schema.registry.url", stack.schemaRegistryUrl(),
                "topic.prefix", topics.flagEvents().replace("flag-events", ""),
                "command.tokens.file", tokens.toString())).with(Map.of(
                "command.host", "127.0.0.1", "command.port", "0",
                "command.transactional.id", TestStack.uniqueName("preview-writer"),
                "projection.host", "127.0.0.1", "projection.port", "0",
                "projection.application.id", TestStack.uniqueName("preview-projection"),
                "projection.state.dir", Files.createTempDirectory(Path.of("target"), "streams").toString(),
                "edge.host", "127.0.0.1", "edge.port", "0"));
        command = CommandService.start(CommandServiceConfig.from(settings), clock);
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

    private JsonNode ok(Http.Response response) {
        assertThat(response.status()).as(String.valueOf(response.body())).isBetween(200, 201);
        return response.body();
    }

    private static String user(int i) {
        return "{\"context\": {\"targetingKey\": \"user-" + i + "\"}}";
    }

    /** value, variant and reason: what a user is served. */
    private static String served(JsonNode answer) {
        return answer.get("value").asText() + " " + answer.path("variant").asText() + " " + answer.get("reason").asText();
    }

    @Test
    void what_the_preview_says_for_t_is_what_the_edge_and_the_projection_serve_once_t_arrives() {
        Instant t = start.plus(Duration.ofMinutes(30));
        for (String flag : FLAGS) {
            ok(Http.post(command.url() + ENV + "/flags", "{\"key\": \"" + flag + "\", \"type\": \"boolean\", \"enabled\": true}", token));
        }
        ok(Http.post(command.url() + ENV + "/schedules", "{\"applyAt\": \"" + t + "\", \"title\": \"Half at night\", \"reason\":"
                + " \"seed 002: 50 % off-peak\", \"commands\": [{\"action\": \"setRollout\", \"flag\": \"night.ramp\","
                + " \"percentage\": 50}]}", token));
        ok(Http.post(command.url() + ENV + "/plans", "{\"key\": \"ramp\", \"flagKeys\": [\"plan.ramp\"], \"rollbackAction\": \"kill\","
                + " \"steps\": [{\"name\": \"ten\", \"holdSeconds\": 1800, \"commands\": [{\"action\": \"setRollout\", \"flag\":"
                + " \"plan.ramp\", \"percentage\": 10}]}, {\"name\": \"half\", \"holdSeconds\": 3600, \"commands\": [{\"action\":"
                + " \"setRollout\", \"flag\": \"plan.ramp\", \"percentage\": 50}]}]}", token));
        ok(Http.post(command.url() + ENV + "/plans/ramp/start", "", token));

        Map<String, String> preview = new LinkedHashMap<>();
        Map<String, Long> versions = new LinkedHashMap<>();
        for (String flag : FLAGS) {
            for (int i = 0; i < USERS; i++) {
                JsonNode answer = ok(Http.post(command.url() + ENV + "/flags/" + flag + "/evaluate?asOf=" + t, user(i), token));
                preview.put(flag + " user-" + i, served(answer));
                versions.put(flag, answer.get("flagVersion").asLong());
            }
        }
        JsonNode assumed = ok(Http.post(command.url() + ENV + "/flags/night.ramp/evaluate?asOf=" + t, user(0), token)).get("assumed");
        assertThat(assumed).extracting(a -> a.get("kind").asText()).containsExactlyInAnyOrder("schedule", "plan-step");
        assertThat(preview.values()).as("the 50 %% steps split the users").anyMatch(s -> s.startsWith("true"))
                .anyMatch(s -> s.startsWith("false"));

        clock.set(t);
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
                Http.get(command.url() + ENV + "/flags/night.ramp", token).body().get("version").asLong() == versions.get("night.ramp")
                        && Http.get(command.url() + ENV + "/flags/plan.ramp", token).body().get("version").asLong()
                        == versions.get("plan.ramp"));
        for (String flag : FLAGS) {
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
                Http.Response r = Http.post(edge.url() + "/ofrep/v1/evaluate/flags/" + flag, user(0), token);
                return r.status() == 200 && r.body().get("metadata").get("flagVersion").asLong() == versions.get(flag);
            });
        }

        Map<String, String> atEdge = new LinkedHashMap<>();
        Map<String, String> atProjection = new LinkedHashMap<>();
        List<String> now = new ArrayList<>();
        for (String flag : FLAGS) {
            for (int i = 0; i < USERS; i++) {
                atEdge.put(flag + " user-" + i, served(ok(Http.post(edge.url() + "/ofrep/v1/evaluate/flags/" + flag, user(i), token))));
                atProjection.put(flag + " user-" + i, served(ok(Http.post(projection.url() + ENV + "/flags/" + flag + "/evaluate",
                        user(i), token))));
                now.add(served(ok(Http.post(command.url() + ENV + "/flags/" + flag + "/evaluate", user(i), token))));
            }
        }
        System.out.printf("future preview vs served at %s: %d of %d answers on%n", t,
                preview.values().stream().filter(s -> s.startsWith("true")).count(), preview.size());
        assertThat(atEdge).isEqualTo(preview);
        assertThat(atProjection).isEqualTo(preview);
        assertThat(now).containsExactlyElementsOf(preview.values());
    }
}
