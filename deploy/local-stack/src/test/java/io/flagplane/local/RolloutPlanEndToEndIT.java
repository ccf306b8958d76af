package io.flagplane.local;

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
import io.flagplane.testkit.MovableClock;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 14's "done when", end to end on the real broker, every service on one clock the test moves
 * by hand: the command-service (the release controller), the projection (guardrails into
 * {@code release-signals}) and three edge nodes (which serve the flags and log the plan's
 * exposures). A small service driver evaluates the flag at the edges for a few thousand users and
 * tracks {@code request} (and, when it is told to fail, {@code http_error}) for each.
 * <ul>
 *   <li>seed 001's plan runs from {@code internal} to {@code general} by itself while healthy;</li>
 *   <li>the same plan, with the new variant failing 7 % of requests from {@code beta} on, rolls back
 *       at {@code beta} with the breach as the reason, and every edge serves the rollback;</li>
 *   <li>seed 000's role phases move on only after a person's go at each step.</li>
 * </ul>
 * The scheduled change across a failover and the future preview are the command-service's
 * {@code ScheduledChangeFailoverIT} and this module's {@code FuturePreviewEndToEndIT}.
 */
@ExtendWith(SharedTestStack.class)
class RolloutPlanEndToEndIT {

    private static final String ENV = "production";
    private static final int USERS = 3_000;
    private static final List<String> TIERS = List.of("free", "pro", "enterprise");
    private static final Duration SETTLE = Duration.ofSeconds(60);

    private final String token = TokenRegistry.newToken();
    private final String person = TokenRegistry.newToken();
    private final MovableClock clock = new MovableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private final List<EdgeNode> edges = new ArrayList<>();
    private CommandService command;
    private ProjectionService projection;
    private ExecutorService pool;

    @BeforeEach
    void start(TestStack stack) throws Exception {
        TopicNames topics = stack.newTopics("plans");
        String prefix = topics.flagEvents().replace("flag-events", "");
        Path tokens = Files.createTempFile(Path.of("target"), "tokens", ".json");
        Files.writeString(tokens, "{\"tokens\":["
                + TokenRegistry.entry("plan-admin", ActorKind.SERVICE_TOKEN, Map.of("*", Role.ADMIN), token) + ","
                + TokenRegistry.entry("release-manager@example.com", ActorKind.USER, Map.of("*", Role.EDITOR), person) + "]}");
        Settings settings = Settings.of(Map.of(
                "kafka.bootstrap.servers", stack.bootstrapServers(),
                "schema.registry.url", stack.schemaRegistryUrl(),
                "topic.prefix", prefix,
                "command.tokens.file", tokens.toString())).with(Map.of(
                "command.host", "127.0.0.1", "command.port", "0",
                "command.transactional.id", TestStack.uniqueName("plans-writer"),
                "command.release.signal.interval.ms", "1000")).with(Map.of(
                "projection.host", "127.0.0.1", "projection.port", "0",
                "projection.application.id", TestStack.uniqueName("plans-projection"),
                "projection.state.dir", Files.createTempDirectory(Path.of("target"), "streams").toString(),
                "projection.guardrails.interval.ms", "1000",
                "edge.host", "127.0.0.1", "edge.port", "0"));
        command = CommandService.start(CommandServiceConfig.from(settings), clock);
        projection = ProjectionService.start(ProjectionConfig.from(settings), clock);
        for (int i = 0; i < 3; i++) {
            edges.add(EdgeNode.start(EdgeConfig.from(settings.with(Map.of("edge.node.id", TestStack.uniqueName("plans-edge")))),
                    clock));
        }
        assertThat(projection.awaitRunning(Duration.ofSeconds(60))).isTrue();
        for (EdgeNode edge : edges) {
            assertThat(edge.awaitReady(Duration.ofSeconds(30))).isTrue();
        }
        pool = Executors.newFixedThreadPool(4);
    }

    @AfterEach
    void stop() {
        pool.shutdownNow();
        edges.forEach(EdgeNode::close);
        projection.close();
        command.close();
    }

    // ------------------------------------------------------------------ seed 001, healthy

