package io.flagplane.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.settings.SettingsException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How people's JWTs from the organisation's identity provider (OIDC) are checked: the
 * {@code identityProvider} section of the tokens file every service reads (so who may sign in, and
 * how, is configured in one place for all of them).
 *
 * @param issuer       the exact {@code iss} accepted
 * @param audience     the {@code aud} this installation must be named in
 * @param jwksUrl      where the provider publishes its signing keys (or null, with {@code jwksFile})
 * @param jwksFile     a JWKS file, re-read when it changes (or null, with {@code jwksUrl})
 * @param algorithms   the signature algorithms accepted; only asymmetric ones (a shared secret
 *                     would let anyone holding the public JWKS forge tokens)
 * @param rolesClaim   a claim holding grants: an object {@code {"production":"editor"}} or an
 *                     array {@code ["production:editor"]}
 * @param groupsClaim  a claim holding the person's groups, mapped to grants by {@code groupGrants}
 * @param groupGrants  group → environment → role
 * @param clockSkew    how far {@code exp} and {@code nbf} may be off
 */
public record IdentityProviderSettings(String issuer, String audience, URI jwksUrl, Path jwksFile, Set<String> algorithms,
                                       String rolesClaim, String groupsClaim, Map<String, Map<String, Role>> groupGrants,
                                       Duration clockSkew) {

    /** The algorithms accepted unless configured: the two every provider offers. */
    public static final Set<String> DEFAULT_ALGORITHMS = Set.of("RS256", "ES256");
    private static final Set<String> ASYMMETRIC = Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
            "ES256", "ES384", "ES512", "EdDSA");

    public IdentityProviderSettings {
        algorithms = Set.copyOf(algorithms);
        groupGrants = Map.copyOf(groupGrants);
    }

    /**
     * The {@code identityProvider} section of a tokens file, e.g.
     * <pre>{@code
     * "identityProvider": {
     *   "issuer": "https://idp.example.com/", "audience": "flagplane",
     *   "jwksUrl": "https://idp.example.com/.well-known/jwks.json",
     *   "algorithms": ["RS256", "ES256"], "rolesClaim": "flagplane_roles", "groupsClaim": "groups",
     *   "groups": {"flag-admins": {"*": "admin"}, "sre": {"production": "editor"}},
     *   "clockSkewSeconds": 60
     * }}</pre>
     * Every problem names {@code where} and the field. A relative {@code jwksFile} is resolved
     * against {@code baseDir} (the tokens file's directory).
     */
    static IdentityProviderSettings fromJson(JsonNode node, String where, Path baseDir) {
        if (!node.isObject()) {
            throw new SettingsException(where + " must be an object");
        }
        String issuer = text(node, "issuer", where, true);
        String audience = text(node, "audience", where, true);
        String url = text(node, "jwksUrl", where, false);
        String file = text(node, "jwksFile", where, false);
        if ((url == null) == (file == null)) {
            throw new SettingsException(where + ": set exactly one of \"jwksUrl\" and \"jwksFile\": where the identity"
                    + " provider's signing keys are");
        }
        Set<String> algorithms = new LinkedHashSet<>();
        JsonNode algs = node.get("algorithms");
        if (algs == null) {
            algorithms.addAll(DEFAULT_ALGORITHMS);
        } else if (!algs.isArray() || algs.isEmpty()) {
            throw new SettingsException(where + ": \"algorithms\" must be a non-empty array such as [\"RS256\", \"ES256\"]");
        } else {
            for (JsonNode alg : algs) {
                String name = alg.asText();
                algorithms.add(ASYMMETRIC.stream().filter(a -> a.equalsIgnoreCase(name)).findFirst().orElseThrow(() ->
                        new SettingsException(where + ": algorithm '" + name + "' is not accepted; accepted are " + ASYMMETRIC
                                + " (never a shared-secret HS algorithm, nor none)")));
            }
        }
        JsonNode skew = node.get("clockSkewSeconds");
        if (skew != null && (!skew.canConvertToInt() || skew.asInt() < 0 || skew.asInt() > 300)) {
            throw new SettingsException(where + ": \"clockSkewSeconds\" must be a whole number from 0 to 300");
        }
        JsonNode groups = node.get("groups");
        return new IdentityProviderSettings(issuer, audience, url == null ? null : uri(url, where),
                file == null ? null : baseDir.resolve(file), algorithms,
                Optional.ofNullable(text(node, "rolesClaim", where, false)).orElse("flagplane_roles"),
                Optional.ofNullable(text(node, "groupsClaim", where, false)).orElse("groups"),
                groups == null ? Map.of() : groupGrants(groups, where + ", groups"),
                Duration.ofSeconds(skew == null ? 60 : skew.asInt()));
    }

    private static String text(JsonNode node, String field, String where, boolean required) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw new SettingsException(where + ": \"" + field + "\" is required");
            }
            return null;
        }
        if (!value.isTextual() || value.textValue().isBlank()) {
            throw new SettingsException(where + ": \"" + field + "\" must be a non-empty string");
        }
        return value.textValue().strip();
    }

    private static URI uri(String text, String where) {
        try {
            URI uri = new URI(text);
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
                throw new URISyntaxException(text, "not http or https");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new SettingsException(where + ": \"jwksUrl\" is '" + text + "'; it must be an http(s) URL");
        }
    }

    /** {@code {"flag-admins": {"*": "admin"}, "sre": {"production": "editor"}}}: group → environment → role. */
    static Map<String, Map<String, Role>> groupGrants(JsonNode groups, String where) {
        if (!groups.isObject()) {
            throw new SettingsException(where + " must map groups to grants");
        }
        Map<String, Map<String, Role>> result = new LinkedHashMap<>();
        groups.fields().forEachRemaining(group -> {
            JsonNode grants = group.getValue();
            if (!grants.isObject()) {
                throw new SettingsException(where + ", group '" + group.getKey() + "': grants must map environments"
                        + " (or \"*\") to viewer, editor or admin");
            }
            Map<String, Role> roles = new LinkedHashMap<>();
            grants.fields().forEachRemaining(grant -> roles.put(grant.getKey(), Role.parse(grant.getValue().asText())
                    .orElseThrow(() -> new SettingsException(where + ", group '" + group.getKey() + "': role '"
                            + grant.getValue().asText() + "' is not viewer, editor or admin"))));
            result.put(group.getKey(), roles);
        });
        return result;
    }

    /** Lower-case role names, as people write them in claims. */
    static Optional<Role> role(Object value) {
        return value instanceof String text ? Role.parse(text.toLowerCase(Locale.ROOT)) : Optional.empty();
    }
}
