package io.flagplane.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.FlagState;
import io.flagplane.avro.FlagType;
import io.flagplane.contract.TopicNames;
import io.flagplane.evaluation.ErrorCode;
import io.flagplane.evaluation.EvaluationContext;
import io.flagplane.evaluation.Reason;
import io.flagplane.fixtures.States;
import io.flagplane.ruleset.LiveRuleset;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.StoppableStack;
import io.flagplane.testkit.stack.TestStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedTestStack.class)
class FlagplaneClientIT {

    private static FlagplaneClient client(String bootstrap, String registryUrl, TopicNames topics, Path snapshot) {
        return FlagplaneClient.builder().bootstrapServers(bootstrap).schemaRegistryUrl(registryUrl)
                .topicPrefix(topics.flagState().replace("flag-state", "")).environment("production")
                .snapshotFile(snapshot).snapshotInterval(Duration.ofMillis(200)).build();
    }

    @Test
    void it_bootstraps_from_flag_state_and_serves_every_type(TestStack stack) throws Exception {
        TopicNames topics = stack.newTopics("sdk");
        stack.publishStates(topics.flagState(),
                States.booleanState("production", "checkout.new_ui", 3),
                States.state("production", "ui.theme", 1, States.definition(FlagType.STRING, "\"dark\"", "\"light\"")),
                States.state("production", "search.page_size", 2, States.definition(FlagType.NUMBER, "50", "20")),
                States.state("production", "ui.banner", 1, States.definition(FlagType.JSON, "{\"text\":\"hi\",\"ttl\":3}", "null")),
                States.booleanState("staging", "checkout.new_ui", 9));

        try (FlagplaneClient flags = client(stack.bootstrapServers(), stack.schemaRegistryUrl(), topics, null)) {
            assertThat(flags.awaitReady(Duration.ofSeconds(30))).isTrue();
            EvaluationContext user = EvaluationContext.of("user-1");

            assertThat(flags.getBoolean("checkout.new_ui", false, user)).isTrue();
            assertThat(flags.booleanDetail("checkout.new_ui", false, user).flagVersion()).as("production, not staging").isEqualTo(3);
            assertThat(flags.getString("ui.theme", "?", user)).isEqualTo("dark");
            assertThat(flags.getNumber("search.page_size", 10, user)).isEqualTo(50.0);
            assertThat(flags.getJson("ui.banner", null, user)).isEqualTo(Map.of("text", "hi", "ttl", 3L));
            assertThat(flags.stringDetail("checkout.new_ui", "fallback", user))
                    .satisfies(d -> {
                        assertThat(d.value()).isEqualTo("fallback");
                        assertThat(d.errorCode()).isEqualTo(ErrorCode.TYPE_MISMATCH);
                    });
            assertThat(flags.booleanDetail("no.such.flag", true, user))
                    .satisfies(d -> {
                        assertThat(d.value()).isTrue();
                        assertThat(d.reason()).isEqualTo(Reason.ERROR);
                        assertThat(d.errorCode()).isEqualTo(ErrorCode.FLAG_NOT_FOUND);
                    });
            assertThat(flags.status().stale()).isFalse();
        }
    }

    @Test
    void is_enabled_applies_the_engine_rule_the_edge_rest_enabled_uses(TestStack stack) throws Exception {
        TopicNames topics = stack.newTopics("sdk-enabled");
        FlagState killed = States.state("production", "ui.killed", 1, States.definition(FlagType.STRING, "\"dark\"", "\"light\""));
        killed.setKilled(true);
        FlagState servesOff = States.state("production", "ui.servesOff", 1, States.definition(FlagType.STRING, "\"dark\"", "\"light\""));
        servesOff.getDefinition().getFallthrough().setVariant("off");
        FlagState disabled = States.booleanState("production", "checkout.disabled", 1);
        disabled.setEnabled(false);
        stack.publishStates(topics.flagState(), States.booleanState("production", "checkout.new_ui", 1),
                States.state("production", "ui.theme", 1, States.definition(FlagType.STRING, "\"dark\"", "\"light\"")),
                killed, servesOff, disabled);

        try (FlagplaneClient flags = client(stack.bootstrapServers(), stack.schemaRegistryUrl(), topics, null)) {
            assertThat(flags.awaitReady(Duration.ofSeconds(30))).isTrue();
            EvaluationContext user = EvaluationContext.of("user-1");

            assertThat(flags.isEnabled("checkout.new_ui", user)).as("a boolean serving true").isTrue();
            assertThat(flags.isEnabled("checkout.disabled", user)).as("a disabled boolean").isFalse();
            assertThat(flags.isEnabled("ui.theme", user)).as("a string serving other than its off variant").isTrue();
            assertThat(flags.isEnabled("ui.servesOff", user)).as("a string serving its off variant").isFalse();
            assertThat(flags.isEnabled("ui.killed", user)).as("a killed string").isFalse();
            assertThat(flags.isEnabled("no.such.flag", user)).as("an unknown flag").isFalse();
        }
    }

