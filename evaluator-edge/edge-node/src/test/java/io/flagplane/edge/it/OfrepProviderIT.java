package io.flagplane.edge.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.openfeature.contrib.providers.ofrep.OfrepProvider;
import dev.openfeature.contrib.providers.ofrep.OfrepProviderOptions;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.Value;
import io.flagplane.contract.TopicNames;
import io.flagplane.edge.EdgeNode;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** OpenFeature's own OFREP provider (dev.openfeature.contrib.providers:ofrep), unchanged, against a node. */
@ExtendWith(SharedTestStack.class)
class OfrepProviderIT {

    private final EdgeFixture fixture = new EdgeFixture();
    private EdgeNode node;
    private Client client;

    @BeforeEach
    void start(TestStack stack) throws Exception {
        TopicNames topics = stack.newTopics("ofrep-provider");
        stack.publishStates(topics.flagState(), Flags.checkoutNewUi(3), Flags.buttonColor(), Flags.maxItems(), Flags.banner(),
                Flags.split(), Flags.discountRate(), Flags.withMetadata(), Flags.killedWithoutOffVariant());
        node = EdgeNode.start(fixture.config(stack.bootstrapServers(), stack.schemaRegistryUrl(), topics));
        assertThat(node.awaitReady(Duration.ofSeconds(30))).isTrue();
        OfrepProvider provider = OfrepProvider.constructProvider(OfrepProviderOptions.builder()
                .baseUrl(node.url())
                .headers(ImmutableMap.of("Authorization", ImmutableList.of("Bearer " + fixture.reader)))
                .build());
        OpenFeatureAPI.getInstance().setProviderAndWait("flagplane-edge", provider);
        client = OpenFeatureAPI.getInstance().getClient("flagplane-edge");
    }

    @AfterEach
    void stop() {
        OpenFeatureAPI.getInstance().shutdown();
        node.close();
    }

    @Test
    void every_type_resolves_through_the_stock_provider() {
        ImmutableContext user = new ImmutableContext("user-1");

        FlagEvaluationDetails<Boolean> checkout = client.getBooleanDetails("checkout.new_ui", false, user);
        assertThat(checkout.getValue()).isTrue();
        assertThat(checkout.getVariant()).isEqualTo("on");
        assertThat(checkout.getReason()).isEqualTo("DEFAULT");
        assertThat(client.getBooleanValue("checkout.new_ui", true, new ImmutableContext("blocked-user"))).isFalse();
        assertThat(client.getStringValue("button.color", "red", user)).isEqualTo("green");
        assertThat(client.getIntegerValue("cart.max-items", 0, user)).as("a whole number is sent as an integer").isEqualTo(20);
        assertThat(client.getDoubleValue("discount.rate", 0.0, user)).isEqualTo(0.15);
        Value banner = client.getObjectValue("home.banner", new Value(), user);
        assertThat(banner.asStructure().getValue("title").asString()).isEqualTo("Hello");
        assertThat(client.getBooleanDetails("search.semantic", false, user).getReason()).isEqualTo("SPLIT");
    }

    @Test
    void errors_come_back_as_the_callers_default_with_the_right_code() {
        FlagEvaluationDetails<Boolean> missing = client.getBooleanDetails("no.such.flag", true, new ImmutableContext("u"));
        assertThat(missing.getValue()).isTrue();
        assertThat(missing.getErrorCode()).isEqualTo(ErrorCode.FLAG_NOT_FOUND);

        // the node answers 400 TARGETING_KEY_MISSING (OfrepApiIT); this provider reports every 400 as INVALID_CONTEXT
        FlagEvaluationDetails<Boolean> noKey = client.getBooleanDetails("search.semantic", true, new ImmutableContext());
        assertThat(noKey.getValue()).isTrue();
        assertThat(noKey.getErrorCode()).isEqualTo(ErrorCode.INVALID_CONTEXT);
    }

    @Test
    void flag_metadata_and_the_code_default_reach_the_stock_provider() {
        ImmutableContext user = new ImmutableContext("user-1");

        FlagEvaluationDetails<String> headline = client.getStringDetails("copy.headline", "x", user);
        assertThat(headline.getValue()).isEqualTo("new");
        assertThat(headline.getFlagMetadata().getString("ticket")).isEqualTo("JIRA-7");
        assertThat(headline.getFlagMetadata().getBoolean("beta")).isTrue();

        // the node answers OFREP's code default (no value, reason DISABLED); this provider version serves the
        // caller's default for it, though it reports FLAG_NOT_FOUND (open-feature/java-sdk-contrib#1850)
        FlagEvaluationDetails<String> footer = client.getStringDetails("copy.footer", "code default", user);
        assertThat(footer.getValue()).isEqualTo("code default");
    }
}
