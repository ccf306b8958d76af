package io.flagplane.settings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Secrets referred to from a setting's value instead of written into it, in the syntax of Kafka's
 * own config providers, so that a value a Kafka user already has works unchanged:
 * <ul>
 *   <li>{@code ${file:/etc/flagplane/kafka.properties:password}} — the key {@code password} of a
 *       properties file (Kafka's {@code FileConfigProvider});</li>
 *   <li>{@code ${dir:/etc/flagplane/secrets:kafka-password}} — the whole content of the file
 *       {@code kafka-password} in a directory, as a Kubernetes Secret volume mounts it (Kafka's
 *       {@code DirectoryConfigProvider}); line breaks at its end are dropped;</li>
 *   <li>{@code ${env:KAFKA_PASSWORD}} — an environment variable (Kafka's {@code EnvVarConfigProvider}).</li>
 * </ul>
 * A reference may be the whole value or part of it
 * ({@code ...ScramLoginModule required username="edge" password="${env:KAFKA_PASSWORD}";}).
 * Flagplane resolves them itself, when the setting is read, so that they work the same for the
 * Kafka clients, the registry's credentials and every other setting, and so that a missing file
 * fails at start-up naming the setting. Any other {@code ${provider:…}} is left as it is, for a
 * Kafka config provider the client itself is given ({@code kafka.client.config.providers}).
 */
public final class SecretReferences {

    /** Kafka's ConfigTransformer pattern, for the three providers Flagplane resolves. */
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{(file|dir|env):(?:([^}]*?):)?([^}]*?)}");

    /** Reads what one reference names. */
    @FunctionalInterface
    public interface Reader {
        /**
         * @param provider {@code file}, {@code dir} or {@code env}
         * @param path     the file or directory; null for {@code env}
         * @param key      the key, the file's name, or the variable
         * @return the secret, or null when there is no such key or variable
         */
        String read(String provider, String path, String key) throws IOException;
    }

    private SecretReferences() {
    }

    /** True when {@code value} holds a reference Flagplane resolves. */
    public static boolean refersToSecret(String value) {
        return value != null && REFERENCE.matcher(value).find();
    }

    /** Reads files and directories from disk, and variables from {@code environment}. */
    public static Reader files(Map<String, String> environment) {
        return (provider, path, key) -> switch (provider) {
            case "env" -> environment.get(key);
            case "dir" -> stripLineBreaks(Files.readString(Path.of(path).resolve(key), StandardCharsets.UTF_8));
            case "file" -> {
                Properties properties = new Properties();
                try (java.io.Reader reader = Files.newBufferedReader(Path.of(path), StandardCharsets.UTF_8)) {
                    properties.load(reader);
                }
                yield properties.getProperty(key);
            }
            default -> throw new IllegalArgumentException("unknown secret provider " + provider);
        };
    }

    /**
     * {@code value} with every reference replaced by what it names.
     *
     * @throws SettingsException naming {@code setting} and the reference (never the secret) when
     *                           a reference cannot be read
     */
    public static String resolve(String value, String setting, Reader reader) {
        if (value == null || !value.contains("${")) {
            return value;
        }
        Matcher m = REFERENCE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String provider = m.group(1);
            String path = m.group(2);
            String key = m.group(3);
            if (!provider.equals("env") && (path == null || path.isBlank())) {
                throw new SettingsException(setting + " refers to " + m.group() + ", which names no "
                        + (provider.equals("dir") ? "directory" : "file") + " (${" + provider + ":<path>:<"
                        + (provider.equals("dir") ? "file" : "key") + ">})");
            }
            String secret;
            try {
                secret = reader.read(provider, path, key);
            } catch (IOException | RuntimeException e) {
                throw new SettingsException(setting + " refers to " + m.group() + ", which cannot be read: " + e);
            }
            if (secret == null) {
                throw new SettingsException(setting + " refers to " + m.group() + ", which does not exist ("
                        + switch (provider) {
                            case "env" -> "no environment variable " + key;
                            case "file" -> "no key " + key + " in " + path;
                            default -> "no file " + key + " in " + path;
                        } + ")");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(secret));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String stripLineBreaks(String text) {
        int end = text.length();
        while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
            end--;
        }
        return text.substring(0, end);
    }
}
