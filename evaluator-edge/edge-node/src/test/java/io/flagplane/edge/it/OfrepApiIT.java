package io.flagplane.edge.it;

import static io.flagplane.edge.it.EdgeFixture.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.contract.TopicNames;
import io.flagplane.edge.EdgeNode;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** OFREP's shapes and codes, over real HTTP, from a node tailing a real broker. */
@ExtendWith(SharedTestStack.class)
class OfrepApiIT {

    private final EdgeFixture fixture = new EdgeFixture();
    private TestStack stack;
    private TopicNames topics;
    private EdgeNode node;

    @BeforeEach
    void start(TestStack stack) throws Exception {
        this.stack = stack;
        topics = stack.newTopics("ofrep");
        stack.publishStates(topics.flagState(), Flags.checkoutNewUi(3), Flags.buttonColor(), Flags.maxItems(), Flags.banner(),
                Flags.split(), Flags.inStaging(), Flags.inDev(), Flags.withMetadata(), Flags.killedWithoutOffVariant());
        node = EdgeNode.start(fixture.config(stack.bootstrapServers(), stack.schemaRegistryUrl(), topics));
        assertThat(node.awaitReady(Duration.ofSeconds(30))).isTrue();
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private EdgeFixture.Response evaluate(String key, String body) {
        return send(node, "POST", "/ofrep/v1/evaluate/flags/" + key, body, fixture.reader);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "checkout.new_ui | true             | on  | DEFAULT",
            "button.color    | \"green\"        | on  | STATIC",
            "cart.max-items  | 20               | on  | STATIC",
            "home.banner     | {\"title\":\"Hello\",\"slots\":3} | on | STATIC"})
    void a_single_evaluation_has_key_value_reason_variant_and_metadata(String key, String value, String variant, String reason)
            throws Exception {
        EdgeFixture.Response response = evaluate(key, "{\"context\":{\"targetingKey\":\"user-1\"}}");

        assertThat(response.status()).isEqualTo(200);
        JsonNode body = response.body();
        assertThat(body.get("key").asText()).isEqualTo(key);
        assertThat(body.get("value")).isEqualTo(EdgeFixture.JSON.readTree(value));
        assertThat(body.get("variant").asText()).isEqualTo(variant);
        assertThat(body.get("reason").asText()).isEqualTo(reason);
        assertThat(body.get("metadata").get("environment").asText()).isEqualTo("production");
        assertThat(body.get("metadata").get("flagVersion").isNumber()).isTrue();
    }

    @Test
    void a_flags_metadata_comes_with_the_nodes_and_a_flag_without_an_off_variant_answers_the_code_default() {
        JsonNode meta = evaluate("copy.headline", "{\"context\":{\"targetingKey\":\"u\"}}").body();
        assertThat(meta.get("metadata").get("ticket").asText()).isEqualTo("JIRA-7");
        assertThat(meta.get("metadata").get("count").isIntegralNumber()).isTrue();
        assertThat(meta.get("metadata").get("ratio").asDouble()).isEqualTo(0.1);
        assertThat(meta.get("metadata").get("beta").asBoolean()).isTrue();
        assertThat(meta.get("metadata").get("flagVersion").asLong()).isEqualTo(5);

        EdgeFixture.Response off = evaluate("copy.footer", "{\"context\":{\"targetingKey\":\"u\"}}");
        assertThat(off.status()).isEqualTo(200);
        assertThat(off.body().get("reason").asText()).isEqualTo("DISABLED");
        assertThat(off.body().has("value")).as("OFREP's code default: no value").isFalse();
        assertThat(off.body().has("variant")).isFalse();
        assertThat(off.body().has("errorCode")).isFalse();
    }

    @Test
    void errors_have_the_protocols_shape_and_status() {
        EdgeFixture.Response missing = evaluate("no.such.flag", "{}");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body().get("key").asText()).isEqualTo("no.such.flag");
        assertThat(missing.body().get("errorCode").asText()).isEqualTo("FLAG_NOT_FOUND");
        assertThat(missing.body().get("errorDetails").asText()).isNotBlank();

