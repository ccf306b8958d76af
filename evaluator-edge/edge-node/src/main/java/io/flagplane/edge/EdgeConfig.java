package io.flagplane.edge;

import io.flagplane.contract.TopicNames;
import io.flagplane.settings.Settings;
import io.flagplane.settings.SettingsException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An edge node's configuration, validated once at start-up.
 *
 * @param environments the environments this node serves, in order; requests name one with the
 *                     {@code X-Flagplane-Environment} header, or get the first
 */
public record EdgeConfig(String host, int port, String bootstrapServers, String schemaRegistryUrl, TopicNames topics,
                         List<String> environments) {

    public static final String ENVIRONMENT_HEADER = "X-Flagplane-Environment";

    public EdgeConfig {
        if (environments.isEmpty()) {
            throw new SettingsException("edge.environments must name at least one environment");
        }
        environments = List.copyOf(new LinkedHashSet<>(environments));
    }

    public static EdgeConfig from(Settings settings) {
        return new EdgeConfig(
                settings.string("edge.host", "0.0.0.0"),
                settings.integer("edge.port", 8083, 0, 65_535),
                settings.string("kafka.bootstrap.servers", "127.0.0.1:9092"),
                settings.string("schema.registry.url", "http://127.0.0.1:8081"),
                TopicNames.withPrefix(settings.string("topic.prefix", "")),
                List.copyOf(settings.list("edge.environments", Set.of("production"))));
    }

    /** The environment a request without the header gets. */
    public String defaultEnvironment() {
        return environments.get(0);
    }
}