    @Test
    void listeners_hear_about_changes_per_flag_and_globally(TestStack stack) throws Exception {
        TopicNames topics = stack.newTopics("sdk-listen");
        stack.publishStates(topics.flagState(), States.booleanState("production", "a.flag", 1));
        try (FlagplaneClient flags = client(stack.bootstrapServers(), stack.schemaRegistryUrl(), topics, null)) {
            assertThat(flags.awaitReady(Duration.ofSeconds(30))).isTrue();
            List<String> perFlag = new CopyOnWriteArrayList<>();
            List<List<String>> global = new CopyOnWriteArrayList<>();
            flags.onFlagChange("a.flag", perFlag::add);
            flags.onAnyChange(global::add);

            FlagState killed = States.booleanState("production", "a.flag", 2);
            killed.setKilled(true);
            stack.publishStates(topics.flagState(), killed, States.booleanState("production", "b.flag", 1));

            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(perFlag).containsExactly("a.flag");
                assertThat(global.stream().flatMap(List::stream)).contains("a.flag", "b.flag");
            });
            assertThat(flags.getBoolean("a.flag", true, EvaluationContext.of("u"))).isFalse();
        }
    }

    @Test
    void it_keeps_serving_when_kafka_goes_away_and_says_it_is_stale() throws Exception {
        try (StoppableStack own = new StoppableStack()) {
            TopicNames topics = own.topics();
            own.publishStates(topics.flagState(), States.booleanState("production", "checkout.new_ui", 5));
            try (FlagplaneClient flags = client(own.bootstrapServers(), own.schemaRegistryUrl(), topics, null)) {
                assertThat(flags.awaitReady(Duration.ofSeconds(30))).isTrue();
                List<LiveRuleset.Status> statuses = new CopyOnWriteArrayList<>();
                flags.onStatusChange(statuses::add);

                own.stopKafka();

                Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> flags.status().stale());
                assertThat(flags.getBoolean("checkout.new_ui", false, EvaluationContext.of("u"))).isTrue();
                Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> statuses.stream().anyMatch(LiveRuleset.Status::stale));
            }
        }
    }

    @Test
    void with_a_snapshot_file_it_starts_while_kafka_is_down() throws Exception {
        Path snapshot = Files.createTempDirectory(Path.of("target"), "sdk-snapshot").resolve("flags.avro");
        String deadBootstrap;
        try (StoppableStack own = new StoppableStack()) {
            TopicNames topics = own.topics();
            deadBootstrap = own.bootstrapServers();
            FlagState rollout = States.booleanState("production", "checkout.new_ui", 7);
            own.publishStates(topics.flagState(), rollout);
            try (FlagplaneClient flags = client(own.bootstrapServers(), own.schemaRegistryUrl(), topics, snapshot)) {
                assertThat(flags.awaitReady(Duration.ofSeconds(30))).isTrue();
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(snapshot));
            }
            own.stopKafka();
        }

        try (FlagplaneClient flags = client(deadBootstrap, "http://127.0.0.1:1", TopicNames.DEFAULT, snapshot)) {
            assertThat(flags.awaitReady(Duration.ofSeconds(5))).isTrue();
            assertThat(flags.booleanDetail("checkout.new_ui", false, EvaluationContext.of("u")))
                    .satisfies(d -> {
                        assertThat(d.value()).isTrue();
                        assertThat(d.flagVersion()).isEqualTo(7);
                    });
            assertThat(flags.status().fromSnapshot()).isTrue();
            assertThat(flags.status().stale()).isTrue();
        }
    }
}