        EdgeFixture.Response parse = evaluate("checkout.new_ui", "{\"context\": ");
        assertThat(parse.status()).isEqualTo(400);
        assertThat(parse.body().get("errorCode").asText()).isEqualTo("PARSE_ERROR");
        assertThat(parse.body().get("key").asText()).isEqualTo("checkout.new_ui");

        assertThat(evaluate("checkout.new_ui", "{\"context\":[1,2]}").body().get("errorCode").asText()).isEqualTo("INVALID_CONTEXT");
        assertThat(evaluate("checkout.new_ui", "{\"context\":{\"targetingKey\":42}}").body().get("errorCode").asText())
                .isEqualTo("INVALID_CONTEXT");
        EdgeFixture.Response noKey = evaluate("search.semantic", "{\"context\":{\"tier\":\"pro\"}}");
        assertThat(noKey.status()).isEqualTo(400);
        assertThat(noKey.body().get("errorCode").asText()).isEqualTo("TARGETING_KEY_MISSING");

        EdgeFixture.Response oversized = evaluate("checkout.new_ui",
                "{\"context\":{\"targetingKey\":\"u\",\"bio\":\"" + "x".repeat(10_001) + "\"}}");
        assertThat(oversized.status()).isEqualTo(400);
        assertThat(oversized.body().get("errorCode").asText()).isEqualTo("INVALID_CONTEXT");
        assertThat(oversized.body().get("errorDetails").asText()).contains("context.bio", "10000 characters");

