package io.flagplane.registry.server;

import io.flagplane.connections.KafkaClientSettings;
import io.flagplane.contract.Topics;
import io.flagplane.provisioning.ProvisioningSettings;
import io.flagplane.settings.Settings;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * {@code bin/flagplane registry}: the embedded schema registry as its own process, configured
 * through {@link Settings} ({@code registry.port}, {@code kafka.bootstrap.servers}, …). On a
 * three-broker cluster give its topic {@code registry.replication.factor=3} and
 * {@code registry.min.insync.replicas=2}, like the flag topics. With {@code registry.auth.basic.user.info}
 * ({@code user:password}, comma-separated) or {@code registry.auth.bearer.tokens} set, every request must carry
 * one of those credentials (give them as {@code ${file:…}}/{@code ${dir:…}}/{@code ${env:…}} references);
 * with {@code registry.ssl.keystore.location} it serves HTTPS ({@link RegistryTls}).
 */
public final class SchemaRegistryCommand {

    private SchemaRegistryCommand() {
    }

    public static SchemaRegistryServer.Settings settings(Settings settings) {
        int replication = settings.integer("registry.replication.factor", 1, 1, 32);
        int minIsr = settings.integer("registry.min.insync.replicas", 1, 1, replication);
        return new SchemaRegistryServer.Settings(
                KafkaClientSettings.from(settings),
                settings.string("registry.topic", Topics.SCHEMAS),
                settings.string("registry.host", "0.0.0.0"),
                settings.integer("registry.port", 8081, 0, 65_535),
                new ProvisioningSettings(1, (short) replication, minIsr),
                settings.millis("registry.kafka.timeout.ms", Duration.ofSeconds(5)),
                List.copyOf(settings.list("registry.auth.basic.user.info", Set.of())),
                List.copyOf(settings.list("registry.auth.bearer.tokens", Set.of())),
                tls(settings));
    }

    /** {@code registry.ssl.keystore.location} (and {@code .password}, {@code .type}): HTTPS; none, HTTP. */
    static RegistryTls tls(Settings settings) {
        String keystore = settings.string("registry.ssl.keystore.location", null);
        if (keystore == null || keystore.isBlank()) {
            return null;
        }
        return new RegistryTls(java.nio.file.Path.of(keystore), settings.required("registry.ssl.keystore.password"),
                settings.string("registry.ssl.keystore.type", "PKCS12"));
    }

    public static void main(String[] args) {
        SchemaRegistryServer server = SchemaRegistryServer.start(settings(Settings.fromEnvironment()));
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "registry-shutdown"));
    }
}
