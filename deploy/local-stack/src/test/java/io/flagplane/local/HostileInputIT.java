package io.flagplane.local;

import static io.flagplane.local.HostileBodies.ENV;
import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.contract.TopicNames;
import io.flagplane.local.Probe.Api;
import io.flagplane.local.Probe.Expect;
import io.flagplane.settings.Settings;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hostile input against the whole local stack: bodies of the wrong shape, broken JSON, extreme
 * numbers and instants, header, method, path and query tricks, catastrophic regexes. Every answer
 * must be a non-5xx, every 4xx JSON in the API's error shape without internals, and no refused
 * write may reach {@code flag-events}. One stack for the suite; each family reports every
 * violation it finds, grouped, before it fails.
 *
 * <p>Seeded and bounded: {@code -Dhostile.seed=S} (default fixed) picks the samples,
 * {@code -Dhostile.requests=N} (default 300) is the size of each sampled family (body mutations,
 * path tricks, query tricks); the tables run whole. About 2,800 requests in 30 s once the stack is
 * up. Run it alone, or longer outside CI:
 * <pre>{@code
 * mvn -o -pl deploy/local-stack -am verify -Dit.test=HostileInputIT -Dtest=none \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
 *     -Dhostile.requests=5000 -Dhostile.seed=$RANDOM
 * }</pre>
 * Each family prints its grouped report and keeps the full list in {@code target/hostile-report/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileInputIT {

    private static final long SEED = Long.getLong("hostile.seed", 20_261_126L);
    private static final int REQUESTS = Integer.getInteger("hostile.requests", 300);

    private LocalStack stack;
    private HostileTarget target;
    private EventLog events;
    private HostileRun run;
    private HostileRequests requests;
    private HttpTricks tricks;

    @BeforeAll
    void start() throws Exception {
        System.out.printf("hostile suite: seed=%d requests=%d (rerun with -Dhostile.seed=%d -Dhostile.requests=%d)%n",
                SEED, REQUESTS, SEED, REQUESTS);
        String clusterDir = System.getProperty("hostile.cluster.dir");
        if (clusterDir != null && !clusterDir.isBlank()) {
            // fault 7: a running deploy/cluster instead of a stack of our own
            stack = null;
            target = HostileTarget.cluster(Path.of(clusterDir));
            System.out.println("hostile suite: against the cluster in " + clusterDir + ": " + target.commandUrl() + " "
                    + target.projectionUrl() + " " + target.edgeUrl()); // never the token
        } else {
            Path dataDir = Files.createTempDirectory(Path.of("target"), "hostile-stack");
            // only the broker's ports fixed (known before it binds); the services bind 0 and say where they are
            stack = LocalStack.start(dataDir, new LocalStack.Ports(freePort(), freePort(), 0, 0, 0, 0, 0), Settings.of(Map.of()));
            assertThat(stack.awaitReady(Duration.ofSeconds(90))).as("the local stack is ready").isTrue();
            target = HostileTarget.of(stack);
        }
        createFixtures();
        events = new EventLog(target.kafkaBootstrap(), TopicNames.DEFAULT.flagEvents());
        run = new HostileRun(target.commandUrl(), target.projectionUrl(), target.edgeUrl(), events);
        requests = new HostileRequests(target.adminToken());
        tricks = new HttpTricks(target.adminToken());
    }

    @AfterAll
    void stop() {
        if (run != null) {
            System.out.println(run.summary(SEED));
        }
        if (events != null) {
            events.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    private void createFixtures() {
        String token = target.adminToken();
        String command = target.commandUrl() + ENV;
        expectStatus(Http.post(command + "/segments", "{\"key\":\"hostile-ref\",\"included\":[\"user-ref\"]}", token), 201);
        expectStatus(Http.post(command + "/segments", "{\"key\":\"hostile-seg\",\"included\":[\"user-1\"]}", token), 201);
        for (String key : List.of("hostile.victim", "hostile.split")) {
            expectStatus(Http.post(command + "/flags", HostileBodies.stringFlag(key), token), 201);
            expectStatus(Http.post(command + "/flags/" + key + "/enable", "", token), 200);
        }
        expectStatus(Http.put(command + "/flags/hostile.victim/metadata", "{\"description\":\"victim\",\"tags\":[\"hostile\"]}",
                token), 200);
        expectStatus(Http.post(command + "/flags", "{\"key\":\"hostile.killable\",\"type\":\"boolean\",\"enabled\":true,"
                + "\"tags\":[\"hostile-killable\"]}", token), 201);
        awaitVisible("hostile.split");
        awaitVisible("hostile.killable");
    }

    private static void expectStatus(Http.Response response, int status) {
        assertThat(response.status()).as("fixture answer %s", response.body()).isEqualTo(status);
    }

    /** Waits until the edge node and the projection both serve the flag. */
    private void awaitVisible(String key) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            assertThat(Http.post(target.edgeUrl() + "/ofrep/v1/evaluate/flags/" + key, "{\"context\":{\"targetingKey\":\"user-1\"}}",
                    target.adminToken()).status())
                    .isEqualTo(200);
            assertThat(Http.get(target.projectionUrl() + ENV + "/flags/" + key, target.adminToken()).status()).isEqualTo(200);
        });
    }

    private Random random(String family) {
        return new Random(SEED ^ family.hashCode());
    }

    /** Prints the family's report, keeps the full one in {@code target/hostile-report/}, and fails on any violation. */
    private static void finish(HostileRun.Family family) throws IOException {
        System.out.println(family.report());
        Path reports = Files.createDirectories(Path.of("target", "hostile-report"));
        Files.writeString(reports.resolve(family.name().replace(' ', '-') + ".txt"), family.fullReport());
        assertThat(family.violations()).withFailMessage(family::report).isEmpty();
    }

    /** Refused writes first, as one batch the event log must not notice; then everything else. */
    private static void sendRefusedWritesThenRest(HostileRun.Family family, List<Probe> probes) {
        family.sendRefused(probes.stream().filter(p -> p.isCommandWrite() && p.expect().clientError()).toList());
        family.sendAll(probes.stream().filter(p -> !(p.isCommandWrite() && p.expect().clientError())).toList());
    }

    // ------------------------------------------------------------------ the families

    @Test
    @Order(1)
    void a_token_with_its_letters_case_flipped_is_refused_even_on_a_connection_that_just_sent_the_valid_one() throws IOException {
        HostileRun.Family family = run.family("header case on one connection");
        String token = target.adminToken();
        String flipped = HostileRequests.flipCase(token);
        for (Api api : Api.values()) {
            for (List<String> order : List.of(List.of(token, flipped, token), List.of(flipped, token, flipped))) {
                try (RawHttp.Connection connection = new RawHttp.Connection(run.address(api))) {
                    for (int i = 0; i < order.size(); i++) {
                        boolean valid = order.get(i).equals(token);
                        Probe probe = keepAliveProbe(api, order.get(i), valid, i);
                        if (i > 0 && connection.closedByServer()) {
                            family.violation(api, "keep-alive closed", probe.describe(),
                                    "the server closed the connection after request " + i + "; the check needs one connection");
                            break;
                        }
                        try {
                            family.record(probe, connection.send(probe.bytes(true), false, Probe.DEADLINE));
                        } catch (RawHttp.NoAnswer e) {
                            family.noAnswer(probe, e.getMessage());
                            break;
                        }
                    }
                } catch (IOException e) {
                    family.noAnswer(keepAliveProbe(api, token, true, 0), "cannot connect: " + e);
                }
            }
        }
        finish(family);
    }

    private static Probe keepAliveProbe(Api api, String token, boolean valid, int position) {
        Probe.Builder probe = switch (api) {
            case COMMAND -> Probe.to(api, "GET", ENV + "/flags");
            case PROJECTION -> Probe.to(api, "GET", "/api/v1/status");
            case EDGE -> Probe.to(api, "POST", "/ofrep/v1/evaluate/flags/hostile.split").json(HostileBodies.CONTEXT);
        };
        return probe.bearer(token)
                .label("request " + (position + 1) + " with the " + (valid ? "valid" : "case-flipped") + " token")
                .expect(Expect.exactly(valid ? 200 : 401)).build();
    }

    @Test
    @Order(2)
    void a_write_into_an_environment_nobody_declared_is_404_environment_not_found_and_writes_nothing() throws IOException {
        HostileRun.Family family = run.family("undeclared environment");
        family.send(Probe.to(Api.COMMAND, "POST", "/api/v1/environments/staging/flags").bearer(target.adminToken())
                .label("control: create in staging").json(HostileBodies.freshen("{\"key\":\"hostile.fresh\",\"type\":\"boolean\"}"
                        .getBytes(StandardCharsets.UTF_8))).expect(Expect.exactly(201)).build());
        family.sendRefused(requests.undeclaredEnvironments());
        finish(family);
    }

    @Test
    @Order(3)
    void wrong_json_types_unknown_fields_and_missing_values_are_refused_and_write_nothing() throws IOException {
        HostileRun.Family family = run.family("wrong JSON types");
        List<Probe> sample = requests.bodyMutations(random("wrong JSON types"), REQUESTS);
        System.out.printf("wrong JSON types: %d of %d body mutations%n", sample.size(), HostileBodies.commandMutations().size());
        for (HostileBodies.Base base : HostileBodies.bases()) {
            List<Probe> group = sample.stream().filter(p -> p.label().startsWith(base.name() + ": ")).toList();
            family.send(requests.restoreVictim());
            family.send(requests.control(base));
            sendRefusedWritesThenRest(family, group);
        }
        family.send(requests.restoreVictim());
        family.sendRefused(requests.bodyMustHaves());
        family.sendAll(requests.contextMutations());
        finish(family);
    }

    @Test
    @Order(4)
    void bodies_that_are_not_one_clean_json_object_are_refused_with_a_json_error() throws IOException {
        HostileRun.Family family = run.family("malformed JSON");
        family.send(requests.restoreVictim());
        sendRefusedWritesThenRest(family, requests.malformedBodies());
        finish(family);
    }

    @Test
    @Order(5)
    void bodies_and_strings_over_the_limits_are_refused() throws IOException {
        HostileRun.Family family = run.family("huge bodies");
        sendRefusedWritesThenRest(family, requests.hugeBodies());
        finish(family);
    }

    @Test
    @Order(6)
    void extreme_numbers_and_instants_are_refused_or_served_never_a_5xx() throws IOException {
        HostileRun.Family family = run.family("extreme values");
        family.send(requests.restoreVictim());
        sendRefusedWritesThenRest(family, requests.extremeValues());

        // extreme but valid instants in before/after rules: refused at write, or served at the edge and in time travel
        List<String> accepted = new ArrayList<>();
        for (String operator : List.of("before", "after")) {
            for (String instant : HostileRequests.EXTREME_INSTANTS) {
                Probe create = requests.timeRuleFlag(operator, instant, Expect.any());
                family.send(create).filter(r -> r.status() == 201 && r.header("Location") != null)
                        .ifPresent(r -> accepted.add(r.header("Location").substring(r.header("Location").lastIndexOf('/') + 1)));
            }
        }
        accepted.forEach(this::awaitVisible);
        accepted.forEach(key -> family.sendAll(requests.timeRuleEvaluations(key)));
        finish(family);
    }

    @Test
    @Order(7)
    void header_tricks_get_a_json_4xx_and_never_pass_a_wrong_token() throws IOException {
        HostileRun.Family family = run.family("header tricks");
        family.send(requests.restoreVictim());
        sendRefusedWritesThenRest(family, tricks.headerTricks());
        finish(family);
    }

    @Test
    @Order(8)
    void wrong_methods_and_path_tricks_get_a_json_4xx() throws IOException {
        HostileRun.Family family = run.family("methods and paths");
        sendRefusedWritesThenRest(family, tricks.wrongMethods());
        sendRefusedWritesThenRest(family, tricks.pathTricks(random("path tricks"), REQUESTS));
        finish(family);
    }

    @Test
    @Order(9)
    void query_tricks_get_a_json_4xx_or_an_answer() throws IOException {
        HostileRun.Family family = run.family("query tricks");
        family.sendAll(tricks.queryTricks(random("query tricks"), REQUESTS));
        finish(family);
    }

    /** Last: a regex that never finishes keeps a server thread busy for the rest of the run. */
    @Test
    @Order(10)
    void catastrophic_regexes_are_refused_or_evaluated_within_seconds() throws IOException {
        HostileRun.Family family = run.family("catastrophic regexes");
        List<Integer> accepted = new ArrayList<>();
        for (int i = 0; i < HostileRequests.CATASTROPHIC_REGEXES.size(); i++) {
            if (family.send(requests.regexFlag(i)).filter(r -> r.status() == 201).isPresent()) {
                accepted.add(i);
            }
        }
        accepted.forEach(i -> awaitVisible(HostileRequests.regexFlagKey(i)));
        Set<Api> hung = Collections.synchronizedSet(EnumSet.noneOf(Api.class));
        List<String> skipped = new ArrayList<>();
        for (String input : HostileRequests.REGEX_INPUTS) {
            for (int index : accepted) {
                // the edge and the projection side by side: a slow match costs its deadline once, not twice
                List<CompletableFuture<Void>> pending = new ArrayList<>();
                for (Probe probe : requests.regexEvaluations(index, input)) {
                    if (hung.contains(probe.api())) {
                        skipped.add(probe.describe());
                    } else {
                        pending.add(CompletableFuture.runAsync(() -> {
                            if (family.send(probe).isEmpty()) {
                                hung.add(probe.api());   // its thread is still matching: more probes would only pile up
                            }
                        }));
                    }
                }
                pending.forEach(CompletableFuture::join);
            }
        }
        if (!skipped.isEmpty()) {
            System.out.println("catastrophic regexes: " + skipped.size() + " probes skipped after a service stopped answering: "
                    + skipped);
        }
        finish(family);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
