package io.flagplane.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.FlagEvent;
import io.flagplane.contract.RecordKeys;
import io.flagplane.fixtures.Events;
import io.flagplane.testkit.http.Api;
import io.flagplane.wire.AvroSerializer;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import io.flagplane.http.RawConnection;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The defects a hostile client found in the shipped command API, each held fixed against the real
 * service and broker: one client's bad request never touches another's, tokens are compared
 * case-sensitively on a reused connection, idempotency keys are bound to their request, lenient
 * JSON no longer changes data, and environments are declared.
 */
@ExtendWith(SharedTestStack.class)
class HardeningIT {

    private static final String FLAGS = "/api/v1/environments/production/flags";
    /** A rule whose operand is an instant no millisecond clock can hold: it threw inside the group commit. */
    private static final String POISON_RULE = "[{\"id\":\"r\",\"conditions\":[{\"attribute\":\"d\",\"operator\":\"after\","
            + "\"values\":[\"+999999999-12-31T23:59:59Z\"]}],\"serve\":{\"variant\":\"on\"}}]";
    private CommandServiceFixture fixture;

    @BeforeEach
    void start(TestStack stack) {
        fixture = new CommandServiceFixture(stack, "hardening");
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void poison_commands_sent_with_valid_ones_fail_alone_and_every_valid_command_and_a_kill_succeed() throws Exception {
        Api api = fixture.admin();
        assertThat(api.post(FLAGS, "{\"key\":\"charges.engine\",\"type\":\"boolean\",\"enabled\":true}").status()).isEqualTo(201);
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            List<CompletableFuture<Api.Response>> valid = new ArrayList<>();
            List<CompletableFuture<Api.Response>> poison = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 10; i++) {
                    String key = "valid.flag" + round + "_" + i;
                    valid.add(CompletableFuture.supplyAsync(() -> api.post(FLAGS, "{\"key\":\"" + key + "\",\"type\":\"boolean\"}"), pool));
                }
                String key = "poison.flag" + round;
                poison.add(CompletableFuture.supplyAsync(() -> api.post(FLAGS, "{\"key\":\"" + key
                        + "\",\"type\":\"boolean\",\"rules\":" + POISON_RULE + "}"), pool));
                poison.add(CompletableFuture.supplyAsync(() -> api.put(FLAGS + "/charges.engine/rules", "{\"rules\":"
                        + POISON_RULE + "}"), pool));
            }
            CompletableFuture<Api.Response> kill = CompletableFuture.supplyAsync(() -> api.post(FLAGS + "/charges.engine/kill",
                    "{\"reason\":\"error rate above 5%\"}"), pool);

