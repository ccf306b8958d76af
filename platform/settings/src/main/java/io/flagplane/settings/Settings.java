package io.flagplane.settings;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * How every Flagplane process reads its configuration, in one place. A setting named
 * {@code kafka.bootstrap.servers} is looked up, first match wins, in:
 * <ol>
 *   <li>explicit overrides (the local stack and tests pass these);</li>
 *   <li>the environment variable {@code FLAGPLANE_KAFKA_BOOTSTRAP_SERVERS};</li>
 *   <li>the properties file named by {@code FLAGPLANE_CONFIG}, if set;</li>
 *   <li>the default the caller gives.</li>
 * </ol>
 * A value that does not parse fails with a {@link SettingsException} naming the setting and
 * where its value came from. Services turn this into one immutable config record at start-up.
 *
 * <p>Any value may refer to secrets kept elsewhere, in Kafka's config-provider syntax, resolved
 * when the setting is read (see {@link SecretReferences}): {@code ${file:/path/to/file.properties:key}},
 * {@code ${dir:/path/to/dir:file}} (a Kubernetes Secret volume) and {@code ${env:NAME}}. A group of
 * settings under one prefix (the Kafka client pass-through, {@code kafka.client.*}) is read with
 * {@link #prefixed(String)}.
 */
public final class Settings {

    private final Map<String, String> overrides;
    private final Map<String, String> environment;
    private final Properties file;
    private final String fileName;
    /** Every name looked up, through this instance and its copies. */
    private final Set<String> asked;
    private final SecretReferences.Reader secrets;

    private Settings(Map<String, String> overrides, Map<String, String> environment, Properties file, String fileName,
                     Set<String> asked, SecretReferences.Reader secrets) {
        this.overrides = Map.copyOf(overrides);
        this.environment = Map.copyOf(environment);
        this.file = file;
        this.fileName = fileName;
        this.asked = asked;
        this.secrets = secrets;
    }

    /** Settings from the process environment (and its {@code FLAGPLANE_CONFIG} file). */
    public static Settings fromEnvironment() {
        return load(System.getenv(), Map.of());
    }

    public static Settings load(Map<String, String> environment, Map<String, String> overrides) {
        Properties file = new Properties();
        String fileName = environment.get("FLAGPLANE_CONFIG");
        if (fileName != null && !fileName.isBlank()) {
            try (Reader reader = Files.newBufferedReader(Path.of(fileName), StandardCharsets.UTF_8)) {
                file.load(reader);
            } catch (IOException e) {
                throw new SettingsException("FLAGPLANE_CONFIG names " + fileName + ", which cannot be read: " + e.getMessage());
            }
        }
        return new Settings(overrides, environment, file, fileName, ConcurrentHashMap.newKeySet(),
                SecretReferences.files(environment));
    }

    /** Only the given values and the callers' defaults; for tests and embedded use. */
    public static Settings of(Map<String, String> values) {
        return new Settings(values, Map.of(), new Properties(), null, ConcurrentHashMap.newKeySet(),
                SecretReferences.files(Map.of()));
    }

    /** A copy where {@code extra} overrides everything else. */
    public Settings with(Map<String, String> extra) {
        Map<String, String> merged = new HashMap<>(overrides);
        merged.putAll(extra);
        return new Settings(merged, environment, file, fileName, asked, secrets);
    }

    /**
     * A copy that reads secret references with {@code reader} instead of from files and the
     * environment: for a check of deployment files, whose secrets exist only where they run.
     */
    public Settings readingSecretsWith(SecretReferences.Reader reader) {
        return new Settings(overrides, environment, file, fileName, asked, reader);
    }

    public static String environmentVariable(String name) {
        return "FLAGPLANE_" + name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private record Found(String value, String source) {
    }

    /**
     * The names of every setting looked up so far, through this instance and its copies: after a
     * service has built its config, the settings it reads. Lets a test hold deployment files to
     * passing only real settings.
     */
    public Set<String> asked() {
        return Set.copyOf(asked);
    }

    private Found find(String name) {
        asked.add(name);
        Found raw = findRaw(name);
        return raw == null ? null : new Found(SecretReferences.resolve(raw.value(), name, secrets), raw.source());
    }

    private Found findRaw(String name) {
        if (overrides.containsKey(name)) {
            return new Found(overrides.get(name), "the override " + name);
        }
        String variable = environmentVariable(name);
        if (environment.containsKey(variable)) {
            return new Found(environment.get(variable), "the environment variable " + variable);
        }
        if (file.containsKey(name)) {
            return new Found(file.getProperty(name), name + " in " + fileName);
        }
        return null;
    }

    /**
     * Every setting whose name starts with {@code prefix} (which ends with a dot), by the rest of
     * its name, each value resolved as {@link #string} resolves it; the same order of sources
     * holds for each name. From the environment, {@code FLAGPLANE_KAFKA_CLIENT_SASL_JAAS_CONFIG}
     * is {@code kafka.client.sasl.jaas.config}: underscores after the prefix become dots, so a
     * name with {@code _} or {@code -} in it can only come from an override or the file. Each name
     * found counts as {@linkplain #asked() asked for}.
     */
    public Map<String, String> prefixed(String prefix) {
        if (!prefix.endsWith(".")) {
            throw new IllegalArgumentException("a settings prefix ends with a dot: " + prefix);
        }
        Set<String> names = new java.util.TreeSet<>();
        overrides.keySet().stream().filter(n -> n.startsWith(prefix)).forEach(names::add);
        file.stringPropertyNames().stream().filter(n -> n.startsWith(prefix)).forEach(names::add);
        String variablePrefix = environmentVariable(prefix);
        environment.keySet().stream()
                .filter(v -> v.startsWith(variablePrefix) && v.length() > variablePrefix.length())
                .forEach(v -> names.add(prefix + v.substring(variablePrefix.length()).toLowerCase(Locale.ROOT).replace('_', '.')));
        Map<String, String> values = new java.util.TreeMap<>();
        for (String name : names) {
            Found found = find(name);
            if (found != null && name.length() > prefix.length()) {
                values.put(name.substring(prefix.length()), found.value().trim());
            }
        }
        return values;
    }

    public String string(String name, String defaultValue) {
        Found found = find(name);
        return found == null ? defaultValue : found.value().trim();
    }

    public String required(String name) {
        String value = string(name, null);
        if (value == null || value.isEmpty()) {
            throw new SettingsException("setting " + name + " is required (set " + environmentVariable(name) + ")");
        }
        return value;
    }

    public int integer(String name, int defaultValue, int min, int max) {
        Found found = find(name);
        if (found == null) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(found.value().trim());
            if (value < min || value > max) {
                throw new SettingsException(found.source() + " is " + value + "; it must be between " + min + " and " + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new SettingsException(found.source() + " is '" + found.value() + "'; it must be a whole number");
        }
    }

    public boolean bool(String name, boolean defaultValue) {
        Found found = find(name);
        if (found == null) {
            return defaultValue;
        }
        String v = found.value().trim().toLowerCase(Locale.ROOT);
        if (v.equals("true") || v.equals("false")) {
            return Boolean.parseBoolean(v);
        }
        throw new SettingsException(found.source() + " is '" + found.value() + "'; it must be true or false");
    }

    public Duration millis(String name, Duration defaultValue) {
        Found found = find(name);
        if (found == null) {
            return defaultValue;
        }
        try {
            long ms = Long.parseLong(found.value().trim());
            if (ms < 0) {
                throw new SettingsException(found.source() + " is " + ms + "; it must not be negative");
            }
            return Duration.ofMillis(ms);
        } catch (NumberFormatException e) {
            throw new SettingsException(found.source() + " is '" + found.value() + "'; it must be a number of milliseconds");
        }
    }

    /** A comma-separated list; blanks are dropped. */
    public Set<String> list(String name, Set<String> defaultValue) {
        Found found = find(name);
        if (found == null) {
            return defaultValue;
        }
        return Arrays.stream(found.value().split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }
}
