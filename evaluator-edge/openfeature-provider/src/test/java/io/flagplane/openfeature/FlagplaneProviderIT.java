package io.flagplane.openfeature;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EventDetails;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.ProviderEvent;
import dev.openfeature.sdk.Value;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.FlagType;
import io.flagplane.contract.TopicNames;
import io.flagplane.fixtures.States;
import io.flagplane.sdk.FlagplaneClient;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.StoppableStack;
import io.flagplane.testkit.stack.TestStack;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The provider through the OpenFeature client API, the way a user would. */
@ExtendWith(SharedTestStack.class)
class FlagplaneProviderIT {

    private final OpenFeatureAPI api = OpenFeatureAPI.getInstance();

    private static FlagplaneClient client(String bootstrap, String registry, TopicNames topics) {
        return FlagplaneClient.builder().bootstrapServers(bootstrap).schemaRegistryUrl(registry)
                .topicPrefix(topics.flagState().replace("flag-state", "")).environment("production").build();
    }

    @Test
    void all_five_typed_evaluations_with_reasons_and_error_codes(TestStack stack) {
        TopicNames topics = stack.newTopics("of");
        FlagState disabled = States.booleanState("production", "checkout.new_flow", 2);
        disabled.setEnabled(false);
        stack.publishStates(topics.flagState(),
                States.booleanState("production", "checkout.new_ui", 3), disabled,
                States.state("production", "ui.theme", 1, States.definition(FlagType.STRING, "\"dark\"", "\"light\"")),
                States.state("production", "search.page_size", 1, States.definition(FlagType.NUMBER, "50", "20")),
                States.state("production", "pricing.discount", 1, States.definition(FlagType.NUMBER, "0.15", "0")),
                States.state("production", "ui.banner", 1, States.definition(FlagType.JSON, "{\"text\":\"hi\",\"tags\":[\"a\"]}", "{}")));
        String domain = TestStack.uniqueName("of-types");
        api.setProviderAndWait(domain, new FlagplaneProvider(client(stack.bootstrapServers(), stack.schemaRegistryUrl(), topics)));
        Client features = api.getClient(domain);
        ImmutableContext user = new ImmutableContext("user-1", Map.of("tier", new Value("pro")));

        FlagEvaluationDetails<Boolean> bool = features.getBooleanDetails("checkout.new_ui", false, user);
        assertThat(bool.getValue()).isTrue();
        assertThat(bool.getReason()).isEqualTo("STATIC");
        assertThat(bool.getVariant()).isEqualTo("on");
        assertThat(bool.getFlagMetadata().getLong("flagVersion")).isEqualTo(3L);

        FlagEvaluationDetails<Boolean> off = features.getBooleanDetails("checkout.new_flow", true, user);
        assertThat(off.getValue()).isFalse();
        assertThat(off.getReason()).isEqualTo("DISABLED");

        assertThat(features.getStringValue("ui.theme", "light", user)).isEqualTo("dark");
        assertThat(features.getIntegerValue("search.page_size", 10, user)).isEqualTo(50);
        assertThat(features.getDoubleValue("pricing.discount", 0.0, user)).isEqualTo(0.15);
        Value banner = features.getObjectValue("ui.banner", new Value(), user);
        assertThat(banner.asStructure().getValue("text").asString()).isEqualTo("hi");
        assertThat(banner.asStructure().getValue("tags").asList()).extracting(Value::asString).containsExactly("a");

        FlagEvaluationDetails<Integer> notInteger = features.getIntegerDetails("pricing.discount", 7, user);
        assertThat(notInteger.getValue()).isEqualTo(7);
        assertThat(notInteger.getErrorCode()).isEqualTo(ErrorCode.TYPE_MISMATCH);

        FlagEvaluationDetails<String> missing = features.getStringDetails("no.such.flag", "safe", user);
        assertThat(missing.getValue()).isEqualTo("safe");
        assertThat(missing.getErrorCode()).isEqualTo(ErrorCode.FLAG_NOT_FOUND);
        assertThat(missing.getReason()).isEqualTo("ERROR");

        FlagEvaluationDetails<String> wrongType = features.getStringDetails("checkout.new_ui", "safe", user);
        assertThat(wrongType.getValue()).isEqualTo("safe");
        assertThat(wrongType.getErrorCode()).isEqualTo(ErrorCode.TYPE_MISMATCH);
        api.getProvider(domain).shutdown();
    }

    @Test
    void provider_events_ready_then_configuration_changed_with_the_flag_keys(TestStack stack) {
        TopicNames topics = stack.newTopics("of-events");
        stack.publishStates(topics.flagState(), States.booleanState("production", "a.flag", 1));
        String domain = TestStack.uniqueName("of-events");
        Client features = api.getClient(domain);
        List<ProviderEvent> events = new CopyOnWriteArrayList<>();
        List<List<String>> changed = new CopyOnWriteArrayList<>();
        features.onProviderReady(d -> events.add(ProviderEvent.PROVIDER_READY));
        features.onProviderConfigurationChanged(d -> {
            events.add(ProviderEvent.PROVIDER_CONFIGURATION_CHANGED);
            changed.add(d.getFlagsChanged());
        });

        api.setProviderAndWait(domain, new FlagplaneProvider(client(stack.bootstrapServers(), stack.schemaRegistryUrl(), topics)));
        FlagState killed = States.booleanState("production", "a.flag", 2);
        killed.setKilled(true);
        stack.publishStates(topics.flagState(), killed);

        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(events).startsWith(ProviderEvent.PROVIDER_READY).contains(ProviderEvent.PROVIDER_CONFIGURATION_CHANGED);
            assertThat(changed).anySatisfy(keys -> assertThat(keys).containsExactly("a.flag"));
        });
        assertThat(features.getBooleanValue("a.flag", true, new ImmutableContext("u"))).isFalse();
        api.getProvider(domain).shutdown();
    }

    @Test
    void without_kafka_and_without_a_snapshot_the_provider_reports_an_error() {
        String domain = TestStack.uniqueName("of-error");
        Client features = api.getClient(domain);
        List<EventDetails> errors = new CopyOnWriteArrayList<>();
        features.onProviderError(errors::add);
        FlagplaneClient unreachable = FlagplaneClient.builder().bootstrapServers("127.0.0.1:1")
                .schemaRegistryUrl("http://127.0.0.1:1").build();

        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                api.setProviderAndWait(domain, new FlagplaneProvider(unreachable, Duration.ofSeconds(1))))
                .hasMessageContaining("no ruleset");
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !errors.isEmpty());
        assertThat(features.getBooleanDetails("a.flag", true, new ImmutableContext("u")).getValue()).isTrue();
        unreachable.close();
    }

    @Test
    void the_provider_goes_stale_when_kafka_goes_away_and_keeps_answering() throws Exception {
        try (StoppableStack own = new StoppableStack()) {
            TopicNames topics = own.topics();
            own.publishStates(topics.flagState(), States.booleanState("production", "a.flag", 1));
            String domain = TestStack.uniqueName("of-stale");
            Client features = api.getClient(domain);
            List<EventDetails> stale = new CopyOnWriteArrayList<>();
            features.onProviderStale(stale::add);
            api.setProviderAndWait(domain, new FlagplaneProvider(client(own.bootstrapServers(), own.schemaRegistryUrl(), topics)));

            own.stopKafka();

            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> !stale.isEmpty());
            assertThat(stale.get(0).getMessage()).contains("Kafka unreachable");
            assertThat(features.getBooleanValue("a.flag", false, new ImmutableContext("u"))).isTrue();
            api.getProvider(domain).shutdown();
        }
    }
}
