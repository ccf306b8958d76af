package io.flagplane.provisioning;

import io.flagplane.connections.ClientRole;
import io.flagplane.connections.KafkaClientErrors;
import io.flagplane.connections.KafkaClientSettings;
import io.flagplane.settings.Settings;
import io.flagplane.settings.SettingsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flagplane users}: creates or changes SCRAM-SHA-512 users, one per Flagplane service, with
 * each password read from a file (a mounted secret), never from the command line. Kafka keeps only
 * the salted SCRAM hash. Managed Kafka services (Confluent Cloud, MSK, Aiven) make users their own
 * way; this is for clusters you run.
 */
@Command(name = "flagplane-users", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Create or change SCRAM-SHA-512 users (a principal per service), each password read from a file.",
            "Run it as a principal that may alter the cluster (a super user). The Kafka client pass-through",
            "(FLAGPLANE_KAFKA_CLIENT_*, or FLAGPLANE_CONFIG=<file>) secures its own connection."},
        footer = {"", "Example:",
            "  flagplane users --bootstrap-server kafka-1:9093 --user flagplane-command=secrets/command-password \\",
            "      --user flagplane-edge=secrets/edge-password"})
public final class ProvisionUsersCommand implements Callable<Integer> {

    @Option(names = {"-b", "--bootstrap-server"}, required = true, description = "Kafka bootstrap servers")
    String bootstrapServers;

    @Option(names = "--user", required = true, paramLabel = "<name>=<password file>",
            description = "a user and the file holding its password (repeat)")
    Map<String, Path> users = new LinkedHashMap<>();

    @Option(names = "--iterations", defaultValue = "8192", description = "SCRAM iterations (default ${DEFAULT-VALUE})")
    int iterations;

    @Override
    public Integer call() {
        List<UserScramCredentialAlteration> alterations = new ArrayList<>();
        try {
            for (Map.Entry<String, Path> user : users.entrySet()) {
                String password = Files.readString(user.getValue(), StandardCharsets.UTF_8).strip();
                if (password.isEmpty()) {
                    System.err.println("flagplane-users: " + user.getValue() + " is empty");
                    return 2;
                }
                alterations.add(new UserScramCredentialUpsertion(user.getKey(),
                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, iterations), password));
            }
        } catch (IOException e) {
            System.err.println("flagplane-users: cannot read a password file: " + e.getMessage());
            return 2;
        }
        KafkaClientSettings kafka;
        try {
            kafka = KafkaClientSettings.from(Settings.fromEnvironment().with(Map.of("kafka.bootstrap.servers", bootstrapServers)));
        } catch (SettingsException e) {
            System.err.println("flagplane-users: " + e.getMessage());
            return 2;
        }
        try (Admin admin = Admin.create(kafka.applyTo(ClientRole.ADMIN, new HashMap<>()))) {
            admin.alterUserScramCredentials(alterations).all().get(30, TimeUnit.SECONDS);
            System.out.println("SCRAM-SHA-512 users in place: " + String.join(", ", users.keySet()));
            return 0;
        } catch (ExecutionException e) {
            String why = KafkaClientErrors.explain(e.getCause(), kafka, ClientRole.ADMIN);
            System.err.println("flagplane-users: " + (why != null ? why : e.getCause()));
            return 2;
        } catch (TimeoutException e) {
            System.err.println("flagplane-users: Kafka at " + bootstrapServers + " did not answer within 30 s");
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 2;
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ProvisionUsersCommand()).execute(args));
    }
}
