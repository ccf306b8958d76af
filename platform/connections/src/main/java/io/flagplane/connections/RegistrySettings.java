package io.flagplane.connections;

import io.flagplane.registry.CachingSchemaRegistryClient;
import io.flagplane.registry.RegistryAccess;
import io.flagplane.registry.RestSchemaRegistryClient;
import io.flagplane.registry.SchemaRegistryClient;
import io.flagplane.settings.Settings;
import io.flagplane.settings.SettingsException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How a process reaches the schema registry, in Confluent's client property names under
 * {@code schema.registry.}: {@code schema.registry.url}, {@code schema.registry.basic.auth.user.info}
 * ({@code user:password}) or {@code schema.registry.bearer.auth.token}, and for HTTPS
 * {@code schema.registry.ssl.truststore.location} / {@code .password} / {@code .type}. Secrets may
 * be {@code ${file:…}}, {@code ${dir:…}} or {@code ${env:…}} references.
 */
public final class RegistrySettings {

    private RegistrySettings() {
    }

    /** @throws SettingsException naming the setting, for values that do not fit together */
    public static RegistryAccess from(Settings settings) {
        String url = settings.string("schema.registry.url", "http://127.0.0.1:8081");
        String userInfo = settings.string("schema.registry.basic.auth.user.info", null);
        String token = settings.string("schema.registry.bearer.auth.token", null);
        String trustStore = settings.string("schema.registry.ssl.truststore.location", null);
        String trustPassword = settings.string("schema.registry.ssl.truststore.password", null);
        String trustType = settings.string("schema.registry.ssl.truststore.type", null);
        Duration timeout = settings.millis("schema.registry.timeout.ms", RestSchemaRegistryClient.DEFAULT_TIMEOUT);
        RegistryAccess.TrustStore trust = null;
        if (trustStore != null && !trustStore.isBlank()) {
            // read when the client is made (client(...)), so that configuration can be checked where the file is not
            trust = new RegistryAccess.TrustStore(Path.of(trustStore), trustPassword, trustType);
        }
        try {
            RegistryAccess access = new RegistryAccess(url, timeout, userInfo, token, trust);
            if (url.startsWith("http://") && (access.basicAuthUserInfo() != null || access.bearerToken() != null)) {
                org.slf4j.LoggerFactory.getLogger(RegistrySettings.class).warn("schema.registry.url is plain http, and the "
                        + "registry credentials go with every request in the clear; use https");
            }
            return access;
        } catch (IllegalArgumentException e) {
            throw new SettingsException("schema.registry.basic.auth.user.info / schema.registry.bearer.auth.token: " + e.getMessage());
        }
    }

    /** A caching client for {@code access}; its trust store is read now, and a failure names the setting. */
    public static SchemaRegistryClient client(RegistryAccess access) {
        try {
            return new CachingSchemaRegistryClient(new RestSchemaRegistryClient(access));
        } catch (IllegalArgumentException e) {
            throw new SettingsException("schema.registry.url / schema.registry.ssl.truststore.*: " + e.getMessage());
        }
    }
}
