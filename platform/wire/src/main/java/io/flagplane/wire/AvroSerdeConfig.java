package io.flagplane.wire;

import io.flagplane.registry.CachingSchemaRegistryClient;
import io.flagplane.registry.RestSchemaRegistryClient;
import io.flagplane.registry.SchemaRegistryClient;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * Settings of the Avro serdes when Kafka builds them by class name from client properties.
 * The names follow Confluent's serializers so that existing configurations carry over.
 */
public record AvroSerdeConfig(String registryUrl, boolean autoRegister, String basicAuthUserInfo,
                              Duration requestTimeout, String readerClass) {

    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    public static final String REQUEST_TIMEOUT_MS = "schema.registry.request.timeout.ms";
    /** The generated class a deserializer reads into (its schema is the reader's schema). */
    public static final String READER_CLASS = "flagplane.avro.reader.class";

    public static AvroSerdeConfig from(Map<String, ?> configs) {
        Object url = configs.get(SCHEMA_REGISTRY_URL);
        if (url == null || url.toString().isBlank()) {
            throw new ConfigException(SCHEMA_REGISTRY_URL, url, "the Avro serdes need a schema registry URL");
        }
        return new AvroSerdeConfig(
                url.toString(),
                bool(configs, AUTO_REGISTER_SCHEMAS, true),
                configs.get(BASIC_AUTH_USER_INFO) == null ? null : configs.get(BASIC_AUTH_USER_INFO).toString(),
                Duration.ofMillis(longValue(configs, REQUEST_TIMEOUT_MS, 5_000)),
                configs.get(READER_CLASS) == null ? null : configs.get(READER_CLASS).toString());
    }

    /** A caching REST client for these settings. */
    public SchemaRegistryClient client() {
        return new CachingSchemaRegistryClient(new RestSchemaRegistryClient(registryUrl, requestTimeout, basicAuthUserInfo));
    }

    private static boolean bool(Map<String, ?> configs, String name, boolean fallback) {
        Object v = configs.get(name);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        String s = v.toString().trim();
        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(s);
        }
        throw new ConfigException(name, v, "expected true or false");
    }

    private static long longValue(Map<String, ?> configs, String name, long fallback) {
        Object v = configs.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            long parsed = v instanceof Number n ? n.longValue() : Long.parseLong(v.toString().trim());
            if (parsed <= 0) {
                throw new ConfigException(name, v, "expected a positive number of milliseconds");
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new ConfigException(name, v, "expected a number of milliseconds");
        }
    }
}
