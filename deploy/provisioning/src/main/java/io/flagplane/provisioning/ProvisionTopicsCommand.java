package io.flagplane.provisioning;

import io.flagplane.connections.ClientRole;
import io.flagplane.connections.KafkaClientSettings;
import io.flagplane.settings.Settings;
import io.flagplane.settings.SettingsException;
import io.flagplane.contract.TopicNames;
import io.flagplane.contract.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flagplane-topics}: creates and checks Flagplane's topics on any Kafka cluster. Exit
 * code 0 when every topic matches its specification, 1 when one differs, 2 on bad arguments or
 * an unreachable cluster.
 */
@Command(name = "flagplane-topics", mixinStandardHelpOptions = true,
        description = {"Create Flagplane's topics where missing and check the ones that exist.",
            "Secured clusters: the Kafka client pass-through (FLAGPLANE_KAFKA_CLIENT_*, e.g. _SECURITY_PROTOCOL,",
            "_SASL_MECHANISM, _SASL_JAAS_CONFIG, _SSL_TRUSTSTORE_LOCATION) is read from the environment, as every service reads it."})
public final class ProvisionTopicsCommand implements Callable<Integer> {

    @Option(names = {"-b", "--bootstrap-server"}, required = true, description = "Kafka bootstrap servers")
    String bootstrapServers;

    @Option(names = "--partitions", defaultValue = "12", description = "partitions of flag-events and flag-state (default ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--replication-factor", defaultValue = "3", description = "replication factor (default ${DEFAULT-VALUE})")
    short replicationFactor;

    @Option(names = "--min-insync-replicas", defaultValue = "2", description = "min.insync.replicas (default ${DEFAULT-VALUE})")
    int minInsyncReplicas;

    @Option(names = "--topic-prefix", defaultValue = "", description = "prefix of the flag topics (default none)")
    String topicPrefix;

    @Option(names = "--schema-topic", description = "also provision the embedded registry's topic, e.g. " + Topics.SCHEMAS)
    String schemaTopic;

    @Option(names = "--command-config", description = "extra admin client properties (security settings), key=value",
            split = ",")
    Map<String, String> extra = Map.of();

    private final Map<String, String> environment;

    public ProvisionTopicsCommand() {
        this(System.getenv());
    }

    /** @param environment where the Kafka client pass-through ({@code FLAGPLANE_KAFKA_CLIENT_*}) is read from */
    public ProvisionTopicsCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        ProvisioningSettings settings;
        try {
            settings = new ProvisioningSettings(partitions, replicationFactor, minInsyncReplicas);
        } catch (IllegalArgumentException e) {
            System.err.println("flagplane-topics: " + e.getMessage());
            return 2;
        }
        List<TopicSpec> specs = new ArrayList<>(FlagplaneTopics.flagTopics(TopicNames.withPrefix(topicPrefix), settings));
        if (schemaTopic != null) {
            specs.add(FlagplaneTopics.schemas(schemaTopic, settings));
        }
        // the Kafka client pass-through from the environment (FLAGPLANE_KAFKA_CLIENT_*, FLAGPLANE_CONFIG), as every process
        KafkaClientSettings kafka;
        try {
            kafka = KafkaClientSettings.from(Settings.load(environment, Map.of("kafka.bootstrap.servers", bootstrapServers)));
        } catch (SettingsException e) {
            System.err.println("flagplane-topics: " + e.getMessage());
            return 2;
        }
        Map<String, Object> config = kafka.applyTo(ClientRole.ADMIN, new java.util.HashMap<>());
        config.putAll(extra);
        try (Admin admin = Admin.create(config)) {
            ProvisioningReport report = new TopicProvisioner(admin, Duration.ofSeconds(30)).provision(specs);
            System.out.println(report.describe());
            return report.ok() ? 0 : 1;
        } catch (ProvisioningException e) {
            String why = io.flagplane.connections.KafkaClientErrors.explain(e, kafka, ClientRole.ADMIN);
            System.err.println("flagplane-topics: " + (why != null ? why : e.getMessage()));
            return 2;
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ProvisionTopicsCommand()).execute(args));
    }
}