    @Test
    void seed_001_runs_from_internal_to_general_by_itself_when_healthy() throws Exception {
        String flag = "action_plan.customization";
        createFlag(flag);
        createSeed001Plan("action-plan", flag);
        JsonNode plan = start("action-plan");
        assertThat(plan.path("currentStepName").asText()).isEqualTo("internal");

        List<String> steps = List.of("internal", "beta", "expanded", "general");
        Map<String, Duration> holds = Map.of("internal", Duration.ofDays(3), "beta", Duration.ofDays(7),
                "expanded", Duration.ofDays(7), "general", Duration.ofDays(2));
        for (int i = 0; i < steps.size(); i++) {
            String step = steps.get(i);
            awaitEveryEdgeServesStep(flag, step);
            // the hold passes; then traffic at the new instant gives the guardrail a fresh, healthy window
            clock.advance(holds.get(step).plusMinutes(1));
            Traffic traffic = drive(flag, false);
            assertThat(traffic.errors()).isZero();
            String next = i + 1 < steps.size() ? steps.get(i + 1) : null;
            JsonNode moved = awaitPlan("action-plan", p -> next == null ? "COMPLETED".equals(p.path("status").asText())
                    : next.equals(p.path("currentStepName").asText()));
            assertThat(moved.path("lastChange").path("actor").path("id").asText()).isEqualTo("release-controller");
        }
        // general: everyone gets the feature, on every edge
        for (EdgeNode edge : edges) {
            for (int u = 0; u < 30; u++) {
                assertThat(variant(edge, flag, u)).isEqualTo("on");
            }
        }
    }

    // ------------------------------------------------------------------ seed 001, failing 7 % at beta

    @Test
    void the_same_plan_rolls_back_at_beta_when_the_new_variant_fails_7_percent_of_requests() throws Exception {
        String flag = "action_plan.customization_b";
        createFlag(flag);
        createSeed001Plan("action-plan-b", flag);
        start("action-plan-b");
        awaitEveryEdgeServesStep(flag, "internal");
        clock.advance(Duration.ofDays(3).plusMinutes(1));
        drive(flag, false);
        awaitPlan("action-plan-b", p -> "beta".equals(p.path("currentStepName").asText()));
        awaitEveryEdgeServesStep(flag, "beta");

        // the service's new code path fails 7 % of the requests it serves with the new variant
        Traffic traffic = drive(flag, true);
        assertThat(traffic.onRequests()).isGreaterThan(100);
        assertThat((double) traffic.errors() / traffic.onRequests()).isBetween(0.06, 0.08);
        long tipped = System.nanoTime();

        JsonNode rolledBack = awaitPlan("action-plan-b", p -> "ROLLED_BACK".equals(p.path("status").asText()));
        String reason = rolledBack.path("statusReason").asText();
        assertThat(reason).contains("beta").contains("error-rate").contains("http_error").contains("5 %");
        assertThat(rolledBack.path("lastChange").path("actor").path("id").asText()).isEqualTo("release-controller");
        // every edge serves the rollback (the flag as it was before the plan: off) to everyone
        Awaitility.await().atMost(SETTLE).pollInterval(Duration.ofMillis(10)).untilAsserted(() -> {
            for (EdgeNode edge : edges) {
                for (int u : new int[] {1, 2, 3, 4, 5, 7, 8, 10, 11}) {
                    assertThat(variant(edge, flag, u)).as("user %d at %s", u, edge.url()).isEqualTo("off");
                }
            }
        });
        System.out.printf("guardrail breach at beta (%d of %d requests failed) -> rollback served by every edge %.0f ms after"
                + " the driver's last tracked batch was accepted; reason: %s%n", traffic.errors(), traffic.onRequests(),
                (System.nanoTime() - tipped) / 1e6, reason);
    }

    // ------------------------------------------------------------------ seed 000, a go at each phase

