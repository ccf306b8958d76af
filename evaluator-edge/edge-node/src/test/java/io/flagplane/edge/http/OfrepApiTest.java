package io.flagplane.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagplane.contract.RecordKeys.FlagRef;
import io.flagplane.contract.TopicNames;
import io.flagplane.edge.EdgeConfig;
import io.flagplane.evaluation.Flag;
import io.flagplane.evaluation.FlagType;
import io.flagplane.ruleset.RulesetStore;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The OFREP shapes over real HTTP, against a ruleset filled directly (no Kafka needed). */
class OfrepApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final RulesetStore store = new RulesetStore();
    private final AtomicBoolean ready = new AtomicBoolean(false);
    private Javalin app;

    @BeforeEach
    void start() {
        EdgeConfig config = new EdgeConfig("127.0.0.1", 0, "unused:9092", "http://unused", TopicNames.DEFAULT,
                List.of("production", "staging"));
        app = EdgeHttpApi.create(config, store::current, ready::get).start("127.0.0.1", 0);
        store.apply(List.of(new RulesetStore.Update(new FlagRef("production", "checkout.new_ui"),
                Flag.builder("checkout.new_ui", FlagType.BOOLEAN).variant("on", true).variant("off", false)
                        .offVariant("off").fallthrough("on").enabled(true).version(3)
                        .deny(List.of("blocked-user")).build())));
    }

    @AfterEach
    void stop() {
        app.stop();
    }

    private HttpResponse<String> post(String path, String body, String environment) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (environment != null) {
            request.header(EdgeConfig.ENVIRONMENT_HEADER, environment);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void a_flag_evaluates_to_the_ofrep_success_shape() throws Exception {
        HttpResponse<String> response = post("/ofrep/v1/evaluate/flags/checkout.new_ui",
                "{\"context\":{\"targetingKey\":\"user-1\",\"role\":\"admin\",\"age\":42,\"beta\":true}}", null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("key").asText()).isEqualTo("checkout.new_ui");
        assertThat(body.get("value").isBoolean()).isTrue();
        assertThat(body.get("value").asBoolean()).isTrue();
        assertThat(body.get("reason").asText()).isEqualTo("DEFAULT");
        assertThat(body.get("variant").asText()).isEqualTo("on");
        assertThat(body.get("metadata").get("flagVersion").asLong()).isEqualTo(3);
    }

    @Test
    void the_deny_list_serves_off_with_reason_disabled() throws Exception {
        JsonNode body = JSON.readTree(post("/ofrep/v1/evaluate/flags/checkout.new_ui",
                "{\"context\":{\"targetingKey\":\"blocked-user\"}}", null).body());

        assertThat(body.get("value").asBoolean()).isFalse();
        assertThat(body.get("reason").asText()).isEqualTo("DISABLED");
    }

    @Test
    void an_unknown_flag_is_404_flag_not_found() throws Exception {
        HttpResponse<String> response = post("/ofrep/v1/evaluate/flags/no.such.flag", "{\"context\":{}}", null);

        assertThat(response.statusCode()).isEqualTo(404);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("key").asText()).isEqualTo("no.such.flag");
        assertThat(body.get("errorCode").asText()).isEqualTo("FLAG_NOT_FOUND");
        assertThat(body.get("errorDetails").asText()).contains("no.such.flag");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "{not json                                   | PARSE_ERROR",
            "[1,2]                                       | PARSE_ERROR",
            "{\"context\": \"user-1\"}                   | INVALID_CONTEXT",
            "{\"context\": {\"targetingKey\": 12}}       | INVALID_CONTEXT",
    })
    void bad_requests_are_400_with_an_ofrep_error_code(String body, String errorCode) throws Exception {
        HttpResponse<String> response = post("/ofrep/v1/evaluate/flags/checkout.new_ui", body, null);

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(response.body());
        assertThat(error.get("errorCode").asText()).isEqualTo(errorCode);
        assertThat(error.get("key").asText()).isEqualTo("checkout.new_ui");
        assertThat(error.get("errorDetails").asText()).isNotBlank();
    }

    @Test
    void an_empty_body_evaluates_with_an_empty_context() throws Exception {
        assertThat(post("/ofrep/v1/evaluate/flags/checkout.new_ui", "", null).statusCode()).isEqualTo(200);
    }

    @Test
    void a_huge_body_is_refused_with_a_4xx_in_the_ofrep_shape() throws Exception {
        String huge = "{\"context\":{\"targetingKey\":\"" + "x".repeat(400_000) + "\"}}";

        HttpResponse<String> response = post("/ofrep/v1/evaluate/flags/checkout.new_ui", huge, null);

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(JSON.readTree(response.body()).get("errorCode").asText()).isEqualTo("GENERAL");
    }

    @Test
    void environments_are_chosen_by_header_and_unknown_ones_refused() throws Exception {
        assertThat(post("/ofrep/v1/evaluate/flags/checkout.new_ui", "{}", "staging").statusCode()).isEqualTo(404);
        HttpResponse<String> unknown = post("/ofrep/v1/evaluate/flags/checkout.new_ui", "{}", "qa");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("does not serve environment 'qa'");
    }

    @Test
    void readiness_follows_the_ruleset() throws Exception {
        URI readyUri = URI.create("http://127.0.0.1:" + app.port() + "/health/ready");
        assertThat(http.send(HttpRequest.newBuilder(readyUri).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(503);
        ready.set(true);
        assertThat(http.send(HttpRequest.newBuilder(readyUri).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(200);
    }
}
