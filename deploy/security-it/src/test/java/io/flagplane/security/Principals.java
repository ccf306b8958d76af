package io.flagplane.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.provisioning.ProvisionAclsCommand;
import io.flagplane.provisioning.ProvisionTopicsCommand;
import io.flagplane.settings.Settings;
import io.flagplane.testkit.KafkaTestCluster;
import io.flagplane.testkit.SecureKafkaCluster;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import picocli.CommandLine;

/**
 * One test's installation on the shared secured broker: a topic prefix, ids and SCRAM users of its
 * own, topics and ACLs provisioned with the real {@code flagplane topics} and {@code flagplane acls}
 * commands, run as the super user through the Kafka client pass-through in their environment.
 */
final class Principals {

    final SecureKafkaCluster kafka;
    final String prefix;
    final String schemaTopic;
    final String transactionalId;
    final String applicationId;
    private final Map<String, String> passwords = new HashMap<>();

    Principals(SecureKafkaCluster kafka) {
        this.kafka = kafka;
        String id = KafkaTestCluster.uniqueName("sec");
        this.prefix = id + ".";
        this.schemaTopic = id + "._schemas";
        this.transactionalId = id + "-writer";
        this.applicationId = id + "-projection";
    }

    /** A SCRAM-SHA-512 user named {@code role-<prefix>}, made now; its name. */
    String user(String role) {
        String name = role + "-" + prefix.substring(0, prefix.length() - 1);
        String password = "pw-" + UUID.randomUUID();
        kafka.createScramUser(name, password);
        passwords.put(name, password);
        return name;
    }

    String password(String user) {
        return passwords.get(user);
    }

    /** Every password made here. */
    java.util.Collection<String> secrets() {
        return List.copyOf(passwords.values());
    }

    /** {@code user}'s client properties (SCRAM over SASL_SSL, trusting the test CA). */
    Map<String, String> client(String user) {
        return kafka.scram(user, passwords.get(user));
    }

    /** A service's settings: where Kafka is, the pass-through of {@code user}, and {@code more}. */
    Settings settings(String user, Map<String, String> more) {
        Map<String, String> values = new HashMap<>(SecureKafkaCluster.asSettings(client(user)));
        values.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        values.put("topic.prefix", prefix);
        values.putAll(more);
        return Settings.of(values);
    }

    /** The super user's pass-through as the tools read it: {@code FLAGPLANE_KAFKA_CLIENT_*} variables. */
    Map<String, String> adminEnvironment() {
        Map<String, String> environment = new HashMap<>();
        kafka.plain(SecureKafkaCluster.SUPER_USER).forEach((k, v) -> environment.put(Settings.environmentVariable("kafka.client." + k), v));
        return environment;
    }

    /** {@code flagplane topics} for this prefix, as the super user. */
    void provisionTopics() {
        int exit = new CommandLine(new ProvisionTopicsCommand(adminEnvironment())).execute("--bootstrap-server",
                kafka.bootstrapServers(), "--partitions", "2", "--replication-factor", "1", "--min-insync-replicas", "1",
                "--topic-prefix", prefix, "--schema-topic", schemaTopic);
        assertThat(exit).as("flagplane topics").isZero();
    }

    /** {@code flagplane acls} with these {@code --principal-<role>} arguments (role to user), as the super user. */
    String grant(Map<String, String> principals) {
        List<String> args = new ArrayList<>(List.of("--bootstrap-server", kafka.bootstrapServers(), "--topic-prefix", prefix,
                "--schema-topic", schemaTopic, "--transactional-id", transactionalId, "--application-id", applicationId));
        principals.forEach((role, user) -> args.addAll(List.of("--principal-" + role, "User:" + user)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new CommandLine(new ProvisionAclsCommand(adminEnvironment(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8))).execute(args.toArray(String[]::new));
        assertThat(exit).as("flagplane acls: %s", err.toString(StandardCharsets.UTF_8)).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }
}
