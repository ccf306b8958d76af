package io.flagplane.command;

import io.flagplane.connections.KafkaClientSettings;
import io.flagplane.connections.RegistrySettings;
import io.flagplane.contract.TopicNames;
import io.flagplane.registry.RegistryAccess;
import io.flagplane.settings.Settings;
import io.flagplane.settings.SettingsException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.Names;

/**
 * The command-service's configuration, validated once at start-up.
 *
 * @param leaderElection        wait as a standby unless elected (the default); false writes at once and fences any
 *                              other instance, for a deployment that runs exactly one
 * @param leaderSessionTimeout  how long an active instance that stopped heartbeating keeps the role; within the
 *                              brokers' {@code group.min.session.timeout.ms} (6 s unless lowered there)
 * @param kafka                 the bootstrap servers and the Kafka client pass-through ({@code kafka.client.*}: TLS, SASL)
 * @param registry              the schema registry's URL, credentials and trust store ({@code schema.registry.*})
 * @param releaseSignalInterval how often the projection evaluates guardrails ({@code command.release.signal.interval.ms});
 *                              the release controller counts a verdict for three intervals
 * @param releaseLookBack       how far back the release controller reads {@code release-signals} when it becomes the
 *                              active writer ({@code command.release.lookback.ms})
 */
public record CommandServiceConfig(String host, int port, KafkaClientSettings kafka, RegistryAccess registry,
                                   TopicNames topics, String transactionalId, Duration kafkaTimeout,
                                   Duration commandTimeout, Duration startupTimeout, boolean authEnabled,
                                   Path tokensFile, Duration idempotencyRetention, Set<String> environments,
                                   boolean leaderElection, Duration leaderSessionTimeout, Duration releaseSignalInterval,
                                   Duration releaseLookBack) {

    public CommandServiceConfig {
        if (authEnabled && tokensFile == null) {
            throw new SettingsException("command.tokens.file is required (a JSON file of token hashes and grants; mint "
                    + "tokens with flagplane-token), or set command.auth.enabled=false for an open local service");
        }
        if (idempotencyRetention.compareTo(Duration.ofHours(24)) < 0) {
            throw new SettingsException("command.idempotency.retention.ms must be at least 24 hours");
        }
        for (String environment : environments) {
            try {
                Names.checkEnvironment(environment);
            } catch (CommandException e) {
                throw new SettingsException("command.environments: " + e.getMessage());
            }
        }
        environments = Set.copyOf(environments);
        if (leaderSessionTimeout.compareTo(Duration.ofSeconds(1)) < 0 || leaderSessionTimeout.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new SettingsException("command.leader.session.timeout.ms must be between 1000 and 300000");
        }
        if (releaseSignalInterval.compareTo(Duration.ofSeconds(1)) < 0 || releaseSignalInterval.compareTo(Duration.ofHours(1)) > 0) {
            throw new SettingsException("command.release.signal.interval.ms must be between 1000 and 3600000");
        }
        if (releaseLookBack.compareTo(releaseSignalInterval.multipliedBy(3)) < 0) {
            throw new SettingsException("command.release.lookback.ms must be at least three signal intervals ("
                    + releaseSignalInterval.multipliedBy(3).toMillis() + " ms)");
        }
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public String schemaRegistryUrl() {
        return registry.url();
    }

    public static CommandServiceConfig from(Settings settings) {
        String tokens = settings.string("command.tokens.file", null);
        return new CommandServiceConfig(
                settings.string("command.host", "0.0.0.0"),
                settings.integer("command.port", 8080, 0, 65_535),
                KafkaClientSettings.from(settings),
                RegistrySettings.from(settings),
                TopicNames.withPrefix(settings.string("topic.prefix", "")),
                settings.string("command.transactional.id", "flagplane-command-service"),
                settings.millis("command.kafka.timeout.ms", Duration.ofSeconds(3)),
                settings.millis("command.timeout.ms", Duration.ofSeconds(10)),
                settings.millis("command.startup.timeout.ms", Duration.ofSeconds(60)),
                settings.bool("command.auth.enabled", true),
                tokens == null || tokens.isBlank() ? null : Path.of(tokens),
                settings.millis("command.idempotency.retention.ms", Duration.ofHours(48)),
                settings.list("command.environments", Set.of("production", "staging")),
                settings.bool("command.leader.election", true),
                settings.millis("command.leader.session.timeout.ms", Duration.ofSeconds(6)),
                settings.millis("command.release.signal.interval.ms", Duration.ofSeconds(10)),
                settings.millis("command.release.lookback.ms", Duration.ofMinutes(5)));
    }
}
