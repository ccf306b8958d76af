package io.flagplane.projection.guardrails;

import io.flagplane.settings.SecretMasking;
import io.flagplane.settings.Settings;
import io.flagplane.settings.SettingsException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * How the projection reads PROMETHEUS guardrails: the bounds of each read, and optionally the
 * credentials of the organisation's Prometheus and the servers a plan may name.
 *
 * <p>Credentials belong to one server ({@code authUrl}) and are sent only to a guardrail URL of the
 * same origin (scheme, host and port): whoever may write a rollout plan chooses its
 * {@code prometheusUrl}, and must not be able to collect the token by naming a server of their own.
 * {@link #toString()} never shows a credential.
 *
 * @param connectTimeout   bound on opening the connection
 * @param readTimeout      bound on the whole answer once connected (headers and body)
 * @param maxResponseBytes an answer larger than this is refused, unread
 * @param authUrl          the base URL the credentials belong to; null when there are none
 * @param bearerToken      sent as {@code Authorization: Bearer …} to {@code authUrl}'s origin, or null
 * @param basicUserInfo    {@code user:password} sent as basic auth to {@code authUrl}'s origin, or null
 * @param allowedOrigins   origins ({@code http://prometheus:9090}) a guardrail may name; empty: any
 */
public record PrometheusSettings(Duration connectTimeout, Duration readTimeout, int maxResponseBytes, String authUrl,
                                 String bearerToken, String basicUserInfo, Set<String> allowedOrigins) {

    public static final String PREFIX = "projection.guardrails.prometheus.";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    public static final int DEFAULT_MAX_RESPONSE_BYTES = 1 << 20;

    public PrometheusSettings {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(readTimeout, "readTimeout");
        if (connectTimeout.isZero() || connectTimeout.isNegative() || readTimeout.isZero() || readTimeout.isNegative()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (maxResponseBytes < 1) {
            throw new IllegalArgumentException("maxResponseBytes must be positive");
        }
        bearerToken = blankToNull(bearerToken);
        basicUserInfo = blankToNull(basicUserInfo);
        authUrl = blankToNull(authUrl);
        if (bearerToken != null && basicUserInfo != null) {
            throw new IllegalArgumentException("Prometheus takes basic auth or a bearer token, not both");
        }
        if (basicUserInfo != null && !basicUserInfo.contains(":")) {
            throw new IllegalArgumentException("basic auth user info is user:password; it has no ':'");
        }
        if ((bearerToken != null || basicUserInfo != null) && authUrl == null) {
            throw new IllegalArgumentException("credentials need the URL of the Prometheus they belong to");
        }
        if (authUrl != null && origin(authUrl) == null) {
            throw new IllegalArgumentException("the credentials' URL is not an absolute http(s) URL: " + authUrl);
        }
        Set<String> origins = new LinkedHashSet<>();
        for (String allowed : allowedOrigins == null ? Set.<String>of() : allowedOrigins) {
            String origin = origin(allowed);
            if (origin == null) {
                throw new IllegalArgumentException("an allowed URL is not an absolute http(s) URL: " + allowed);
            }
            origins.add(origin);
        }
        allowedOrigins = Set.copyOf(origins);
    }

    /** Two-second timeouts, a 1 MiB answer, no credentials, any server. */
    public static PrometheusSettings defaults() {
        return new PrometheusSettings(DEFAULT_TIMEOUT, DEFAULT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, null, null, null, Set.of());
    }

    public PrometheusSettings withTimeouts(Duration connect, Duration read) {
        return new PrometheusSettings(connect, read, maxResponseBytes, authUrl, bearerToken, basicUserInfo, allowedOrigins);
    }

    public PrometheusSettings withMaxResponseBytes(int bytes) {
        return new PrometheusSettings(connectTimeout, readTimeout, bytes, authUrl, bearerToken, basicUserInfo, allowedOrigins);
    }

    public PrometheusSettings withBearerToken(String url, String token) {
        return new PrometheusSettings(connectTimeout, readTimeout, maxResponseBytes, url, token, null, allowedOrigins);
    }

    public PrometheusSettings withBasicAuth(String url, String userInfo) {
        return new PrometheusSettings(connectTimeout, readTimeout, maxResponseBytes, url, null, userInfo, allowedOrigins);
    }

    public PrometheusSettings allowingOnly(Set<String> urls) {
        return new PrometheusSettings(connectTimeout, readTimeout, maxResponseBytes, authUrl, bearerToken, basicUserInfo, urls);
    }

    /**
     * {@code projection.guardrails.prometheus.connect.timeout.ms}, {@code .read.timeout.ms} (2000 each),
     * {@code .max.response.bytes} (1 MiB), {@code .auth.url} with {@code .bearer.auth.token} or
     * {@code .basic.auth.user.info} (secrets may be {@code ${file:…}} references), and
     * {@code .allowed.urls} (comma-separated; empty: any).
     *
     * @throws SettingsException naming the setting
     */
    public static PrometheusSettings from(Settings settings) {
        Duration connect = positive(settings, PREFIX + "connect.timeout.ms");
        Duration read = positive(settings, PREFIX + "read.timeout.ms");
        int maxBytes = settings.integer(PREFIX + "max.response.bytes", DEFAULT_MAX_RESPONSE_BYTES, 1024, 64 << 20);
        try {
            PrometheusSettings built = new PrometheusSettings(connect, read, maxBytes, settings.string(PREFIX + "auth.url", null),
                    settings.string(PREFIX + "bearer.auth.token", null), settings.string(PREFIX + "basic.auth.user.info", null),
                    settings.list(PREFIX + "allowed.urls", Set.of()));
            if (built.authUrl() != null && built.authUrl().toLowerCase(Locale.ROOT).startsWith("http://")) {
                org.slf4j.LoggerFactory.getLogger(PrometheusSettings.class).warn(PREFIX + "auth.url is plain http, and the "
                        + "Prometheus credentials go with every guardrail query in the clear; use https");
            }
            return built;
        } catch (IllegalArgumentException e) {
            throw new SettingsException(PREFIX + "auth.url / " + PREFIX + "bearer.auth.token / " + PREFIX
                    + "basic.auth.user.info / " + PREFIX + "allowed.urls: " + e.getMessage());
        }
    }

    private static Duration positive(Settings settings, String name) {
        Duration value = settings.millis(name, DEFAULT_TIMEOUT);
        if (value.isZero()) {
            throw new SettingsException(name + " is 0; it must be at least 1 ms");
        }
        return value;
    }

    /** The {@code Authorization} header for a request to {@code baseUrl}, or null: none is set, or it belongs to another server. */
    String authorizationFor(String baseUrl) {
        if (authUrl == null || !Objects.equals(origin(authUrl), origin(baseUrl))) {
            return null;
        }
        if (basicUserInfo != null) {
            return "Basic " + Base64.getEncoder().encodeToString(basicUserInfo.getBytes(StandardCharsets.UTF_8));
        }
        return bearerToken == null ? null : "Bearer " + bearerToken;
    }

    /** Whether a guardrail may name {@code baseUrl}. */
    boolean allows(String baseUrl) {
        return allowedOrigins.isEmpty() || allowedOrigins.contains(origin(baseUrl));
    }

    /** {@code scheme://host:port} in lower case with the scheme's default port filled in; null for anything but an absolute http(s) URL. */
    static String origin(String url) {
        try {
            URI uri = new URI(url.trim());
            String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
            if (uri.getHost() == null || !("http".equals(scheme) || "https".equals(scheme))) {
                return null;
            }
            int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(scheme) ? 443 : 80;
            return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    @Override
    public String toString() {
        return "PrometheusSettings[connectTimeout=" + connectTimeout + ", readTimeout=" + readTimeout + ", maxResponseBytes="
                + maxResponseBytes + ", authUrl=" + authUrl + ", bearerToken=" + SecretMasking.mask("token", bearerToken)
                + ", basicUserInfo=" + SecretMasking.mask("user.info", basicUserInfo) + ", allowedOrigins=" + allowedOrigins + "]";
    }
}