    @Test
    void seed_000_role_phases_move_on_only_after_a_go_at_each_step() throws Exception {
        for (String flag : List.of("charges.engine", "charges.ui", "referrer.fuzzy")) {
            createFlag(flag);
        }
        Http.Response created = Http.post(plans(), """
                {"key":"charges-rollout","description":"OP-02: charges, four phases",
                 "flagKeys":["charges.engine","charges.ui","referrer.fuzzy"],
                 "preset":"seed-000-roles","reason":"seed 000"}""", token);
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        start("charges-rollout");

        List<String> phases = List.of("pilot", "finance", "broader-org", "fuzzy-match");
        for (int i = 0; i < phases.size(); i++) {
            String phase = phases.get(i);
            awaitPlan("charges-rollout", p -> phase.equals(p.path("currentStepName").asText()));
            clock.advance(Duration.ofDays(7).plusMinutes(1));
            JsonNode waiting = awaitPlan("charges-rollout", p -> p.path("awaitingApproval").asBoolean());
            assertThat(waiting.path("currentStepName").asText()).isEqualTo(phase);
            // without a go the plan stays where it is, however long it waits
            clock.advance(Duration.ofDays(1));
            assertThat(plan("charges-rollout").path("currentStepName").asText()).isEqualTo(phase);
            checkPhase(phase);
            Http.Response go = Http.post(plans() + "/charges-rollout/approve",
                    "{\"comment\":\"" + phase + " looks good\",\"reason\":\"go/no-go meeting\"}", person);
            assertThat(go.status()).as(go.body().toString()).isEqualTo(200);
        }
        JsonNode done = awaitPlan("charges-rollout", p -> "COMPLETED".equals(p.path("status").asText()));
        assertThat(done.path("lastChange").path("actor").path("id").asText()).isEqualTo("release-controller");
    }