        EdgeFixture.Response huge = evaluate("checkout.new_ui", "{\"context\":{\"blob\":\"" + "x".repeat(300_000) + "\"}}");
        assertThat(huge.status()).isEqualTo(413);
        assertThat(huge.body().get("errorCode").asText()).isEqualTo("GENERAL");
    }

    @Test
    void the_bulk_evaluation_lists_every_flag_with_per_flag_failures_an_etag_and_the_change_stream() {
        EdgeFixture.Response bulk = send(node, "POST", "/ofrep/v1/evaluate/flags", "{\"context\":{}}", fixture.reader);

        assertThat(bulk.status()).isEqualTo(200);
        JsonNode flags = bulk.body().get("flags");
        assertThat(flags).extracting(f -> f.get("key").asText())
                .containsExactly("button.color", "cart.max-items", "checkout.new_ui", "copy.footer", "copy.headline",
                        "home.banner", "search.semantic");
        JsonNode split = flags.get(6);
        JsonNode codeDefault = flags.get(3);
        assertThat(codeDefault.get("reason").asText()).as("in bulk too, a code default has no value").isEqualTo("DISABLED");
        assertThat(codeDefault.has("value")).isFalse();
        assertThat(split.get("errorCode").asText()).isEqualTo("TARGETING_KEY_MISSING");
        assertThat(split.has("value")).isFalse();
        assertThat(flags.get(2).get("value").asBoolean()).isTrue();
        JsonNode stream = bulk.body().get("eventStreams").get(0);
        assertThat(stream.get("type").asText()).isEqualTo("sse");
        assertThat(stream.get("url").asText()).endsWith("/ofrep/v1/events?environment=production");

        String etag = bulk.header("ETag");
        assertThat(etag).startsWith("\"").endsWith("\"");
        EdgeFixture.Response again = send(node, "POST", "/ofrep/v1/evaluate/flags", "{\"context\":{}}", fixture.reader,
                "If-None-Match", etag);
        assertThat(again.status()).isEqualTo(304);
        assertThat(again.raw().body()).isEmpty();
        assertThat(again.header("ETag")).isEqualTo(etag);

        stack.publishStates(topics.flagState(), Flags.killed(Flags.checkoutNewUi(3), 4));
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            EdgeFixture.Response changed = send(node, "POST", "/ofrep/v1/evaluate/flags", "{\"context\":{}}", fixture.reader,
                    "If-None-Match", etag);
            assertThat(changed.status()).as("a change makes a new ETag").isEqualTo(200);
            assertThat(changed.header("ETag")).isNotEqualTo(etag);
        });
        EdgeFixture.Response other = send(node, "POST", "/ofrep/v1/evaluate/flags", "{\"context\":{\"targetingKey\":\"u-2\"}}",
                fixture.reader);
        assertThat(other.header("ETag")).as("another context, another answer").isNotEqualTo(etag);

        EdgeFixture.Response bad = send(node, "POST", "/ofrep/v1/evaluate/flags", "not json", fixture.reader);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().get("errorCode").asText()).isEqualTo("PARSE_ERROR");
        assertThat(bad.body().has("key")).isFalse();
    }

    @Test
    void the_configuration_says_what_the_node_supports() {
        EdgeFixture.Response configuration = send(node, "GET", "/ofrep/v1/configuration", null, fixture.reader);
        assertThat(configuration.status()).isEqualTo(200);
        assertThat(configuration.body().get("name").asText()).isEqualTo("Flagplane");
        assertThat(configuration.body().get("capabilities").get("flagEvaluation").get("supportedTypes")).hasSize(5);
        assertThat(send(node, "GET", "/ofrep/v1/configuration", null, fixture.reader, "If-None-Match",
                configuration.header("ETag")).status()).isEqualTo(304);
    }

    @Test
    void a_node_serves_its_environments_and_ignores_the_rest() {
        EdgeFixture.Response staging = send(node, "POST", "/ofrep/v1/evaluate/flags/staging.only", "{}", fixture.reader,
                "X-Flagplane-Environment", "staging");
        assertThat(staging.status()).isEqualTo(200);
        assertThat(send(node, "POST", "/ofrep/v1/evaluate/flags/staging.only?environment=staging", "{}", fixture.reader).status())
                .isEqualTo(200);
        assertThat(evaluate("staging.only", "{}").status()).as("not in production").isEqualTo(404);
        EdgeFixture.Response dev = send(node, "POST", "/ofrep/v1/evaluate/flags/dev.only", "{}", fixture.reader,
                "X-Flagplane-Environment", "dev");
        assertThat(dev.status()).isEqualTo(400);
        assertThat(dev.body().get("errorDetails").asText()).contains("does not serve environment 'dev'");
        assertThat(node.ruleset().current().environments()).containsExactlyInAnyOrder("production", "staging");
    }

    @Test
    void evaluation_needs_a_read_token_for_the_environment() {
        assertThat(send(node, "POST", "/ofrep/v1/evaluate/flags/checkout.new_ui", "{}", null).status()).isEqualTo(401);
        assertThat(send(node, "POST", "/ofrep/v1/evaluate/flags/checkout.new_ui", "{}", "fpt_not-a-token").status())
                .isEqualTo(401);
        assertThat(send(node, "POST", "/ofrep/v1/evaluate/flags/checkout.new_ui", "{}", fixture.stagingReader).status())
                .isEqualTo(403);
        assertThat(send(node, "POST", "/ofrep/v1/evaluate/flags/checkout.new_ui", "{}", null, "X-API-Key", fixture.reader)
                .status()).as("OFREP's API-key header works too").isEqualTo(200);
        assertThat(send(node, "GET", "/health/ready", null, null).status()).as("health needs no token").isEqualTo(200);
    }

    @Test
    void no_body_however_wrong_gets_a_5xx() {
        String deep = "{\"context\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}";
        String[] bodies = {"", "null", "[]", "\"text\"", "42", "{\"context\":null}", "{\"context\":\"user-1\"}",
                "{\"context\":{\"targetingKey\":null}}", "{\"context\":{\"targetingKey\":{\"a\":1}}}",
                "{\"context\":{\"tier\":[1,[2,{\"x\":null}]]}}", "\u0000\u0001", "{\"context\":{}}garbage", deep,
                "{\"context\":{\"" + "k".repeat(10_000) + "\":1}}"};
        for (String body : bodies) {
            for (String path : new String[] {"/ofrep/v1/evaluate/flags/checkout.new_ui", "/ofrep/v1/evaluate/flags",
                    "/api/v1/check/checkout.new_ui", "/api/v1/features"}) {
                EdgeFixture.Response response = send(node, "POST", path, body, fixture.reader);
                assertThat(response.status()).as(path + " <- " + (body.length() > 60 ? body.substring(0, 60) + "…" : body))
                        .isLessThan(500);
            }
        }
    }
}
