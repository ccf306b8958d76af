package io.flagplane.openfeature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EventDetails;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.ProviderState;
import dev.openfeature.sdk.Value;
import io.flagplane.avro.FlagState;
import io.flagplane.contract.TopicNames;
import io.flagplane.fixtures.States;
import io.flagplane.sdk.FlagplaneClient;
import io.flagplane.testkit.stack.RestartableStack;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The specification's provider states, and flag metadata and code defaults, through the OpenFeature API. */
@ExtendWith(SharedTestStack.class)
class ProviderStatesIT {

    private final OpenFeatureAPI api = OpenFeatureAPI.getInstance();

    private static FlagplaneClient client(String bootstrap, String registry, TopicNames topics, Map<String, Object> consumer) {
        return FlagplaneClient.builder().bootstrapServers(bootstrap).schemaRegistryUrl(registry)
                .topicPrefix(topics.flagState().replace("flag-state", "")).environment("production")
                .consumerProperties(consumer).build();
    }

    @Test
    void before_its_first_ruleset_every_flag_is_provider_not_ready_not_flag_not_found() {
        try (FlagplaneClient unreachable = FlagplaneClient.builder().bootstrapServers("127.0.0.1:1")
                .schemaRegistryUrl("http://127.0.0.1:1").build()) {
            FlagplaneProvider provider = new FlagplaneProvider(unreachable);

            ProviderEvaluation<Boolean> result = provider.getBooleanEvaluation("any.flag", true, new ImmutableContext("u"));

            assertThat(result.getValue()).isTrue();
            assertThat(result.getErrorCode()).isEqualTo(ErrorCode.PROVIDER_NOT_READY);
            assertThat(result.getReason()).isEqualTo("ERROR");
        }
    }

    @Test
    void after_a_failed_start_ready_is_emitted_when_kafka_comes_back() throws Exception {
        try (RestartableStack kafka = new RestartableStack()) {
            TopicNames topics = kafka.topics();
            kafka.publishStates(topics.flagState(), States.booleanState("production", "a.flag", 1));
            kafka.stopKafka();
            String domain = TestStack.uniqueName("of-recover");
            Client features = api.getClient(domain);
            List<EventDetails> ready = new CopyOnWriteArrayList<>();
            features.onProviderReady(ready::add);
            FlagplaneClient flags = client(kafka.bootstrapServers(), kafka.schemaRegistryUrl(), topics, Map.of());

            assertThatThrownBy(() -> api.setProviderAndWait(domain, new FlagplaneProvider(flags, Duration.ofSeconds(1))))
                    .hasMessageContaining("no ruleset");
            assertThat(features.getProviderState()).isEqualTo(ProviderState.ERROR);
            assertThat(features.getBooleanDetails("a.flag", false, new ImmutableContext("u")).getErrorCode())
                    .isEqualTo(ErrorCode.PROVIDER_NOT_READY);

            kafka.startKafka();

            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> features.getProviderState() == ProviderState.READY);
            assertThat(ready).isNotEmpty();
            assertThat(features.getBooleanValue("a.flag", false, new ImmutableContext("u"))).isTrue();
            api.getProvider(domain).shutdown();
        }
    }

    @Test
    void a_credential_kafka_rejects_is_fatal_at_once(TestStack stack) {
        TopicNames topics = stack.newTopics("of-fatal");
        String domain = TestStack.uniqueName("of-fatal");
        Client features = api.getClient(domain);
        // a SASL client against the stack's plaintext listener: Kafka fails its authentication
        FlagplaneClient flags = client(stack.bootstrapServers(), stack.schemaRegistryUrl(), topics, Map.of(
                "security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";"));
        long started = System.nanoTime();

        assertThatThrownBy(() -> api.setProviderAndWait(domain, new FlagplaneProvider(flags, Duration.ofSeconds(30))))
                .hasMessageContaining("rejected the credential");

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
        assertThat(features.getProviderState()).isEqualTo(ProviderState.FATAL);
        FlagEvaluationDetails<Boolean> result = features.getBooleanDetails("a.flag", true, new ImmutableContext("u"));
        assertThat(result.getErrorCode()).isEqualTo(ErrorCode.PROVIDER_FATAL);
        assertThat(result.getValue()).isTrue();
        api.getProvider(domain).shutdown();
    }

    @Test
    void flag_metadata_and_the_code_default_of_a_flag_without_an_off_variant(TestStack stack) {
        TopicNames topics = stack.newTopics("of-meta");
        FlagState withMetadata = States.booleanState("production", "meta.flag", 4);
        withMetadata.getDefinition().setMetadata(Map.of("ticket", "JIRA-1", "integer", 2L, "float", 0.1, "boolean", true));
        FlagState noOff = States.state("production", "no.off", 2,
                States.definition(io.flagplane.avro.FlagType.JSON, "{\"imagesPerPage\":100}", "{}"));
        noOff.getDefinition().setOffVariant(null);
        noOff.setKilled(true);
        FlagState object = States.state("production", "object.flag", 1,
                States.definition(io.flagplane.avro.FlagType.JSON, "{\"title\":\"t\",\"imagesPerPage\":100}", "{}"));
        stack.publishStates(topics.flagState(), withMetadata, noOff, object);
        String domain = TestStack.uniqueName("of-meta");
        api.setProviderAndWait(domain, new FlagplaneProvider(client(stack.bootstrapServers(), stack.schemaRegistryUrl(), topics, Map.of())));
        Client features = api.getClient(domain);
        ImmutableContext user = new ImmutableContext("u");

        FlagEvaluationDetails<Boolean> meta = features.getBooleanDetails("meta.flag", false, user);
        assertThat(meta.getFlagMetadata().getString("ticket")).isEqualTo("JIRA-1");
        assertThat(meta.getFlagMetadata().getInteger("integer")).isEqualTo(2);
        assertThat(meta.getFlagMetadata().getDouble("float")).isEqualTo(0.1);
        assertThat(meta.getFlagMetadata().getBoolean("boolean")).isTrue();
        assertThat(meta.getFlagMetadata().getLong("flagVersion")).isEqualTo(4L);

        Value fallback = new Value("code");
        FlagEvaluationDetails<Value> killed = features.getObjectDetails("no.off", fallback, user);
        assertThat(killed.getValue()).isEqualTo(fallback);
        assertThat(killed.getReason()).isEqualTo("DISABLED");
        assertThat(killed.getVariant()).isNull();
        assertThat(killed.getErrorCode()).isNull();

        Map<String, Object> plain = features.getObjectValue("object.flag", new Value(), user).asStructure().asObjectMap();
        assertThat(plain).containsEntry("imagesPerPage", 100).containsEntry("title", "t");
        api.getProvider(domain).shutdown();
    }
}
