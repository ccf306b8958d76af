package io.flagplane.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagplane.avro.ActorKind;
import io.flagplane.settings.SettingsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The credentials every service accepts, loaded from the tokens file: service and personal tokens,
 * and optionally the identity provider whose JWTs people sign in with
 * ({@link IdentityProviderSettings#fromJson}). Only SHA-256 hashes of
 * tokens are ever configured, stored or compared; the tokens themselves (random, 256 bits) appear
 * once, when {@link #newToken()} mints one, and never in configuration, logs or events.
 *
 * <pre>{@code
 * {"tokens": [
 *   {"id": "alice@example.com", "kind": "USER", "sha256": "9f86d0...", "grants": {"*": "admin"}},
 *   {"id": "ci-pipeline", "kind": "SERVICE_TOKEN", "sha256": "2c26b4...", "grants": {"staging": "editor", "production": "viewer"}}
 * ],
 *  "identityProvider": {"issuer": "https://idp.example.com/", "audience": "flagplane", "jwksUrl": "https://...", ...}}
 * }</pre>
 */
public final class TokenRegistry {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String PREFIX = "fpt_";

    private final Map<String, Principal> byHash;
    private final IdentityProviderSettings identityProvider;

    private TokenRegistry(Map<String, Principal> byHash, IdentityProviderSettings identityProvider) {
        this.byHash = Map.copyOf(byHash);
        this.identityProvider = identityProvider;
    }

    public static TokenRegistry of(Map<String, Principal> byHash) {
        return new TokenRegistry(byHash, null);
    }

    public static TokenRegistry of(Map<String, Principal> byHash, IdentityProviderSettings identityProvider) {
        return new TokenRegistry(byHash, identityProvider);
    }

    /** The organisation's identity provider whose JWTs people may sign in with, if the file names one. */
    public Optional<IdentityProviderSettings> identityProvider() {
        return Optional.ofNullable(identityProvider);
    }

    /** Reads a tokens file; every problem names the file and the entry. */
    public static TokenRegistry load(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new SettingsException("tokens file " + file + " cannot be read: " + e.getMessage());
        }
        JsonNode tokens = root == null ? null : root.get("tokens");
        JsonNode idp = root == null ? null : root.get("identityProvider");
        if (tokens == null && idp != null) {
            tokens = JSON.createArrayNode();   // people sign in with JWTs only
        }
        if (tokens == null || !tokens.isArray()) {
            throw new SettingsException("tokens file " + file + " needs a \"tokens\" array");
        }
        Map<String, Principal> byHash = new LinkedHashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            JsonNode t = tokens.get(i);
            String where = "tokens file " + file + ", tokens[" + i + "]";
            String id = text(t, "id", where);
            String hash = text(t, "sha256", where).toLowerCase(Locale.ROOT);
            if (!hash.matches("[0-9a-f]{64}")) {
                throw new SettingsException(where + ": sha256 must be 64 hex digits (the SHA-256 of the token, never the token)");
            }
            ActorKind kind;
            try {
                kind = ActorKind.valueOf(t.path("kind").asText("USER").toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new SettingsException(where + ": kind must be USER or SERVICE_TOKEN");
            }
            Map<String, Role> grants = new HashMap<>();
            JsonNode g = t.get("grants");
            if (g == null || !g.isObject() || g.isEmpty()) {
                throw new SettingsException(where + ": grants must map environments (or \"*\") to viewer, editor or admin");
            }
            for (var it = g.fields(); it.hasNext(); ) {
                var grant = it.next();
                grants.put(grant.getKey(), Role.parse(grant.getValue().asText()).orElseThrow(() -> new SettingsException(
                        where + ": role '" + grant.getValue().asText() + "' for " + grant.getKey()
                                + " is not viewer, editor or admin")));
            }
            if (byHash.put(hash, new Principal(id, kind, grants)) != null) {
                throw new SettingsException(where + ": the same token hash is configured twice");
            }
        }
        Path dir = file.toAbsolutePath().getParent();
        return new TokenRegistry(byHash, idp == null ? null
                : IdentityProviderSettings.fromJson(idp, "tokens file " + file + ", identityProvider", dir));
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.textValue().isBlank()) {
            throw new SettingsException(where + ": \"" + field + "\" is required");
        }
        return value.textValue();
    }

    /** The principal of a presented token, if it is one of ours. */
    public Optional<Principal> authenticate(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(byHash.get(sha256(token)));
    }

    public Collection<Principal> principals() {
        return byHash.values();
    }

    public boolean isEmpty() {
        return byHash.isEmpty();
    }

    public static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    /** A new random token: 256 bits, URL-safe, recognisable by its prefix. */
    public static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The JSON entry for a tokens file: id, kind, grants and the token's hash (never the token). */
    public static String entry(String id, ActorKind kind, Map<String, Role> grants, String token) {
        var node = JSON.createObjectNode().put("id", id).put("kind", kind.name()).put("sha256", sha256(token));
        var g = node.putObject("grants");
        grants.forEach((env, role) -> g.put(env, role.name().toLowerCase(Locale.ROOT)));
        return node.toString();
    }
}
