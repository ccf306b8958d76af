package io.flagplane.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flagplane.command.CommandService;
import io.flagplane.command.CommandServiceConfig;
import io.flagplane.edge.EdgeConfig;
import io.flagplane.edge.EdgeNode;
import io.flagplane.provisioning.ProvisionTopicsCommand;
import io.flagplane.settings.Settings;
import io.flagplane.settings.SettingsException;
import io.flagplane.testkit.SecureKafkaCluster;
import io.flagplane.testkit.SharedSecureKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/**
 * A refused credential or an untrusted certificate stops a service at start-up with a message
 * naming the setting to fix, within seconds: it does not hang, retry quietly or start half-way.
 */
@ExtendWith(SharedSecureKafka.class)
class StartupErrorsIT {

    private static final Map<String, String> OPEN_COMMAND = Map.of("command.host", "127.0.0.1", "command.port", "0",
            "command.auth.enabled", "false", "command.startup.timeout.ms", "20000");
    private static final Map<String, String> OPEN_EDGE = Map.of("edge.host", "127.0.0.1", "edge.port", "0",
            "edge.auth.enabled", "false");

    @Test
    void a_wrong_scram_password_stops_the_command_service_naming_the_jaas_setting(SecureKafkaCluster kafka) {
        Principals p = new Principals(kafka);
        String user = p.user("command");
        Map<String, String> settings = new HashMap<>(SecureKafkaCluster.asSettings(kafka.scram(user, "not-the-password")));
        settings.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        settings.putAll(OPEN_COMMAND);
        CommandServiceConfig config = CommandServiceConfig.from(Settings.of(settings));

        long began = System.nanoTime();
        assertThatThrownBy(() -> CommandService.start(config)).isInstanceOf(SettingsException.class)
                .hasMessageContaining("command-service cannot use Kafka")
                .hasMessageContaining("refused the SASL credentials (SCRAM-SHA-512) in kafka.client.sasl.jaas.config")
                .hasMessageNotContaining("not-the-password");
        assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void a_broker_certificate_the_client_does_not_trust_stops_the_edge_naming_the_trust_store_setting(SecureKafkaCluster kafka) {
        Principals p = new Principals(kafka);
        String user = p.user("edge");
        Map<String, String> client = new HashMap<>(p.client(user));
        client.keySet().removeIf(k -> k.startsWith("ssl.truststore"));   // the JVM's default trust: no test CA in it
        Map<String, String> settings = new HashMap<>(SecureKafkaCluster.asSettings(client));
        settings.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        settings.putAll(OPEN_EDGE);
        EdgeConfig config = EdgeConfig.from(Settings.of(settings));

        long began = System.nanoTime();
        assertThatThrownBy(() -> EdgeNode.start(config)).isInstanceOf(SettingsException.class)
                .hasMessageContaining("edge node cannot use Kafka: the TLS handshake with Kafka at " + kafka.bootstrapServers() + " failed")
                .hasMessageContaining("Check kafka.client.ssl.truststore.location");
        assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void a_wrong_password_makes_the_topics_tool_exit_2_naming_the_setting(SecureKafkaCluster kafka) {
        Map<String, String> environment = new HashMap<>();
        kafka.scram("nobody", "wrong").forEach((k, v) -> environment.put(Settings.environmentVariable("kafka.client." + k), v));
        PrintStream stderr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            exit = new CommandLine(new ProvisionTopicsCommand(environment)).execute("--bootstrap-server", kafka.bootstrapServers(),
                    "--replication-factor", "1", "--min-insync-replicas", "1", "--topic-prefix", "never.");
        } finally {
            System.setErr(stderr);
        }

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("kafka.client.sasl.jaas.config");
    }
}
