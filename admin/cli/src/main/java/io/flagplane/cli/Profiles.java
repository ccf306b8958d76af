package io.flagplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The CLI's config file: named profiles of service URLs, a token (or a file holding one) and a
 * default environment, and which profile is current. JSON at {@code $FLAGPLANE_CLI_CONFIG}, else
 * {@code ${XDG_CONFIG_HOME:-~/.config}/flagplane/cli.json}:
 * <pre>{"current": "local", "profiles": {"local": {"commandUrl": "http://localhost:8080", …}}}</pre>
 */
public final class Profiles {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One profile; every field may be null (then the next source decides). */
    public record Profile(String commandUrl, String projectionUrl, String edgeUrl, String token, String tokenFile,
                          String environment) {
        static Profile from(JsonNode node) {
            return new Profile(text(node, "commandUrl"), text(node, "projectionUrl"), text(node, "edgeUrl"), text(node, "token"),
                    text(node, "tokenFile"), text(node, "environment"));
        }

        ObjectNode toJson() {
            ObjectNode out = JSON.createObjectNode();
            putIf(out, "commandUrl", commandUrl);
            putIf(out, "projectionUrl", projectionUrl);
            putIf(out, "edgeUrl", edgeUrl);
            putIf(out, "token", token);
            putIf(out, "tokenFile", tokenFile);
            putIf(out, "environment", environment);
            return out;
        }

        private static void putIf(ObjectNode out, String name, String value) {
            if (value != null) {
                out.put(name, value);
            }
        }

        private static String text(JsonNode node, String name) {
            JsonNode value = node.get(name);
            return value == null || value.isNull() ? null : value.asText();
        }
    }

    private final Path file;
    private String current;
    private final Map<String, Profile> profiles;

    private Profiles(Path file, String current, Map<String, Profile> profiles) {
        this.file = file;
        this.current = current;
        this.profiles = profiles;
    }

    /** Where the config file is for this environment. */
    public static Path location(Map<String, String> env) {
        String explicit = env.get("FLAGPLANE_CLI_CONFIG");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".config");
        return base.resolve("flagplane").resolve("cli.json");
    }

    /** The file's profiles; none when it does not exist. A file that is not valid JSON is a usage error naming it. */
    public static Profiles load(Path file) {
        Map<String, Profile> profiles = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return new Profiles(file, null, profiles);
        }
        try {
            JsonNode root = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
            if (root == null || !root.isObject()) {
                throw CliException.usage("the CLI config " + file + " is not a JSON object");
            }
            JsonNode list = root.path("profiles");
            for (Iterator<Map.Entry<String, JsonNode>> it = list.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                profiles.put(entry.getKey(), Profile.from(entry.getValue()));
            }
            JsonNode current = root.get("current");
            return new Profiles(file, current == null || current.isNull() ? null : current.asText(), profiles);
        } catch (IOException e) {
            throw CliException.usage("the CLI config " + file + " cannot be read: " + e.getMessage());
        }
    }

    public Path file() {
        return file;
    }

    public String current() {
        return current;
    }

    public Map<String, Profile> all() {
        return Map.copyOf(profiles);
    }

    public Profile get(String name) {
        return profiles.get(name);
    }

    public Map<String, Profile> ordered() {
        return new LinkedHashMap<>(profiles);
    }

    public void put(String name, Profile profile) {
        profiles.put(name, profile);
        if (current == null) {
            current = name;
        }
    }

    public boolean remove(String name) {
        boolean removed = profiles.remove(name) != null;
        if (name.equals(current)) {
            current = null;
        }
        return removed;
    }

    public void use(String name) {
        if (!profiles.containsKey(name)) {
            throw CliException.usage("no profile named '" + name + "' in " + file + " (profiles: " + profiles.keySet() + ")");
        }
        current = name;
    }

    /** Writes the file, owner-only (it may hold tokens). */
    public void save() {
        ObjectNode root = JSON.createObjectNode();
        if (current != null) {
            root.put("current", current);
        }
        ObjectNode list = root.putObject("profiles");
        profiles.forEach((name, profile) -> list.set(name, profile.toJson()));
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, JSON.writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            }
        } catch (IOException e) {
            throw new CliException(ExitCode.USAGE, "cannot write the CLI config " + file + ": " + e.getMessage(), e);
        }
    }
}
