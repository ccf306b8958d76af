package io.flagplane.edge.it;

import static io.flagplane.edge.it.EdgeFixture.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.contract.TopicNames;
import io.flagplane.edge.EdgeNode;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The simple REST shapes of seed 001 (check one flag, a user's features) and seed 003 (getAllFlags). */
@ExtendWith(SharedTestStack.class)
class RestApiIT {

    private final EdgeFixture fixture = new EdgeFixture();
    private EdgeNode node;

    @BeforeEach
    void start(TestStack stack) throws Exception {
        TopicNames topics = stack.newTopics("rest");
        stack.publishStates(topics.flagState(), Flags.checkoutNewUi(3), Flags.buttonColor(), Flags.tiers());
        node = EdgeNode.start(fixture.config(stack.bootstrapServers(), stack.schemaRegistryUrl(), topics));
        assertThat(node.awaitReady(Duration.ofSeconds(30))).isTrue();
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private JsonNode get(String path) {
        EdgeFixture.Response response = send(node, "GET", path, null, fixture.reader);
        assertThat(response.status()).as(response.raw().body()).isEqualTo(200);
        return response.body();
    }

    @Test
    void check_one_flag_for_a_user_from_query_parameters_or_a_body() {
        JsonNode pro = get("/api/v1/check/action_plan.customization?userId=user-7&tier=pro");
        assertThat(pro.get("key").asText()).isEqualTo("action_plan.customization");
        assertThat(pro.get("enabled").asBoolean()).isTrue();
        assertThat(pro.get("value").asBoolean()).isTrue();
        assertThat(pro.get("reason").asText()).isEqualTo("TARGETING_MATCH");
        assertThat(pro.get("flagVersion").asLong()).isEqualTo(1);
        assertThat(get("/api/v1/check/action_plan.customization?userId=user-8&tier=free").get("enabled").asBoolean()).isFalse();
        assertThat(get("/api/feature-flags/check/action_plan.customization?userId=user-7&tier=enterprise").get("enabled")
                .asBoolean()).as("seed 001's path").isTrue();

        EdgeFixture.Response posted = send(node, "POST", "/api/v1/check/checkout.new_ui",
                "{\"context\":{\"targetingKey\":\"blocked-user\"}}", fixture.reader);
        assertThat(posted.body().get("enabled").asBoolean()).isFalse();
        assertThat(posted.body().get("reason").asText()).isEqualTo("DISABLED");

        JsonNode color = get("/api/v1/check/button.color?userId=u");
        assertThat(color.get("value").asText()).isEqualTo("green");
        assertThat(color.get("enabled").asBoolean()).as("a non-boolean flag is on when it serves other than its off variant")
                .isTrue();
    }

    @Test
    void a_users_features_and_every_flags_value_in_one_call() {
        JsonNode features = get("/api/v1/features?userId=user-7&tier=pro");
        assertThat(features.get("userId").asText()).isEqualTo("user-7");
        assertThat(features.get("enabled")).extracting(JsonNode::asText)
                .containsExactly("action_plan.customization", "button.color", "checkout.new_ui");
        assertThat(features.get("flags").get("button.color").asText()).isEqualTo("green");
        assertThat(features.get("flags").get("checkout.new_ui").asBoolean()).isTrue();

        JsonNode free = get("/api/feature-flags/user/features?userId=blocked-user&tier=free");
        assertThat(free.get("enabled")).extracting(JsonNode::asText).containsExactly("button.color");
        assertThat(free.get("flags").get("checkout.new_ui").asBoolean()).isFalse();
    }

    @Test
    void rest_errors_use_the_platform_error_shape() {
        EdgeFixture.Response missing = send(node, "GET", "/api/v1/check/no.such.flag?userId=u", null, fixture.reader);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body().get("error").get("code").asText()).isEqualTo("FLAG_NOT_FOUND");
        EdgeFixture.Response anonymous = send(node, "GET", "/api/v1/features?userId=u", null, null);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.body().get("error").get("code").asText()).isEqualTo("UNAUTHENTICATED");
        EdgeFixture.Response badBody = send(node, "POST", "/api/v1/check/checkout.new_ui", "{oops", fixture.reader);
        assertThat(badBody.status()).isEqualTo(400);
        assertThat(badBody.body().get("error").get("code").asText()).isEqualTo("PARSE_ERROR");
    }
}