    /** What seed 000 says each phase serves: the engine and the UI by role, fuzzy matching last. */
    private void checkPhase(String phase) {
        Awaitility.await().atMost(SETTLE).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            EdgeNode edge = edges.get(0);
            assertThat(roleVariant(edge, "charges.ui", "admin")).isEqualTo("on");
            assertThat(roleVariant(edge, "charges.ui", "finance")).isEqualTo(phase.equals("pilot") ? "off" : "on");
            assertThat(roleVariant(edge, "charges.ui", "ops"))
                    .isEqualTo(phase.equals("broader-org") || phase.equals("fuzzy-match") ? "on" : "off");
            assertThat(roleVariant(edge, "charges.ui", "customer")).isEqualTo("off");
            assertThat(roleVariant(edge, "referrer.fuzzy", "admin")).isEqualTo(phase.equals("fuzzy-match") ? "on" : "off");
        });
    }

    // ------------------------------------------------------------------ the service driver

    /** What one round of traffic did: requests served the new variant, and how many of those failed. */
    private record Traffic(int onRequests, int errors) {
    }

    /**
     * Every user evaluates the flag once at one of the edges (OFREP, with the user's tier) and tracks a
     * {@code request}; when {@code failing}, 7 in every 100 requests served the new variant also track
     * an {@code http_error}. The tracking goes through the edges' {@code POST /api/v1/track}.
     */
    private Traffic drive(String flag, boolean failing) throws Exception {
        List<Future<String>> answers = new ArrayList<>();
        for (int u = 0; u < USERS; u++) {
            int user = u;
            answers.add(pool.submit(() -> variant(edges.get(user % edges.size()), flag, user)));
        }
        List<List<String>> batches = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        int on = 0;
        int errors = 0;
        for (int u = 0; u < USERS; u++) {
            String variant = answers.get(u).get();
            List<String> batch = batches.get(u % edges.size());
            batch.add(event("request", u));
            if ("on".equals(variant)) {
                on++;
                if (failing && (errors + 1) * 100 <= on * 7) {   // 7 % of the requests served so far, spread evenly
                    errors++;
                    batch.add(event("http_error", u));
                }
            }
        }
        for (int e = 0; e < edges.size(); e++) {
            List<String> events = batches.get(e);
            for (int from = 0; from < events.size(); from += 500) {
                Http.Response tracked = Http.post(edges.get(e).url() + "/api/v1/track",
                        "{\"events\":[" + String.join(",", events.subList(from, Math.min(from + 500, events.size()))) + "]}", token);
                assertThat(tracked.status()).as(tracked.body().toString()).isEqualTo(202);
            }
        }
        return new Traffic(on, errors);
    }

    private static String event(String key, int user) {
        return "{\"eventKey\":\"" + key + "\",\"targetingKey\":\"" + user + "\"}";
    }

    private String variant(EdgeNode edge, String flag, int user) {
        Http.Response r = Http.post(edge.url() + "/ofrep/v1/evaluate/flags/" + flag,
                "{\"context\":{\"targetingKey\":\"" + user + "\",\"tier\":\"" + TIERS.get(user % TIERS.size()) + "\"}}", token);
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return r.body().path("variant").asText();
    }

    private String roleVariant(EdgeNode edge, String flag, String role) {
        Http.Response r = Http.post(edge.url() + "/ofrep/v1/evaluate/flags/" + flag,
                "{\"context\":{\"targetingKey\":\"" + role + "-user\",\"role\":\"" + role + "\"}}", token);
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return r.body().path("variant").asText();
    }

    /**
     * Waits until every edge serves the flag's version the command-service holds now (the step's
     * change), then checks what the step serves: internal user 1 (seed 001's {@code add-user 1}) has it
     * at every step; a free-tier user only at {@code general}.
     */
    private void awaitEveryEdgeServesStep(String flag, String step) {
        Http.Response current = Http.get(command.url() + "/api/v1/environments/" + ENV + "/flags/" + flag, token);
        assertThat(current.status()).as(current.body().toString()).isEqualTo(200);
        long version = current.body().path("version").asLong();
        Awaitility.await().atMost(SETTLE).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            for (EdgeNode edge : edges) {
                Http.Response r = Http.post(edge.url() + "/ofrep/v1/evaluate/flags/" + flag,
                        "{\"context\":{\"targetingKey\":\"1\",\"tier\":\"pro\"}}", token);
                assertThat(r.body().path("metadata").path("flagVersion").asLong()).as("%s at %s", flag, edge.url())
                        .isGreaterThanOrEqualTo(version);
            }
        });
        for (EdgeNode edge : edges) {
            assertThat(variant(edge, flag, 1)).as("internal user 1 at %s in %s", edge.url(), step).isEqualTo("on");
            // user 2997 is on the free tier (2997 % 3 == 0)
            assertThat(variant(edge, flag, 2_997)).as("a free user at %s in %s", edge.url(), step)
                    .isEqualTo(step.equals("general") ? "on" : "off");
        }
    }

    // ------------------------------------------------------------------ the command API

    private String plans() {
        return command.url() + "/api/v1/environments/" + ENV + "/plans";
    }

    private void createFlag(String flag) {
        Http.Response created = Http.post(command.url() + "/api/v1/environments/" + ENV + "/flags",
                "{\"key\":\"" + flag + "\",\"type\":\"boolean\",\"reason\":\"seed scenario\"}", token);
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
    }

    private void createSeed001Plan(String key, String flag) {
        Http.Response created = Http.post(plans(), """
                {"key":"%s","description":"seed 001: action plan customization","flagKeys":["%s"],
                 "preset":"seed-001","presetParameters":{"internalUsers":["1","2","3"]},
                 "guardrails":[{"name":"error-rate","kind":"threshold","eventKey":"http_error","perEventKey":"request",
                                "limit":0.05,"windowSeconds":600,"onBreach":"rollback"}],
                 "rollbackAction":"restore","reason":"seed 001 deployment guide"}""".formatted(key, flag), token);
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
    }

    private JsonNode start(String key) {
        Http.Response started = Http.post(plans() + "/" + key + "/start", "{\"reason\":\"go\"}", token);
        assertThat(started.status()).as(started.body().toString()).isEqualTo(200);
        return started.body().path("plan");
    }

    private JsonNode plan(String key) {
        Http.Response r = Http.get(plans() + "/" + key, token);
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return r.body().has("plan") ? r.body().path("plan") : r.body();
    }

    private JsonNode awaitPlan(String key, java.util.function.Predicate<JsonNode> condition) {
        JsonNode[] last = new JsonNode[1];
        Awaitility.await().atMost(SETTLE).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            last[0] = plan(key);
            assertThat(condition.test(last[0])).as("plan %s: %s; the projection's view: %s", key, last[0],
                    Http.get(projection.url() + "/api/v1/environments/" + ENV + "/plans/" + key, token).body()).isTrue();
        });
        return last[0];
    }
}
