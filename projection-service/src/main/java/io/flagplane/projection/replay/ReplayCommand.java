package io.flagplane.projection.replay;

import io.flagplane.connections.KafkaClientSettings;
import io.flagplane.connections.RegistrySettings;
import io.flagplane.settings.Settings;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagplane.contract.TopicNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flagplane-replay}: the auditor's command. Rebuilds every projection store from offset
 * zero into stores of its own ({@link Replay}), shows progress, checks the result against the live
 * projection byte for byte, and can export the whole ruleset as of an instant.
 */
@Command(name = "flagplane-replay", mixinStandardHelpOptions = true,
        description = {"Rebuild the projection from offset zero, verify it equals the live one, export the ruleset as of an instant.",
            "Secured clusters: the Kafka client pass-through (FLAGPLANE_KAFKA_CLIENT_*, e.g. _SECURITY_PROTOCOL, _SASL_JAAS_CONFIG)",
            "and the registry's FLAGPLANE_SCHEMA_REGISTRY_* credentials are read from the environment, as every service reads them."})
public final class ReplayCommand implements Callable<Integer> {

    @Option(names = "--bootstrap-server", defaultValue = "127.0.0.1:9092", description = "Kafka (default ${DEFAULT-VALUE})")
    String bootstrapServers;

    @Option(names = "--schema-registry", defaultValue = "http://127.0.0.1:8081", description = "registry URL (default ${DEFAULT-VALUE})")
    String registryUrl;

    @Option(names = "--topic-prefix", defaultValue = "", description = "the installation's topic prefix (default none)")
    String topicPrefix;

    @Option(names = "--live-application-id", defaultValue = "flagplane-projection",
            description = "the live projection to compare with (default ${DEFAULT-VALUE})")
    String liveApplicationId;

    @Option(names = "--no-verify", description = "rebuild (and export) without comparing with the live projection")
    boolean noVerify;

    @Option(names = "--export-as-of", description = "also export every flag and segment as of this ISO-8601 instant")
    String exportAsOf;

    @Option(names = "--export-to", defaultValue = "ruleset-export.json", description = "where the export goes (default ${DEFAULT-VALUE})")
    Path exportTo;

    @Option(names = "--threads", description = "rebuild threads, each reading its share of the partitions (default: the number of cores)")
    Integer threads;

    @Option(names = "--timeout", defaultValue = "PT30M", description = "give up after this long (ISO-8601 duration, default ${DEFAULT-VALUE})")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        Instant asOf = exportAsOf == null ? null : Instant.parse(exportAsOf);
        Path stateDir = Files.createTempDirectory("flagplane-replay");
        // the client pass-through (FLAGPLANE_KAFKA_CLIENT_*, FLAGPLANE_CONFIG) and the registry's credentials, as every process
        Settings settings = Settings.fromEnvironment().with(Map.of("kafka.bootstrap.servers", bootstrapServers,
                "schema.registry.url", registryUrl));
        KafkaClientSettings kafka = KafkaClientSettings.from(settings);
        var registry = RegistrySettings.client(RegistrySettings.from(settings));
        Replay.Options options = new Replay.Options(kafka, TopicNames.withPrefix(topicPrefix), liveApplicationId,
                stateDir, threads != null ? threads : Runtime.getRuntime().availableProcessors(), System.out);
        try (Replay replay = new Replay(options, registry)) {
            replay.rebuild(timeout);
            int status = 0;
            if (!noVerify) {
                System.out.println("comparing with the live projection " + liveApplicationId + " ...");
                Verifier.Report report = replay.verify(Duration.ofSeconds(30));
                System.out.println(report.ok() ? "VERIFIED: the rebuilt projection equals the live one (" + report.identical()
                        + " entries byte for byte)" : "MISMATCH: the rebuilt projection differs from the live one");
                status = report.ok() ? 0 : 1;
            }
            if (asOf != null) {
                Files.write(exportTo, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(replay.export(asOf)));
                System.out.println("exported the ruleset as of " + asOf + " to " + exportTo.toAbsolutePath());
            }
            return status;
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ReplayCommand()).execute(args));
    }
}
