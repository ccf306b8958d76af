package io.flagplane.console;

import io.flagplane.settings.Settings;
import io.flagplane.settings.SettingsException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The console's configuration, validated once at start-up ({@code console.*}; as environment
 * variables {@code FLAGPLANE_CONSOLE_*}).
 *
 * @param host          the address the console listens on
 * @param port          its port (0: any free port)
 * @param commandUrl    the command-service's base URL, e.g. {@code http://127.0.0.1:8080}
 * @param projectionUrl the projection-service's base URL
 * @param edgeUrl       an edge node's base URL
 */
public record ConsoleConfig(String host, int port, URI commandUrl, URI projectionUrl, URI edgeUrl) {

    public static final int DEFAULT_PORT = 8084;

    public ConsoleConfig {
        if (host == null || host.isBlank()) {
            throw new SettingsException("console.host must name an address to listen on");
        }
        if (port < 0 || port > 65535) {
            throw new SettingsException("console.port must be between 0 and 65535, not " + port);
        }
        commandUrl = base("console.command.url", commandUrl);
        projectionUrl = base("console.projection.url", projectionUrl);
        edgeUrl = base("console.edge.url", edgeUrl);
    }

    public static ConsoleConfig from(Settings settings) {
        return new ConsoleConfig(settings.string("console.host", "127.0.0.1"),
                settings.integer("console.port", DEFAULT_PORT, 0, 65535),
                parse("console.command.url", settings.string("console.command.url", "http://127.0.0.1:8080")),
                parse("console.projection.url", settings.string("console.projection.url", "http://127.0.0.1:8082")),
                parse("console.edge.url", settings.string("console.edge.url", "http://127.0.0.1:8083")));
    }

    /** The three services by the name the console's URLs use: {@code /upstream/<name>/...}. */
    public Map<String, URI> services() {
        Map<String, URI> services = new LinkedHashMap<>();
        services.put("command", commandUrl);
        services.put("projection", projectionUrl);
        services.put("edge", edgeUrl);
        return services;
    }

    private static URI parse(String name, String value) {
        try {
            return new URI(value.trim());
        } catch (URISyntaxException e) {
            throw new SettingsException(name + " must be an http(s) URL such as http://127.0.0.1:8080, not '" + value + "'");
        }
    }

    private static URI base(String name, URI url) {
        if (url == null) {
            throw new SettingsException(name + " is required");
        }
        String scheme = url.getScheme();
        if (!("http".equals(scheme) || "https".equals(scheme)) || url.getHost() == null || url.getRawQuery() != null
                || url.getRawFragment() != null || url.getRawUserInfo() != null) {
            throw new SettingsException(name + " must be an http(s) URL with a host and no query, fragment or credentials, "
                    + "such as http://127.0.0.1:8080, not '" + url + "'");
        }
        String text = url.toString();
        return URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    }
}
