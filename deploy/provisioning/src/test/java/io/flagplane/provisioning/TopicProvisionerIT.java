package io.flagplane.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.contract.TopicNames;
import io.flagplane.provisioning.ProvisioningReport.Status;
import io.flagplane.provisioning.ProvisioningReport.TopicOutcome;
import io.flagplane.testkit.KafkaTestCluster;
import io.flagplane.testkit.SharedKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

@ExtendWith(SharedKafka.class)
class TopicProvisionerIT {

    private final ProvisioningSettings settings = ProvisioningSettings.local();

    @Test
    void missing_topics_are_created_with_their_configs(KafkaTestCluster kafka) throws Exception {
        TopicNames names = TopicNames.withPrefix(KafkaTestCluster.uniqueName("create") + ".");
        try (Admin admin = kafka.admin()) {
            ProvisioningReport report = new TopicProvisioner(admin, Duration.ofSeconds(30))
                    .provision(FlagplaneTopics.flagTopics(names, settings));

            assertThat(report.topics()).extracting(TopicOutcome::status).containsOnly(Status.CREATED);
            var events = new ConfigResource(ConfigResource.Type.TOPIC, names.flagEvents());
            var state = new ConfigResource(ConfigResource.Type.TOPIC, names.flagState());
            // a new topic's metadata reaches the broker's cache a moment after creation
            Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
                var configs = admin.describeConfigs(List.of(events, state)).all().get();
                assertThat(configs.get(events).get("retention.ms").value()).isEqualTo("-1");
                assertThat(configs.get(events).get("cleanup.policy").value()).isEqualTo("delete");
                assertThat(configs.get(state).get("cleanup.policy").value()).isEqualTo("compact");
                assertThat(admin.describeTopics(List.of(names.flagEvents())).allTopicNames().get()
                        .get(names.flagEvents()).partitions()).hasSize(settings.partitions());
            });
        }
    }

    @Test
    void running_it_twice_changes_nothing(KafkaTestCluster kafka) {
        TopicNames names = TopicNames.withPrefix(KafkaTestCluster.uniqueName("twice") + ".");
        try (Admin admin = kafka.admin()) {
            TopicProvisioner provisioner = new TopicProvisioner(admin, Duration.ofSeconds(30));
            provisioner.provision(FlagplaneTopics.flagTopics(names, settings));

            ProvisioningReport second = provisioner.provision(FlagplaneTopics.flagTopics(names, settings));

            assertThat(second.ok()).isTrue();
            assertThat(second.topics()).extracting(TopicOutcome::status).containsOnly(Status.UNCHANGED);
        }
    }

    @Test
    void a_topic_with_wrong_configs_is_reported_and_left_alone(KafkaTestCluster kafka) throws Exception {
        TopicNames names = TopicNames.withPrefix(KafkaTestCluster.uniqueName("wrong") + ".");
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(names.flagEvents(), 3, (short) 1)
                    .configs(Map.of("cleanup.policy", "compact", "retention.ms", "604800000")))).all().get();

            ProvisioningReport report = new TopicProvisioner(admin, Duration.ofSeconds(30))
                    .provision(FlagplaneTopics.flagTopics(names, settings));

            assertThat(report.ok()).isFalse();
            assertThat(report.mismatches()).singleElement().satisfies(m -> {
                assertThat(m.topic()).isEqualTo(names.flagEvents());
                assertThat(m.problems()).containsExactly(
                        "has 3 partitions, expected 6",
                        "cleanup.policy is compact, expected delete",
                        "retention.ms is 604800000, expected -1");
            });
            assertThat(report.describe()).contains("MISMATCH  " + names.flagEvents(), "CREATED   " + names.flagState());
            var events = new ConfigResource(ConfigResource.Type.TOPIC, names.flagEvents());
            assertThat(admin.describeConfigs(List.of(events)).all().get().get(events).get("cleanup.policy").value())
                    .isEqualTo("compact");
        }
    }

    @Test
    void the_command_line_exits_0_when_all_match_and_1_on_a_mismatch(KafkaTestCluster kafka) throws Exception {
        String prefix = KafkaTestCluster.uniqueName("cli") + ".";
        String[] args = {"--bootstrap-server", kafka.bootstrapServers(), "--partitions", "2", "--replication-factor", "1",
                "--min-insync-replicas", "1", "--topic-prefix", prefix};

        assertThat(run(args).exitCode).isZero();
        Output again = run(args);
        assertThat(again.exitCode).isZero();
        assertThat(again.stdout).contains("UNCHANGED " + prefix + "flag-events", "UNCHANGED " + prefix + "flag-state");

        String[] moreParts = args.clone();
        moreParts[3] = "4";
        Output mismatch = run(moreParts);
        assertThat(mismatch.exitCode).isEqualTo(1);
        assertThat(mismatch.stdout).contains("has 2 partitions, expected 4");
    }

    @Test
    void the_command_line_refuses_impossible_settings_with_exit_code_2(KafkaTestCluster kafka) throws Exception {
        Output out = run(new String[] {"--bootstrap-server", kafka.bootstrapServers(), "--replication-factor", "1",
                "--min-insync-replicas", "2"});

        assertThat(out.exitCode).isEqualTo(2);
        assertThat(out.stderr).contains("min.insync.replicas must be between 1 and the replication factor (1), was 2");
    }

    private record Output(int exitCode, String stdout, String stderr) {
    }

    private static Output run(String[] args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
            int code = new CommandLine(new ProvisionTopicsCommand()).execute(args);
            return new Output(code, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
