package io.flagplane.registry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagplane.avro.FlagEvent;
import io.flagplane.fixtures.Events;
import io.flagplane.registry.CachingSchemaRegistryClient;
import io.flagplane.registry.CompatibilityLevel;
import io.flagplane.registry.RestSchemaRegistryClient;
import io.flagplane.registry.SchemaRegistryException;
import io.flagplane.testkit.KafkaTestCluster;
import io.flagplane.testkit.SharedKafka;
import io.flagplane.wire.AvroDeserializer;
import io.flagplane.wire.AvroSerializer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedKafka.class)
class SchemaRegistryServerIT {

    static final String V1 = """
            {"type":"record","name":"Thing","fields":[{"name":"a","type":"string"}]}""";
    static final String V2 = """
            {"type":"record","name":"Thing","fields":[{"name":"a","type":"string"},{"name":"b","type":"int","default":0}]}""";
    static final String V2_BREAKING = """
            {"type":"record","name":"Thing","fields":[{"name":"a","type":"string"},{"name":"b","type":"int"}]}""";

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    private KafkaTestCluster kafka;
    private String topic;
    private SchemaRegistryServer server;
    private RestSchemaRegistryClient client;

    @BeforeEach
    void start(KafkaTestCluster kafka) {
        this.kafka = kafka;
        this.topic = KafkaTestCluster.uniqueName("_schemas");
        this.server = SchemaRegistryServer.start(SchemaRegistryServer.Settings.local(kafka.bootstrapServers(), topic, 0));
        this.client = new RestSchemaRegistryClient(server.url());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void a_registered_schema_is_found_by_id_by_version_and_by_lookup() {
        int id = client.register("t-value", V1);

        assertThat(id).isEqualTo(1);
        assertThat(client.schemaById(id).getName()).isEqualTo("Thing");
        assertThat(client.subjects()).containsExactly("t-value");
        assertThat(client.versions("t-value")).containsExactly(1);
        assertThat(client.version("t-value", "latest")).satisfies(r -> {
            assertThat(r.subject()).isEqualTo("t-value");
            assertThat(r.version()).isEqualTo(1);
            assertThat(r.id()).isEqualTo(1);
        });
        assertThat(client.lookup("t-value", V1).version()).isEqualTo(1);
    }

    @Test
    void registering_twice_returns_the_same_id_and_adds_no_version() {
        int first = client.register("t-value", V1);
        int second = client.register("t-value", V1);

        assertThat(second).isEqualTo(first);
        assertThat(client.versions("t-value")).containsExactly(1);
    }

    @Test
    void a_compatible_change_becomes_version_2_and_a_breaking_one_gets_409() throws Exception {
        client.register("t-value", V1);

        HttpResponse<String> refused = post("/subjects/t-value/versions", JSON.createObjectNode().put("schema", V2_BREAKING));

        assertThat(refused.statusCode()).isEqualTo(409);
        JsonNode body = JSON.readTree(refused.body());
        assertThat(body.get("error_code").asInt()).isEqualTo(409);
        assertThat(body.get("message").asText()).contains("incompatible").contains("READER_FIELD_MISSING_DEFAULT");
        assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/vnd.schemaregistry.v1+json"));
        assertThat(client.versions("t-value")).containsExactly(1);
        assertThat(client.register("t-value", V2)).isEqualTo(2);
        assertThat(client.versions("t-value")).containsExactly(1, 2);
    }

    @Test
    void errors_carry_confluent_codes() throws Exception {
        client.register("t-value", V1);

        assertThat(errorCode(get("/subjects/nope/versions"))).isEqualTo(40401);
        assertThat(errorCode(get("/subjects/t-value/versions/9"))).isEqualTo(40402);
        assertThat(errorCode(get("/subjects/t-value/versions/zero"))).isEqualTo(42202);
        assertThat(errorCode(get("/schemas/ids/77"))).isEqualTo(40403);
        assertThat(errorCode(post("/subjects/t-value/versions", JSON.createObjectNode().put("schema", "{not json")))).isEqualTo(42201);
        assertThat(errorCode(post("/subjects/t-value/versions", JSON.createObjectNode().put("schemaType", "PROTOBUF")
                .put("schema", "syntax = \"proto3\";")))).isEqualTo(42201);
        assertThat(errorCode(post("/subjects/t-value/versions", JSON.createObjectNode()))).isEqualTo(42201);
        assertThat(errorCode(raw("POST", "/subjects/t-value/versions", "this is not json"))).isEqualTo(400);
        assertThat(errorCode(get("/no/such/route"))).isEqualTo(404);
        assertThat(errorCode(raw("PUT", "/config", "{\"compatibility\":\"SIDEWAYS\"}"))).isEqualTo(42203);
    }

    @Test
    void the_client_maps_error_codes_to_kinds() {
        assertThatThrownBy(() -> client.schemaById(42)).isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
            assertThat(e.kind()).isEqualTo(SchemaRegistryException.Kind.NOT_FOUND);
            assertThat(e.errorCode()).isEqualTo(40403);
            assertThat(e.httpStatus()).isEqualTo(404);
        });
    }

    @Test
    void compatibility_is_checked_without_registering() {
        client.register("t-value", V1);

        assertThat(client.checkCompatibility("t-value", "latest", V2).compatible()).isTrue();
        var breaking = client.checkCompatibility("t-value", "latest", V2_BREAKING);
        assertThat(breaking.compatible()).isFalse();
        assertThat(breaking.messages()).anySatisfy(m -> assertThat(m).contains("READER_FIELD_MISSING_DEFAULT"));
        assertThat(client.versions("t-value")).containsExactly(1);
    }

    @Test
    void compatibility_levels_are_read_and_set_globally_and_per_subject() throws Exception {
        assertThat(client.globalCompatibility()).isEqualTo(CompatibilityLevel.BACKWARD);
        assertThat(client.subjectCompatibility("t-value")).isEmpty();
        assertThat(errorCode(get("/config/t-value"))).isEqualTo(40408);
        assertThat(JSON.readTree(get("/config/t-value?defaultToGlobal=true").body()).get("compatibilityLevel").asText())
                .isEqualTo("BACKWARD");

        assertThat(client.setSubjectCompatibility("t-value", CompatibilityLevel.NONE)).isEqualTo(CompatibilityLevel.NONE);
        assertThat(client.subjectCompatibility("t-value")).contains(CompatibilityLevel.NONE);
        client.register("t-value", V1);
        client.register("t-value", V2_BREAKING);

        assertThat(client.setGlobalCompatibility(CompatibilityLevel.FULL)).isEqualTo(CompatibilityLevel.FULL);
        assertThat(client.globalCompatibility()).isEqualTo(CompatibilityLevel.FULL);
    }

    @Test
    void everything_survives_a_restart_and_ids_continue(KafkaTestCluster kafka) {
        client.register("a-value", V1);
        client.register("a-value", V2);
        client.setSubjectCompatibility("a-value", CompatibilityLevel.FORWARD);
        server.close();

        server = SchemaRegistryServer.start(SchemaRegistryServer.Settings.local(kafka.bootstrapServers(), topic, 0));
        client = new RestSchemaRegistryClient(server.url());

        assertThat(client.versions("a-value")).containsExactly(1, 2);
        assertThat(client.version("a-value", "2").id()).isEqualTo(2);
        assertThat(client.subjectCompatibility("a-value")).contains(CompatibilityLevel.FORWARD);
        assertThat(client.register("b-value", "{\"type\":\"record\",\"name\":\"B\",\"fields\":[]}")).isEqualTo(3);
    }

    @Test
    void an_undecodable_record_on_the_topic_is_skipped_and_counted(KafkaTestCluster kafka) {
        client.register("t-value", V1);
        server.close();
        try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, 0, "garbage".getBytes(StandardCharsets.UTF_8),
                    "\u0000\u0001".getBytes(StandardCharsets.UTF_8)));
        }

        server = SchemaRegistryServer.start(SchemaRegistryServer.Settings.local(kafka.bootstrapServers(), topic, 0));
        client = new RestSchemaRegistryClient(server.url());

        assertThat(server.undecodableRecords()).isEqualTo(1);
        assertThat(client.versions("t-value")).containsExactly(1);
    }

    @Test
    void a_registry_told_to_require_credentials_admits_basic_auth_and_bearer_tokens_and_nothing_else(KafkaTestCluster kafka)
            throws Exception {
        server.close();
        server = SchemaRegistryServer.start(SchemaRegistryServer.Settings.local(kafka.bootstrapServers(), topic, 0)
                .requiring(java.util.List.of("flagplane-command:s3cret", "flagplane-edge:other"), java.util.List.of("t0ken")));
        java.time.Duration timeout = java.time.Duration.ofSeconds(5);

        int id = new RestSchemaRegistryClient(server.url(), timeout, "flagplane-command:s3cret").register("t-value", V1);
        assertThat(new RestSchemaRegistryClient(io.flagplane.registry.RegistryAccess.of(server.url()).withBearerToken("t0ken"))
                .schemaTextById(id)).contains("Thing");
        for (RestSchemaRegistryClient refused : java.util.List.of(new RestSchemaRegistryClient(server.url()),
                new RestSchemaRegistryClient(server.url(), timeout, "flagplane-command:wrong"),
                new RestSchemaRegistryClient(io.flagplane.registry.RegistryAccess.of(server.url()).withBearerToken("t0ken2")))) {
            assertThatThrownBy(() -> refused.schemaTextById(id)).isInstanceOfSatisfying(SchemaRegistryException.class,
                    e -> assertThat(e.kind()).isEqualTo(SchemaRegistryException.Kind.UNAUTHORIZED));
        }
        assertThat(http.send(HttpRequest.newBuilder(URI.create(server.url() + "/")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).as("the readiness probe's path").isEqualTo(200);
    }

    @Test
    void the_wire_format_serdes_work_through_it() {
        var registry = new CachingSchemaRegistryClient(new RestSchemaRegistryClient(server.url()));
        FlagEvent event = Events.on("production", "checkout.new_ui").reason("seed 002").createdBoolean(false);

        byte[] bytes = new AvroSerializer<FlagEvent>(registry, true).serialize("flag-events", event);
        FlagEvent read = new AvroDeserializer<>(new RestSchemaRegistryClient(server.url()), FlagEvent.class)
                .deserialize("flag-events", bytes);

        assertThat(read).isEqualTo(event);
        assertThat(client.subjects()).containsExactly("flag-events-value");
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return raw("GET", path, null);
    }

    private HttpResponse<String> post(String path, JsonNode body) throws IOException, InterruptedException {
        return raw("POST", path, body.toString());
    }

    private HttpResponse<String> raw(String method, String path, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + path))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int errorCode(HttpResponse<String> response) throws IOException {
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.has("message")).as("error body %s", response.body()).isTrue();
        assertThat(response.statusCode()).isGreaterThanOrEqualTo(400);
        return body.get("error_code").asInt();
    }
}
