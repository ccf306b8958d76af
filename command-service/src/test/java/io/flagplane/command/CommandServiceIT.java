package io.flagplane.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagKilled;
import io.flagplane.contract.TopicNames;
import io.flagplane.settings.Settings;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import io.flagplane.wire.AvroDeserializer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedTestStack.class)
class CommandServiceIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private TestStack stack;
    private TopicNames topics;
    private String transactionalId;
    private CommandService service;

    @BeforeEach
    void start(TestStack stack) {
        this.stack = stack;
        this.topics = stack.newTopics("cmd");
        this.transactionalId = TestStack.uniqueName("command-writer");
        this.service = startService();
    }

    private CommandService startService() {
        return CommandService.start(CommandServiceConfig.from(Settings.of(Map.of(
                "command.port", "0",
                "command.host", "127.0.0.1",
                "kafka.bootstrap.servers", stack.bootstrapServers(),
                "schema.registry.url", stack.schemaRegistryUrl(),
                "topic.prefix", topics.flagEvents().replace("flag-events", ""),
                "command.transactional.id", transactionalId))));
    }

    @AfterEach
    void stop() {
        service.close();
    }

    private HttpResponse<String> post(CommandService target, String path, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(target.url() + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(service.url() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void create_enable_kill_and_revive_write_gapless_versions_to_the_log() throws Exception {
        HttpResponse<String> created = post(service, "/api/v1/environments/production/flags",
                "{\"key\":\"checkout.new_ui\",\"type\":\"boolean\",\"description\":\"seed 002\",\"reason\":\"default off\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode body = JSON.readTree(created.body());
        assertThat(body.get("version").asLong()).isEqualTo(1);
        assertThat(body.get("flag").get("enabled").asBoolean()).isFalse();
        assertThat(body.has("offset")).isTrue();
        assertThat(created.headers().firstValue("Location")).contains("/api/v1/environments/production/flags/checkout.new_ui");

        assertThat(JSON.readTree(post(service, "/api/v1/environments/production/flags/checkout.new_ui/enable", "").body())
                .get("version").asLong()).isEqualTo(2);
        JsonNode killed = JSON.readTree(post(service, "/api/v1/environments/production/flags/checkout.new_ui/kill",
                "{\"reason\":\"error rate above 5%\"}").body());
        assertThat(killed.get("version").asLong()).isEqualTo(3);
        assertThat(killed.get("flag").get("killed").asBoolean()).isTrue();
        assertThat(killed.get("flag").get("lastChange").get("reason").asText()).isEqualTo("error rate above 5%");
        assertThat(JSON.readTree(post(service, "/api/v1/environments/production/flags/checkout.new_ui/revive", "").body())
                .get("version").asLong()).isEqualTo(4);

        List<FlagEvent> events = readEvents(4);
        assertThat(events).extracting(FlagEvent::getVersion).containsExactly(1L, 2L, 3L, 4L);
        assertThat(events.get(2).getPayload()).isInstanceOf(FlagKilled.class);
        assertThat(events.get(2).getReason()).isEqualTo("error rate above 5%");
        assertThat(events).allSatisfy(e -> assertThat(e.getFlagKey()).isEqualTo("checkout.new_ui"));
    }

    @Test
    void a_repeated_lifecycle_command_writes_nothing() throws Exception {
        post(service, "/api/v1/environments/production/flags", "{\"key\":\"a.flag\",\"type\":\"boolean\",\"enabled\":true}");

        JsonNode again = JSON.readTree(post(service, "/api/v1/environments/production/flags/a.flag/enable", "").body());

        assertThat(again.get("changed").asBoolean()).isFalse();
        assertThat(again.get("version").asLong()).isEqualTo(1);
        assertThat(service.processor().eventsWritten()).isEqualTo(1);
    }

    @Test
    void a_flag_is_read_back_from_the_services_own_view() throws Exception {
        post(service, "/api/v1/environments/staging/flags", "{\"key\":\"a.flag\",\"type\":\"boolean\"}");

        HttpResponse<String> read = get("/api/v1/environments/staging/flags/a.flag");

        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.headers().firstValue("ETag")).contains("\"1\"");
        assertThat(JSON.readTree(read.body()).get("variants").size()).isEqualTo(2);
        assertThat(JSON.readTree(get("/api/v1/environments/staging/flags").body()).get("flags").size()).isEqualTo(1);
        assertThat(get("/api/v1/environments/production/flags/a.flag").statusCode()).isEqualTo(404);
    }

    @Test
    void bad_input_gets_a_4xx_with_code_field_and_message_and_writes_nothing() throws Exception {
        record Case(String body, int status, String code, String field) {
        }
        List<Case> cases = List.of(
                new Case("{not json", 400, "MALFORMED_REQUEST", null),
                new Case("{\"key\":\"NoDots\",\"type\":\"boolean\"}", 422, "INVALID_FLAG_KEY", "key"),
                new Case("{\"key\":\"a.b\",\"type\":\"colour\"}", 422, "INVALID_FIELD", "type"),
                new Case("{\"key\":\"a.b\",\"type\":\"string\",\"variants\":[{\"key\":\"x\",\"value\":3}],"
                        + "\"offVariant\":\"x\",\"fallthrough\":{\"variant\":\"x\"}}", 422, "INVALID_FIELD", "variants[0].value"),
                new Case("{\"key\":\"a.b\",\"type\":\"boolean\",\"offVariant\":\"nope\"}", 422, "INVALID_FIELD", "offVariant"),
                new Case("{\"key\":\"a.b\",\"type\":\"boolean\",\"fallthrough\":{\"split\":[{\"variant\":\"on\",\"weight\":60},"
                        + "{\"variant\":\"off\",\"weight\":30}]}}", 422, "INVALID_FIELD", "fallthrough.split"),
                new Case("{\"key\":\"a.b\",\"type\":\"boolean\",\"fallthrough\":{\"split\":[{\"variant\":\"on\",\"weight\":10.005},"
                        + "{\"variant\":\"off\",\"weight\":89.995}]}}", 422, "INVALID_FIELD", "fallthrough.split[0].weight"));
        for (Case c : cases) {
            HttpResponse<String> response = post(service, "/api/v1/environments/production/flags", c.body());
            assertThat(response.statusCode()).as(c.body()).isEqualTo(c.status());
            JsonNode error = JSON.readTree(response.body()).get("error");
            assertThat(error.get("code").asText()).as(c.body()).isEqualTo(c.code());
            if (c.field() != null) {
                assertThat(error.get("field").asText()).as(c.body()).isEqualTo(c.field());
            }
            assertThat(error.get("message").asText()).isNotBlank();
        }
        HttpResponse<String> badEnv = post(service, "/api/v1/environments/Prod!/flags", "{\"key\":\"a.b\",\"type\":\"boolean\"}");
        assertThat(badEnv.statusCode()).isEqualTo(422);
        assertThat(post(service, "/api/v1/environments/production/flags/no.such/kill", "").statusCode()).isEqualTo(404);
        assertThat(service.processor().eventsWritten()).isZero();
    }

    @Test
    void a_stale_expected_version_gets_409_with_the_current_version() throws Exception {
        post(service, "/api/v1/environments/production/flags", "{\"key\":\"a.flag\",\"type\":\"boolean\"}");
        post(service, "/api/v1/environments/production/flags/a.flag/enable", "");

        HttpResponse<String> stale = http.send(HttpRequest.newBuilder(URI.create(service.url()
                        + "/api/v1/environments/production/flags/a.flag/kill")).header("If-Match", "\"1\"")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(stale.statusCode()).isEqualTo(409);
        JsonNode error = JSON.readTree(stale.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("VERSION_CONFLICT");
        assertThat(error.get("currentVersion").asLong()).isEqualTo(2);
    }

    @Test
    void a_new_instance_fences_the_old_one_and_continues_the_versions() throws Exception {
        post(service, "/api/v1/environments/production/flags", "{\"key\":\"a.flag\",\"type\":\"boolean\"}");

        try (CommandService newer = startService()) {
            HttpResponse<String> zombie = post(service, "/api/v1/environments/production/flags/a.flag/enable", "");
            assertThat(zombie.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(zombie.body()).get("error").get("code").asText()).isEqualTo("WRITER_FENCED");

            JsonNode enabled = JSON.readTree(post(newer, "/api/v1/environments/production/flags/a.flag/enable", "").body());
            assertThat(enabled.get("version").asLong()).isEqualTo(2);
        }
        assertThat(readEvents(2)).extracting(FlagEvent::getVersion).containsExactly(1L, 2L);
    }

    private List<FlagEvent> readEvents(int expected) {
        AvroDeserializer<FlagEvent> deserializer = new AvroDeserializer<>(stack.registryClient(), FlagEvent.class);
        List<FlagEvent> events = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", stack.bootstrapServers(),
                "isolation.level", "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topics.flagEvents()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    events.add(deserializer.deserialize(r.topic(), r.value()));
                }
                return events.size() >= expected;
            });
        }
        events.sort((a, b) -> Long.compare(a.getVersion(), b.getVersion()));
        assertThat(events).hasSize(expected);
        return events;
    }
}
