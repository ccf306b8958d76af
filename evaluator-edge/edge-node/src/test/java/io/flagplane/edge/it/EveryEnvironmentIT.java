package io.flagplane.edge.it;

import static io.flagplane.edge.it.EdgeFixture.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.FlagState;
import io.flagplane.contract.TopicNames;
import io.flagplane.edge.EdgeConfig;
import io.flagplane.edge.EdgeNode;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code edge.environments=*}: one node serves every environment its ruleset holds flags for. */
@ExtendWith(SharedTestStack.class)
class EveryEnvironmentIT {

    private final EdgeFixture fixture = new EdgeFixture();
    private EdgeNode node;

    @BeforeEach
    void start(TestStack stack) throws Exception {
        TopicNames topics = stack.newTopics("every-env");
        FlagState production = Flags.checkoutNewUi(3);
        FlagState staging = FlagState.newBuilder(Flags.buttonColor()).setEnvironment("staging").build();
        stack.publishStates(topics.flagState(), production, staging);
        EdgeConfig base = fixture.config(stack.bootstrapServers(), stack.schemaRegistryUrl(), topics);
        node = EdgeNode.start(new EdgeConfig(base.host(), base.port(), base.bootstrapServers(), base.schemaRegistryUrl(),
                base.topics(), List.of(EdgeConfig.EVERY_ENVIRONMENT), base.authEnabled(), base.tokensFile(), base.snapshotFile(),
                base.heartbeat(), base.maxStreams()));
        assertThat(node.awaitReady(Duration.ofSeconds(30))).isTrue();
    }

    @AfterEach
    void stop() {
        node.close();
    }

    @Test
    void each_environment_with_flags_is_served_when_a_request_names_it() {
        EdgeFixture.Response production = send(node, "POST", "/ofrep/v1/evaluate/flags/checkout.new_ui",
                "{\"context\":{\"targetingKey\":\"u\"}}", fixture.reader, EdgeConfig.ENVIRONMENT_HEADER, "production");
        assertThat(production.status()).as(production.raw().body()).isEqualTo(200);
        EdgeFixture.Response staging = send(node, "GET", "/api/v1/check/button.color?userId=u&environment=staging", null,
                fixture.reader);
        assertThat(staging.status()).as(staging.raw().body()).isEqualTo(200);
        assertThat(staging.body().get("value").asText()).isEqualTo("green");
        assertThat(send(node, "GET", "/api/v1/status", null, fixture.reader).body().get("environments"))
                .extracting(e -> e.asText()).containsExactly("production", "staging");
    }

    @Test
    void a_request_naming_no_environment_or_one_without_flags_is_told_so() {
        EdgeFixture.Response unnamed = send(node, "GET", "/api/v1/check/button.color?userId=u", null, fixture.reader);
        assertThat(unnamed.status()).isEqualTo(400);
        assertThat(unnamed.raw().body()).contains("ENVIRONMENT_NOT_SERVED").contains("serves every environment");
        EdgeFixture.Response typo = send(node, "GET", "/api/v1/check/button.color?userId=u&environment=prodution", null,
                fixture.reader);
        assertThat(typo.status()).isEqualTo(400);
        assertThat(typo.raw().body()).contains("'prodution'");
    }
}
