package io.flagplane.command;

import io.flagplane.contract.TopicNames;
import io.flagplane.settings.Settings;
import java.time.Duration;

/** The command-service's configuration, validated once at start-up. */
public record CommandServiceConfig(String host, int port, String bootstrapServers, String schemaRegistryUrl,
                                   TopicNames topics, String transactionalId, Duration kafkaTimeout,
                                   Duration commandTimeout, Duration startupTimeout) {

    public static CommandServiceConfig from(Settings settings) {
        return new CommandServiceConfig(
                settings.string("command.host", "0.0.0.0"),
                settings.integer("command.port", 8080, 0, 65_535),
                settings.string("kafka.bootstrap.servers", "127.0.0.1:9092"),
                settings.string("schema.registry.url", "http://127.0.0.1:8081"),
                TopicNames.withPrefix(settings.string("topic.prefix", "")),
                settings.string("command.transactional.id", "flagplane-command-service"),
                settings.millis("command.kafka.timeout.ms", Duration.ofSeconds(3)),
                settings.millis("command.timeout.ms", Duration.ofSeconds(10)),
                settings.millis("command.startup.timeout.ms", Duration.ofSeconds(60)));
    }
}
