package io.flagplane.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the CLI talks to and as whom, resolved once per run. Each value comes from, first match
 * wins: the command line option; the environment variable ({@code FLAGPLANE_CLI_*} — the
 * services read {@code FLAGPLANE_<SETTING>} and no setting is named {@code cli.*}, so these can
 * never be mistaken for a service's settings); the profile ({@code --profile},
 * {@code FLAGPLANE_CLI_PROFILE}, else the config file's current one); the local stack's defaults.
 * With no token anywhere, {@code .flagplane/admin-token} in the working directory is used if it
 * exists (the local stack writes it).
 */
public record Connection(String commandUrl, String projectionUrl, String edgeUrl, String token, String tokenSource,
                         String environment, String profile) {

    public static final String DEFAULT_COMMAND = "http://localhost:8080";
    public static final String DEFAULT_PROJECTION = "http://localhost:8082";
    public static final String DEFAULT_EDGE = "http://localhost:8083";
    public static final String DEFAULT_ENVIRONMENT = "production";
    public static final String LOCAL_TOKEN_FILE = ".flagplane/admin-token";

    /** What the command line said (null: not given). */
    public record Options(String profile, String commandUrl, String projectionUrl, String edgeUrl, String token,
                          String tokenFile, String environment) {
    }

    public static Connection resolve(Options options, Map<String, String> env, Path workingDir) {
        Profiles profiles = Profiles.load(Profiles.location(env));
        String profileName = first(options.profile(), env.get("FLAGPLANE_CLI_PROFILE"), profiles.current());
        Profiles.Profile profile = profileName == null ? null : profiles.get(profileName);
        if (profileName != null && profile == null && (options.profile() != null || env.get("FLAGPLANE_CLI_PROFILE") != null)) {
            throw CliException.usage("no profile named '" + profileName + "' in " + profiles.file()
                    + (profiles.all().isEmpty() ? " (it has none: add one with flagplane profile add)" : " (profiles: "
                    + profiles.ordered().keySet() + ")"));
        }
        Profiles.Profile p = profile == null ? new Profiles.Profile(null, null, null, null, null, null) : profile;
        String command = trim(first(options.commandUrl(), env.get("FLAGPLANE_CLI_COMMAND_URL"), p.commandUrl(), DEFAULT_COMMAND));
        String projection = trim(first(options.projectionUrl(), env.get("FLAGPLANE_CLI_PROJECTION_URL"), p.projectionUrl(),
                DEFAULT_PROJECTION));
        String edge = trim(first(options.edgeUrl(), env.get("FLAGPLANE_CLI_EDGE_URL"), p.edgeUrl(), DEFAULT_EDGE));
        String environment = first(options.environment(), env.get("FLAGPLANE_CLI_ENVIRONMENT"), p.environment(),
                DEFAULT_ENVIRONMENT);

        String token;
        String source;
        if (options.token() != null) {
            token = options.token();
            source = "--token";
        } else if (options.tokenFile() != null) {
            token = read(workingDir.resolve(options.tokenFile()), "--token-file");
            source = "--token-file " + options.tokenFile();
        } else if (env.get("FLAGPLANE_CLI_TOKEN") != null) {
            token = env.get("FLAGPLANE_CLI_TOKEN");
            source = "FLAGPLANE_CLI_TOKEN";
        } else if (env.get("FLAGPLANE_CLI_TOKEN_FILE") != null) {
            token = read(workingDir.resolve(env.get("FLAGPLANE_CLI_TOKEN_FILE")), "FLAGPLANE_CLI_TOKEN_FILE");
            source = "FLAGPLANE_CLI_TOKEN_FILE";
        } else if (p.token() != null) {
            token = p.token();
            source = "profile " + profileName;
        } else if (p.tokenFile() != null) {
            token = read(workingDir.resolve(expandHome(p.tokenFile(), env)), "the tokenFile of profile " + profileName);
            source = "profile " + profileName + " (" + p.tokenFile() + ")";
        } else if (Files.isRegularFile(workingDir.resolve(LOCAL_TOKEN_FILE))) {
            token = read(workingDir.resolve(LOCAL_TOKEN_FILE), LOCAL_TOKEN_FILE);
            source = LOCAL_TOKEN_FILE;
        } else {
            token = null;
            source = "none";
        }
        return new Connection(command, projection, edge, token == null ? null : token.trim(), source, environment, profileName);
    }

    private static String expandHome(String path, Map<String, String> env) {
        return path.startsWith("~/") ? env.getOrDefault("HOME", System.getProperty("user.home")) + path.substring(1) : path;
    }

    private static String read(Path file, String from) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw CliException.usage(from + " names " + file + ", which cannot be read: " + e.getMessage());
        }
    }

    private static String trim(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    @SafeVarargs
    private static <T> T first(T... values) {
        for (T value : values) {
            if (value != null && !(value instanceof String s && s.isBlank())) {
                return value;
            }
        }
        return null;
    }
}