            assertThat(valid).allSatisfy(f -> assertThat(f.join().status()).as(f.join().raw()).isEqualTo(201));
            assertThat(kill.join().status()).as(kill.join().raw()).isEqualTo(200);
            assertThat(poison).allSatisfy(f -> {
                assertThat(f.join().status()).as(f.join().raw()).isEqualTo(422);
                assertThat(f.join().errorField()).isEqualTo("rules[0].conditions[0].values");
            });
        } finally {
            pool.shutdownNow();
        }
        assertThat(fixture.events(32)).hasSize(32).noneSatisfy(e -> assertThat(e.getFlagKey()).startsWith("poison"));
    }

    @Test
    void a_token_with_its_case_flipped_is_refused_on_a_connection_where_the_real_one_was_accepted() throws Exception {
        String token = fixture.tokens.admin();
        String flipped = RawConnection.flipCase(token);
        try (RawConnection connection = new RawConnection(URI.create(fixture.url()).getPort())) {
            assertThat(connection.get(FLAGS, "Authorization: Bearer " + token).status()).isEqualTo(200);
            RawConnection.Reply wrong = connection.get(FLAGS, "Authorization: Bearer " + flipped);
            assertThat(wrong.status()).isEqualTo(401);
            assertThat(wrong.body()).contains("\"code\":\"UNAUTHENTICATED\"");
        }
        try (RawConnection connection = new RawConnection(URI.create(fixture.url()).getPort())) {
            assertThat(connection.get(FLAGS, "Authorization: Bearer " + flipped).status()).isEqualTo(401);
            assertThat(connection.get(FLAGS, "Authorization: Bearer " + token).status()).isEqualTo(200);
        }
    }

    @Test
    void an_idempotency_key_reused_for_another_request_is_refused_also_after_a_restart() {
        Api keyed = fixture.admin().with("Idempotency-Key", "k-1");
        assertThat(keyed.post(FLAGS, "{\"key\":\"a.flag\",\"type\":\"boolean\"}").status()).isEqualTo(201);
        fixture.admin().post(FLAGS, "{\"key\":\"b.flag\",\"type\":\"boolean\"}");

        Api.Response otherRoute = keyed.post(FLAGS + "/b.flag/kill", "");
        Api.Response otherBody = keyed.post(FLAGS, "{\"key\":\"c.flag\",\"type\":\"boolean\"}");
        assertThat(otherRoute.status()).isEqualTo(422);
        assertThat(otherRoute.errorCode()).isEqualTo("IDEMPOTENCY_KEY_REUSED");
        assertThat(otherBody.errorCode()).isEqualTo("IDEMPOTENCY_KEY_REUSED");
        assertThat(keyed.post(FLAGS, "{\"key\":\"a.flag\",\"type\":\"boolean\"}").body().get("replayed").asBoolean()).isTrue();

        fixture.restart();

        assertThat(fixture.admin().with("Idempotency-Key", "k-1").post(FLAGS + "/b.flag/kill", "").errorCode())
                .isEqualTo("IDEMPOTENCY_KEY_REUSED");
        assertThat(fixture.admin().get(FLAGS + "/b.flag").body().get("killed").asBoolean()).isFalse();
        assertThat(fixture.admin().get(FLAGS + "/c.flag").status()).isEqualTo(404);
    }

    @Test
    void lenient_json_no_longer_changes_data() {
        Api api = fixture.admin();
        api.post(FLAGS, "{\"key\":\"a.flag\",\"type\":\"boolean\",\"tags\":[\"checkout\"],\"owner\":\"team-pay\","
                + "\"rules\":[{\"id\":\"r\",\"conditions\":[{\"attribute\":\"tier\",\"operator\":\"in\",\"values\":[\"pro\"]}],"
                + "\"serve\":{\"variant\":\"on\"}}]}");

        assertThat(api.put(FLAGS + "/a.flag/rules", "{\"rules\": null}").errorField()).isEqualTo("rules");
        assertThat(api.put(FLAGS + "/a.flag/metadata", "").status()).isEqualTo(422);
        assertThat(api.put(FLAGS + "/a.flag/metadata", "{}").status()).isEqualTo(422);
        assertThat(api.post(FLAGS + "/a.flag/kill", "{\"reasn\":\"typo\"}").errorField()).isEqualTo("reasn");
        assertThat(api.post(FLAGS, "{\"key\":\"b.flag\",\"type\":\"boolean\"} {\"key\":\"c.flag\"}").status()).isEqualTo(400);
        assertThat(api.post(FLAGS, "{\"key\":\"b.flag\",\"type\":\"boolean\"}x").status()).isEqualTo(400);
        assertThat(api.post(FLAGS, "{\"key\":\"b.flag\",\"key\":\"c.flag\",\"type\":\"boolean\"}").status()).isEqualTo(400);
        assertThat(api.post(FLAGS, "{\"key\":\"b.flag\",\"type\":\"number\",\"variants\":[{\"key\":\"x\",\"value\":1e400}],"
                + "\"offVariant\":\"x\",\"fallthrough\":{\"variant\":\"x\"}}").status()).isEqualTo(422);
        assertThat(api.patch(FLAGS + "/a.flag/rollout", "{\"percentage\":1e400}").status()).isEqualTo(422);
        Api.Response badUtf8 = fixture.admin().sendBytes("POST", FLAGS, concat("{\"key\":\"b.flag\",\"type\":\"boolean\","
                + "\"description\":\"", new byte[] {(byte) 0xC0, (byte) 0xAF}, "\"}"));
        assertThat(badUtf8.status()).isEqualTo(400);
        assertThat(badUtf8.body().at("/error/message").asText()).isEqualTo("the request body is not valid UTF-8");

        var flag = api.get(FLAGS + "/a.flag").body();
        assertThat(flag.get("version").asLong()).as("nothing was written").isEqualTo(1);
        assertThat(flag.get("rules")).hasSize(1);
        assertThat(flag.get("tags")).extracting(t -> t.asText()).containsExactly("checkout");
        assertThat(api.get(FLAGS + "/b.flag").status()).isEqualTo(404);

        Api.Response owner = api.put(FLAGS + "/a.flag/metadata", "{\"owner\":\"team-checkout\"}");
        assertThat(owner.body().at("/flag/tags/0").asText()).as("fields left out keep their value").isEqualTo("checkout");
        assertThat(owner.body().at("/flag/owner").asText()).isEqualTo("team-checkout");
    }

    @Test
    void environments_are_declared_and_a_misspelled_one_is_refused() {
        Api api = fixture.admin();
        Api.Response typo = api.post("/api/v1/environments/prodution/flags", "{\"key\":\"a.flag\",\"type\":\"boolean\"}");
        assertThat(typo.status()).isEqualTo(404);
        assertThat(typo.errorCode()).isEqualTo("ENVIRONMENT_NOT_FOUND");
        assertThat(api.get("/api/v1/environments/prodution/flags").errorCode()).isEqualTo("ENVIRONMENT_NOT_FOUND");
        assertThat(api.get("/api/v1/environments").body().get("environments")).extracting(e -> e.get("name").asText())
                .containsExactly("production", "staging");

        assertThat(api.post("/api/v1/environments", "{\"name\":\"qa\",\"description\":\"the QA team's\"}").status()).isEqualTo(201);
        assertThat(api.post("/api/v1/environments", "{\"name\":\"qa\"}").errorCode()).isEqualTo("ENVIRONMENT_ALREADY_EXISTS");
        assertThat(api.post("/api/v1/environments/qa/flags", "{\"key\":\"a.flag\",\"type\":\"boolean\"}").status()).isEqualTo(201);
        assertThat(api.post("/api/v1/environments/qa/archive", "").errorCode()).isEqualTo("ENVIRONMENT_IN_USE");
        assertThat(api.post("/api/v1/environments/qa/flags/a.flag/archive", "").status()).isEqualTo(200);
        assertThat(api.post("/api/v1/environments/qa/archive", "").status()).isEqualTo(200);
        assertThat(api.post("/api/v1/environments/qa/flags", "{\"key\":\"b.flag\",\"type\":\"boolean\"}").errorCode())
                .isEqualTo("ENVIRONMENT_NOT_FOUND");
        assertThat(fixture.api(fixture.tokens.editor()).post("/api/v1/environments", "{\"name\":\"dev\"}").status())
                .as("declaring needs admin").isEqualTo(403);
    }


    @Test
    void flags_written_before_environments_were_declared_get_their_environment_declared_on_start_and_can_be_killed()
            throws Exception {
        FlagEvent legacy = Events.on("legacy", "old.flag").version(1).at(Instant.parse("2026-01-01T00:00:00Z"))
                .createdBoolean(true);
        try (KafkaProducer<String, FlagEvent> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                fixture.stack.bootstrapServers()), new StringSerializer(), new AvroSerializer<>(fixture.stack.registryClient(), true))) {
            producer.send(new ProducerRecord<>(fixture.topics.flagEvents(), RecordKeys.of("legacy", "old.flag"), legacy)).get();
        }

        fixture.restart();

        assertThat(fixture.admin().get("/api/v1/environments").body().get("environments")).extracting(e -> e.get("name").asText())
                .containsExactly("legacy", "production", "staging");
        Api.Response killed = fixture.admin().post("/api/v1/environments/legacy/flags/old.flag/kill", "{\"reason\":\"incident\"}");
        assertThat(killed.status()).as(killed.raw()).isEqualTo(200);
        assertThat(killed.version()).isEqualTo(2);
    }

    private static byte[] concat(String before, byte[] middle, String after) {
        byte[] a = before.getBytes(StandardCharsets.UTF_8);
        byte[] c = after.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[a.length + middle.length + c.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(middle, 0, all, a.length, middle.length);
        System.arraycopy(c, 0, all, a.length + middle.length, c.length);
        return all;
    }
}
