package io.flagplane.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagplane.auth.Role;
import io.flagplane.auth.TokenRegistry;
import io.flagplane.avro.ActorKind;
import io.flagplane.avro.EvaluatorKind;
import io.flagplane.avro.EvaluatorReport;
import io.flagplane.avro.EvaluatorStatus;
import io.flagplane.contract.TopicNames;
import io.flagplane.local.LocalStack;
import io.flagplane.registry.CachingSchemaRegistryClient;
import io.flagplane.registry.RestSchemaRegistryClient;
import io.flagplane.settings.Settings;
import io.flagplane.wire.AvroSerializer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI end to end against a whole real stack in this JVM (broker, registry, command-service,
 * projection-service, edge node on ephemeral ports), run in-process through picocli with its
 * stdout, stderr and exit code captured. Two people: alice (whose token is the stack's
 * {@code .flagplane/admin-token}, found by the CLI in the working directory) and bob.
 */
class FlagplaneCliIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static LocalStack stack;
    static Path workingDir;
    static Map<String, String> env;
    static String alice;
    static String bob;

    @BeforeAll
    static void start() throws Exception {
        Path data = dir.resolve("project/.flagplane");
        Files.createDirectories(data);
        alice = TokenRegistry.newToken();
        bob = TokenRegistry.newToken();
        Files.writeString(data.resolve("tokens.json"), "{\"tokens\": ["
                + TokenRegistry.entry("alice", ActorKind.USER, Map.of("*", Role.ADMIN), alice) + ", "
                + TokenRegistry.entry("bob", ActorKind.USER, Map.of("*", Role.ADMIN), bob) + "]}\n");
        Files.writeString(data.resolve("admin-token"), alice + "\n");
        // the KRaft broker and controller need ports they know before they bind: free ports, not 0. The
        // services bind 0 and say where they are: a port probed free and bound seconds later can be taken
        // meanwhile (a Kafka client's outgoing connection took one in CI: "Port already in use")
        stack = LocalStack.start(data, new LocalStack.Ports(freePort(), freePort(), 0, 0, 0, 0, 0),
                Settings.of(Map.of()));
        assertThat(stack.awaitReady(Duration.ofSeconds(90))).isTrue();
        workingDir = dir.resolve("project");
        env = new HashMap<>();
        env.put("HOME", dir.resolve("home").toString());
        env.put("FLAGPLANE_CLI_COMMAND_URL", stack.commandUrl());
        env.put("FLAGPLANE_CLI_PROJECTION_URL", stack.projectionUrl());
        env.put("FLAGPLANE_CLI_EDGE_URL", stack.edgeUrl());
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    static Run cli(String... args) {
        return Run.of(env, workingDir, args);
    }

    static Run ok(String... args) {
        Run run = cli(args);
        assertThat(run.exit()).as(String.join(" ", args) + "\n" + run).isZero();
        return run;
    }

    @Test
    void seed_001_walk_init_add_users_deploy_internal_then_beta_and_roll_back() {
        Run init = ok("init", "action_plan.customization");
        assertThat(init.out()).contains("created action_plan.customization in production: disabled, rollout 0 %, no users (v1)"
                + " — live on 1 of 1 nodes in ");

        Run add = ok("add-user", "action_plan.customization", "1", "2", "3");
        assertThat(add.out()).contains("added 1, 2, 3 to action_plan.customization's internal users (now 3: 1, 2, 3) (v2)"
                + " — live on 1 of 1 nodes in ").contains("drafted rollout plan action_plan.customization-rollout");

        Run early = cli("deploy", "action_plan.customization", "beta");
        assertThat(early.exit()).isEqualTo(ExitCode.REFUSED);
        assertThat(early.err()).contains("has not started: deploy internal first");

        Run internal = ok("deploy", "action_plan.customization", "internal");
        assertThat(internal.out()).containsPattern("deployed action_plan.customization: internal \\(1 of 4\\) — the internal users"
                + " only \\(allow list\\) \\(v\\d+\\) — live on 1 of 1 nodes in \\d+ ms");
        assertThat(ok("evaluate", "action_plan.customization", "1").out()).contains(": true (variant on)");
        assertThat(ok("evaluate", "action_plan.customization", "99", "tier=pro").out()).contains(": false (variant off)");

        Run status = ok("status", "action_plan.customization");
        assertThat(status.out()).contains("state        on").contains("users 1, 2, 3 → on")
                .contains("plan         action_plan.customization-rollout (seed-001): RUNNING, step internal (1 of 4)")
                .contains("guardrails   none defined").contains("next         flagplane deploy action_plan.customization beta")
                .containsPattern("propagation  v\\d+ live on 1 of 1 nodes");

        Run skip = cli("deploy", "action_plan.customization", "general");
        assertThat(skip.exit()).isEqualTo(ExitCode.REFUSED);
        assertThat(skip.err()).contains("phases go in order, the next is beta");

        Run beta = ok("deploy", "action_plan.customization", "beta");
        assertThat(beta.out()).containsPattern("deployed action_plan.customization: beta \\(2 of 4\\) — 10 % of tiers pro, enterprise"
                + " \\(v\\d+\\) — live on 1 of 1 nodes in \\d+ ms");
        assertThat(ok("status", "action_plan.customization").out()).contains("step beta (2 of 4)")
                .contains("rule seed-001-tiers (tier in pro, enterprise) → 10 % on / 90 % off");

        Run rollback = ok("rollback", "action_plan.customization", "--reason", "error rate above 0.5 %");
        assertThat(rollback.out()).containsPattern("rolled back action_plan.customization: plan action_plan.customization-rollout at"
                + " beta \\(restore\\) \\(v\\d+\\) — live on 1 of 1 nodes in \\d+ ms");
        assertThat(ok("status", "action_plan.customization").out()).contains("off (disabled: serves off to everyone)")
                .contains("ROLLED_BACK");
        assertThat(ok("evaluate", "action_plan.customization", "1").out()).contains(": false (variant off)");
    }

    @Test
    void plans_are_listed_paused_resumed_and_moved_on_with_a_go() {
        ok("init", "plans.flag", "7", "8");
        assertThat(ok("plans", "list").out()).containsPattern("plans.flag-rollout\\s+DRAFT\\s+-\\s+plans.flag\\s+seed-001");
        ok("deploy", "plans.flag", "internal");
        assertThat(ok("plans", "pause", "plans.flag-rollout", "--reason", "checking logs").out())
                .contains("paused plan plans.flag-rollout (PAUSED, step internal)");
        Run refused = cli("deploy", "plans.flag", "beta");
        assertThat(refused.exit()).isEqualTo(ExitCode.REFUSED);
        assertThat(refused.err()).contains("is paused").contains("flagplane plans resume plans.flag-rollout");
        ok("plans", "resume", "plans.flag-rollout");
        ok("plans", "go", "plans.flag-rollout");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(ok("plans", "get", "plans.flag-rollout").out())
                .contains("RUNNING, step beta (2 of 4)").containsPattern("▶ 2\\. beta\\s+hold none\\s+waits for a go")
                .contains("guardrails: none defined"));
    }

    @Test
    void a_deploy_before_the_steps_hold_is_over_says_how_long_is_left() throws Exception {
        ok("flags", "create", "held.flag");
        Path plan = dir.resolve("held-plan.json");
        Files.writeString(plan, """
                {"key": "held-rollout", "flagKeys": ["held.flag"], "description": "internal holds an hour",
                 "steps": [
                   {"name": "internal", "holdSeconds": 3600, "manualApproval": true,
                    "commands": [{"action": "setRollout", "flag": "held.flag", "percentage": 0}, {"action": "enable", "flag": "held.flag"}]},
                   {"name": "beta", "manualApproval": true, "commands": [{"action": "setRollout", "flag": "held.flag", "percentage": 10}]},
                   {"name": "expanded", "manualApproval": true, "commands": [{"action": "setRollout", "flag": "held.flag", "percentage": 50}]},
                   {"name": "general", "commands": [{"action": "setRollout", "flag": "held.flag", "percentage": 100}]}]}
                """);
        assertThat(ok("plans", "create", "-f", plan.toString()).out()).contains("drafted plan held-rollout");
        assertThat(ok("plans", "get", "held-rollout").out()).containsPattern("1\\. internal\\s+hold 1 h\\s+waits for a go");
        assertThat(ok("deploy", "held.flag", "internal").out()).contains("deployed held.flag: internal (1 of 4)");

        Run early = cli("deploy", "held.flag", "beta", "--wait-timeout", "2s");

        assertThat(early.exit()).as(early.toString()).isEqualTo(ExitCode.NOT_LIVE);
        assertThat(early.err()).containsPattern("go given for beta, but held.flag is still at internal after 2 s: internal must hold"
                + " 1 h \\((59|60) min left\\)");
        assertThat(ok("plans", "get", "held-rollout").out()).contains("RUNNING, step internal (1 of 4)");
        assertThat(ok("status", "held.flag").out()).contains("plan         held-rollout: RUNNING, step internal (1 of 4)");
    }

    @Test
    void kill_waits_until_live_and_says_so_and_rollback_without_a_plan_kills() {
        ok("flags", "create", "checkout.new_ui", "--enabled");
        Run kill = ok("flags", "kill", "checkout.new_ui", "--reason", "error rate above 5%");
        assertThat(kill.out()).containsPattern("^killed checkout.new_ui \\(v2\\) — live on 1 of 1 nodes in \\d+ ms\\s*$");
        assertThat(ok("evaluate", "checkout.new_ui", "user-1").out()).contains("reason DISABLED");

        Run again = ok("flags", "kill", "checkout.new_ui");
        assertThat(again.out()).contains("already so (v2); nothing written");

        ok("flags", "revive", "checkout.new_ui");
        Run rollback = ok("rollback", "checkout.new_ui");
        assertThat(rollback.out()).containsPattern("killed checkout.new_ui \\(no rollout plan running\\) \\(v4\\) — live on 1 of 1");

        Run noWait = ok("flags", "revive", "checkout.new_ui", "--no-wait");
        assertThat(noWait.out()).contains("revived checkout.new_ui (v5) — not waiting for the evaluators (--no-wait)");
    }

    @Test
    void rules_from_a_file_replace_the_flags_rules_and_history_as_of_and_diff_read_them_back() throws Exception {
        ok("flags", "create", "ruled.flag", "--enabled");
        Path rules = dir.resolve("rules.json");
        Files.writeString(rules, "[{\"id\":\"pro\",\"conditions\":[{\"attribute\":\"tier\",\"operator\":\"in\","
                + "\"values\":[\"pro\"]}],\"serve\":{\"variant\":\"off\"}}]");
        assertThat(ok("flags", "rules", "ruled.flag", "-f", rules.toString()).out())
                .containsPattern("replaced the rules of ruled.flag \\(1 rules\\) \\(v2\\) — live on 1 of 1 nodes");
        assertThat(ok("evaluate", "ruled.flag", "u-1", "tier=pro").out()).contains(": false (variant off)");
        assertThat(ok("evaluate", "ruled.flag", "u-1", "tier=free").out()).contains(": true (variant on)");
        assertThat(ok("history", "ruled.flag").out()).contains("v2").contains("rules[pro]");
        assertThat(ok("as-of", "ruled.flag", "--version", "1").out()).contains("at version 1: v1").doesNotContain("rule pro");
        assertThat(ok("diff", "ruled.flag", "1", "2").out()).contains("rules[pro]");
    }

    @Test
    void a_change_not_live_within_the_wait_timeout_exits_3_naming_the_pending_node() {
        // a second evaluator of staging registers through the evaluators' own topic and never applies anything: the
        // edge node confirms the kill, this one never will, however long the wait
        String node = "evaluator-that-never-applies";
        Instant now = Instant.now();
        sendReport(EvaluatorReport.newBuilder().setNodeId(node).setKind(EvaluatorKind.EDGE_NODE).setHost("nowhere")
                .setEnvironments(List.of("staging")).setSoftwareVersion("0.1.0-SNAPSHOT").setContractFingerprint("c0ffee")
                .setStartedAt(now).setReportedAt(now).setSequence(1).setHeartbeatMs(120_000).setStatus(EvaluatorStatus.CURRENT)
                .setUsageSince(now).build());
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(ok("evaluators", "--environment-only", "-e", "staging").out())
                        .containsPattern(node + "\\s+edge_node\\s+nowhere\\s+live\\s+current\\s+staging\\s"));
        ok("flags", "create", "slow.flag", "--enabled", "-e", "staging", "--no-wait");

        Run run = cli("flags", "kill", "slow.flag", "-e", "staging", "--wait-timeout", "2s");

        assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCode.NOT_LIVE);
        assertThat(run.out()).containsPattern("killed slow.flag \\(v2\\) — live on 1 of 2 nodes after 2(\\.\\d)? s; pending: " + node + "\\s*$");
        assertThat(run.err()).contains("not live on every evaluator within 2 s (--wait-timeout); the change is written");
        assertThat(ok("flags", "get", "slow.flag", "-e", "staging").out()).contains("KILLED");
    }

    /** An evaluator's report, as evaluators send it: keyed by node id, on the stack's evaluator-reports topic. */
    private static void sendReport(EvaluatorReport report) {
        String topic = TopicNames.DEFAULT.evaluatorReports();
        AvroSerializer<EvaluatorReport> serializer = new AvroSerializer<>(
                new CachingSchemaRegistryClient(new RestSchemaRegistryClient(stack.registryUrl())), true);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                stack.kafkaBootstrap()), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, report.getNodeId(), serializer.serialize(topic, report))).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Test
    void json_output_is_the_api_answer_with_the_propagation_it_waited_for() throws IOException {
        JsonNode created = JSON.readTree(ok("flags", "create", "json.flag", "-o", "json").out());
        assertThat(created.path("key").asText()).isEqualTo("json.flag");
        assertThat(created.path("flag").path("version").asLong()).isEqualTo(1);
        assertThat(created.path("live").get(0).path("complete").asBoolean()).isTrue();
        assertThat(created.path("live").get(0).path("applied").asLong()).isEqualTo(1);

        JsonNode flag = JSON.readTree(ok("flags", "get", "json.flag", "--output", "json").out());
        assertThat(flag.path("enabled").asBoolean()).isFalse();
        JsonNode list = JSON.readTree(ok("flags", "list", "-o", "json").out());
        assertThat(list.path("flags").findValuesAsText("key")).contains("json.flag");
        JsonNode history = JSON.readTree(ok("history", "json.flag", "-o", "json").out());
        assertThat(history.path("entries").get(0).path("type").asText()).isEqualTo("FlagCreated");
    }

    @Test
    void an_api_refusal_shows_its_code_and_sentence_and_exits_1() {
        ok("flags", "create", "refused.flag");
        Run twice = cli("flags", "create", "refused.flag");
        assertThat(twice.exit()).isEqualTo(ExitCode.REFUSED);
        assertThat(twice.err()).contains("command-service answered 409 FLAG_ALREADY_EXISTS:").contains("refused.flag");
        assertThat(twice.out()).isEmpty();

        Run missing = cli("flags", "kill", "no.such_flag");
        assertThat(missing.exit()).isEqualTo(ExitCode.REFUSED);
        assertThat(missing.err()).contains("404 FLAG_NOT_FOUND");

        Run badToken = cli("flags", "list", "--token", "fpt_not-a-token");
        assertThat(badToken.exit()).isEqualTo(ExitCode.REFUSED);
        assertThat(badToken.err()).contains("401");
    }

    @Test
    void a_service_that_cannot_be_reached_exits_4_naming_it() {
        Run run = cli("flags", "list", "--command-url", "http://127.0.0.1:1");
        assertThat(run.exit()).isEqualTo(ExitCode.UNREACHABLE);
        assertThat(run.err()).contains("cannot reach the command-service at http://127.0.0.1:1");

        Run usage = cli("deploy", "some.flag", "everywhere");
        assertThat(usage.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(usage.err()).contains("'everywhere' is not a seed 001 phase");
    }

    @Test
    void watch_prints_a_change_made_while_it_runs() throws Exception {
        ok("flags", "create", "watched.flag", "--enabled");
        CompletableFuture<Run> watching = CompletableFuture.supplyAsync(
                () -> cli("watch", "--flag", "watched.flag", "--type", "FlagKilled", "--count", "1"));
        // the stream is open once a change made now shows in it: kill until the watcher has seen one
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
            cli("flags", "kill", "watched.flag", "--reason", "seen live", "--no-wait");
            cli("flags", "revive", "watched.flag", "--no-wait");
            return watching.isDone();
        });
        Run run = watching.get(5, TimeUnit.SECONDS);
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).containsPattern("production  flag watched.flag v\\d+  FlagKilled  by alice.*\\(seen live\\)");
    }

    @Test
    void experiment_results_print_as_a_table() throws Exception {
        Path body = dir.resolve("experiment.json");
        Files.writeString(body, "{\"key\":\"pricing-display-test\",\"description\":\"fees upfront vs at checkout\","
                + "\"variants\":[{\"key\":\"control\",\"weight\":50},{\"key\":\"upfront-fees\",\"weight\":50}],"
                + "\"primaryMetric\":{\"eventKey\":\"booking_confirmed\",\"kind\":\"conversion\"}}");
        ok("experiments", "create", "-f", body.toString());
        assertThat(ok("experiments", "launch", "pricing-display-test", "--reason", "upfront fees convert better").out())
                .contains("launched experiment pricing-display-test").contains("live on 1 of 1 nodes");
        assertThat(ok("experiments", "list").out()).contains("pricing-display-test").contains("RUNNING");
        Run get = ok("experiments", "get", "pricing-display-test");
        assertThat(lines(get.out())).first().asString().matches("pricing-display-test: RUNNING on experiment.pricing-display-test \\(v\\d+\\)");
        assertThat(get.out()).containsPattern("VARIANT\\s+WEIGHT\\n").containsPattern("control\\s+50 %\\n")
                .containsPattern("upfront-fees\\s+50 %\\n");
        for (int user = 0; user < 40; user++) {
            String variant = ok("evaluate", "experiment.pricing-display-test", "user-" + user).out();
            if (user % 2 == 0) {
                post(stack.edgeUrl() + "/api/v1/track", "{\"eventKey\":\"booking_confirmed\",\"targetingKey\":\"user-" + user + "\"}");
            }
            assertThat(variant).contains("variant");
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            Run results = ok("experiments", "results", "pricing-display-test");
            assertThat(results.out()).contains("pricing-display-test on experiment.pricing-display-test: running, 40 users")
                    .contains("primary conversion metric booking_confirmed")
                    .containsPattern("VARIANT\\s+USERS\\s+CONVERSIONS\\s+RATE/MEAN\\s+DIFFERENCE \\(CI\\)")
                    .containsPattern("control\\s+\\d+\\s+\\d+\\s+\\d+\\.\\d\\d %\\s+\\(control\\)")
                    .containsPattern("upfront-fees\\s+\\d+\\s+\\d+\\s+\\d+\\.\\d\\d %\\s+[+-]\\d+\\.\\d\\d pp \\[")
                    .contains("not enough data yet");
        });
        assertThat(ok("experiments", "stop", "pricing-display-test", "--winner", "upfront-fees").out())
                .contains("stopped experiment pricing-display-test").contains("live on 1 of 1 nodes");
        assertThat(ok("evaluate", "experiment.pricing-display-test", "user-1").out()).contains("\"upfront-fees\"");
    }

    @Test
    void a_change_request_is_approved_by_a_second_person_with_their_token_then_applied() throws Exception {
        ok("flags", "create", "guarded.flag", "--tag", "guarded");
        put(stack.commandUrl() + "/api/v1/environments/production/approval-policy",
                "{\"requiredApprovals\":1,\"approverRole\":\"admin\",\"adminBypass\":false,\"tags\":[\"guarded\"]}");
        Run direct = cli("flags", "enable", "guarded.flag");
        assertThat(direct.exit()).isEqualTo(ExitCode.REFUSED);
        assertThat(direct.err()).contains("403 CHANGE_REQUEST_REQUIRED");

        Path body = dir.resolve("cr.json");
        Files.writeString(body, "{\"title\":\"turn guarded.flag on\",\"reason\":\"launch\",\"submit\":true,"
                + "\"commands\":[{\"action\":\"enable\",\"flag\":\"guarded.flag\"}]}");
        JsonNode opened = JSON.readTree(ok("change-requests", "create", "-f", body.toString(), "-o", "json").out());
        String id = opened.path("changeRequest").path("id").asText();

        Run own = cli("change-requests", "approve", id);
        assertThat(own.exit()).isEqualTo(ExitCode.REFUSED);
        assertThat(own.err()).contains("command-service answered 4");

        assertThat(ok("change-requests", "list", "--token", bob).out()).contains(id).contains("IN_REVIEW").contains("alice");
        Run approved = ok("change-requests", "approve", id, "--token", bob, "--comment", "looks right");
        assertThat(approved.out()).contains("approved change request " + id + " (now APPROVED, 1 approval)");
        Run applied = ok("change-requests", "apply", id);
        assertThat(applied.out()).containsPattern("applied change request .* — live on 1 of 1 nodes in \\d+ ms");
        assertThat(ok("flags", "get", "guarded.flag").out()).contains("state   on");
    }

    @Test
    void the_remaining_flag_plan_experiment_and_change_request_verbs_each_write_what_they_say() throws Exception {
        ok("flags", "create", "verbs.flag", "--enabled");
        assertThat(ok("flags", "rollout", "verbs.flag", "25").out())
                .containsPattern("rolled out verbs.flag to 25 % \\(v2\\) — live on 1 of 1 nodes in \\d+ ms");
        assertThat(ok("flags", "allow", "verbs.flag", "u-1", "u-2").out()).contains("allow-list of verbs.flag: added u-1, u-2 (v3)");
        assertThat(ok("flags", "allow", "verbs.flag", "--remove", "u-2").out()).contains("allow-list of verbs.flag: removed u-2 (v4)");
        assertThat(ok("evaluate", "verbs.flag", "u-1").out()).contains(": true (variant on)");
        assertThat(ok("flags", "deny", "verbs.flag", "u-9").out()).contains("deny-list of verbs.flag: added u-9 (v5)");
        assertThat(ok("evaluate", "verbs.flag", "u-9").out()).contains(": false (variant off)");
        assertThat(ok("flags", "deny", "verbs.flag", "--remove", "u-9").out()).contains("deny-list of verbs.flag: removed u-9 (v6)");
        assertThat(ok("flags", "disable", "verbs.flag").out()).contains("disabled verbs.flag (v7)");
        assertThat(ok("flags", "enable", "verbs.flag").out()).contains("enabled verbs.flag (v8)");
        JsonNode exported = JSON.readTree(ok("export").out());
        assertThat(exported.path("environment").asText()).isEqualTo("production");
        assertThat(exported.path("flags").findValuesAsText("key")).contains("verbs.flag");
        assertThat(ok("flags", "archive", "verbs.flag").out()).contains("archived verbs.flag (v9)");
        Run archived = cli("evaluate", "verbs.flag", "u-1");
        assertThat(archived.exit()).isEqualTo(ExitCode.REFUSED);
        assertThat(archived.err()).contains("edge node answered 404 FLAG_NOT_FOUND: flag 'verbs.flag' is archived");

        ok("flags", "create", "plan.flag");
        Path plan = dir.resolve("plan-verbs.json");
        Files.writeString(plan, "{\"key\":\"plan-verbs\",\"flagKeys\":[\"plan.flag\"],\"preset\":\"seed-002-percent\"}");
        assertThat(ok("plans", "create", "-f", plan.toString()).out()).contains("drafted plan plan-verbs");
        assertThat(ok("plans", "start", "plan-verbs").out()).contains("started plan plan-verbs (RUNNING, step 1-percent)");
        assertThat(ok("plans", "rollback", "plan-verbs", "--reason", "error rate").out())
                .contains("rolled back plan plan-verbs (ROLLED_BACK, step 1-percent)");
        Files.writeString(plan, "{\"key\":\"plan-cancel\",\"flagKeys\":[\"plan.flag\"],\"preset\":\"seed-002-percent\"}");
        ok("plans", "create", "-f", plan.toString());
        ok("plans", "start", "plan-cancel");
        assertThat(ok("plans", "cancel", "plan-cancel", "--reason", "superseded").out()).contains("cancelled plan plan-cancel (CANCELLED");

        Path experiment = dir.resolve("verbs-test.json");
        Files.writeString(experiment, "{\"key\":\"verbs-test\",\"variants\":[{\"key\":\"control\",\"weight\":50},"
                + "{\"name\":\"b\",\"weight\":50}]}");
        ok("experiments", "create", "-f", experiment.toString());
        assertThat(ok("experiments", "launch", "verbs-test").out()).contains("launched experiment verbs-test (RUNNING)");
        assertThat(ok("experiments", "pause", "verbs-test", "--reason", "tracking outage").out())
                .contains("paused experiment verbs-test (PAUSED)");
        assertThat(ok("experiments", "resume", "verbs-test").out()).contains("resumed experiment verbs-test (RUNNING)");

        // --no-wait: another test registers a staging evaluator that never applies anything
        ok("flags", "create", "reviewed.flag", "-e", "staging", "--no-wait");
        put(stack.commandUrl() + "/api/v1/environments/staging/approval-policy",
                "{\"requiredApprovals\":1,\"approverRole\":\"admin\",\"adminBypass\":false}");
        Path change = dir.resolve("reviewed.json");
        Files.writeString(change, "{\"title\":\"turn reviewed.flag on\",\"reason\":\"launch\",\"submit\":true,"
                + "\"commands\":[{\"action\":\"enable\",\"flag\":\"reviewed.flag\"}]}");
        String id = JSON.readTree(ok("change-requests", "create", "-f", change.toString(), "-e", "staging", "-o", "json").out())
                .path("changeRequest").path("id").asText();
        assertThat(ok("change-requests", "comment", id, "--comment", "who watches the error rate?", "-e", "staging",
                "--token", bob).out()).contains("commented on change request " + id);
        assertThat(ok("change-requests", "get", id, "-e", "staging").out()).contains(id + ": IN_REVIEW — turn reviewed.flag on");
        assertThat(ok("change-requests", "reject", id, "--comment", "not during the sale", "-e", "staging", "--token", bob).out())
                .contains(id).contains("REJECTED");
        assertThat(ok("flags", "get", "reviewed.flag", "-e", "staging").out()).doesNotContain("state   on");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void post(String url, String body) throws Exception {
        send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static void put(String url, String body) throws Exception {
        send(HttpRequest.newBuilder(URI.create(url)).PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static void send(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(request.header("Authorization", "Bearer " + alice)
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).as(response.body()).isLessThan(300);
    }

    static List<String> lines(String text) {
        return new ArrayList<>(List.of(text.split("\n")));
    }
}
