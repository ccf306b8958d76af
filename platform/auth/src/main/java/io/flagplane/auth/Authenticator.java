package io.flagplane.auth;

import io.flagplane.avro.ActorKind;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one way every Flagplane service turns a request's credentials into a {@link Principal} and
 * checks its role, free of any HTTP framework: each API passes the header values in and maps the
 * two typed refusals ({@link Unauthenticated}, {@link Forbidden}) to its own status and body.
 *
 * <p>Today's credential is a bearer token (hashed with SHA-256 and looked up in the
 * {@link TokenRegistry}); OFREP clients may send it as {@code X-API-Key}. A second credential kind
 * (JWTs from an identity provider) joins as another branch of {@link #authenticate}. Tokens seen
 * recently are remembered (bounded), so a busy evaluator hashes each token once; the cache is keyed
 * by the exact token text, so a case-flipped token is a different, unknown token.
 */
public final class Authenticator {

    private static final int MAX_REMEMBERED = 10_000;
    private static final Principal ANONYMOUS = new Principal("anonymous", ActorKind.USER,
            Map.of(Principal.ANY_ENVIRONMENT, Role.ADMIN));

    private final TokenRegistry tokens;
    private final Map<String, Principal> remembered = new ConcurrentHashMap<>();

    private Authenticator(TokenRegistry tokens) {
        this.tokens = tokens;
    }

    /** Checks tokens against {@code tokens}. */
    public static Authenticator of(TokenRegistry tokens) {
        return new Authenticator(java.util.Objects.requireNonNull(tokens, "tokens"));
    }

    /** Authentication off: everyone is an anonymous admin (local experiments only). */
    public static Authenticator open() {
        return new Authenticator(null);
    }

    public boolean isOpen() {
        return tokens == null;
    }

    /** The registry behind it, or null when open. */
    public TokenRegistry tokens() {
        return tokens;
    }

    /** A request without credentials, or with credentials that are not valid. */
    public static final class Unauthenticated extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String challenge;

        Unauthenticated(String message, String challenge) {
            super(message, null, false, false);
            this.challenge = challenge;
        }

        /** The value for a {@code WWW-Authenticate} header. */
        public String challenge() {
            return challenge;
        }
    }

    /** Valid credentials whose role does not reach what the request needs. */
    public static final class Forbidden extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Forbidden(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The principal of a request.
     *
     * @param authorization the {@code Authorization} header, or null
     * @param apiKey        the {@code X-API-Key} header where the API accepts it (OFREP), else null
     * @throws Unauthenticated when no credential is given or it is not valid
     */
    public Principal authenticate(String authorization, String apiKey) {
        if (tokens == null) {
            return ANONYMOUS;
        }
        String token = null;
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = authorization.substring(7).strip();
        } else if (apiKey != null && !apiKey.isBlank()) {
            token = apiKey.strip();
        }
        if (token == null || token.isEmpty()) {
            throw new Unauthenticated("send an API token: Authorization: Bearer <token>"
                    + (apiKey == null ? "" : " (or X-API-Key)"), "Bearer");
        }
        Principal principal = remembered.get(token);
        if (principal == null) {
            principal = tokens.authenticate(token).orElseThrow(() ->
                    new Unauthenticated("the API token is not valid", "Bearer error=\"invalid_token\""));
            if (remembered.size() >= MAX_REMEMBERED) {
                remembered.clear();
            }
            remembered.put(token, principal);
        }
        return principal;
    }

    /** @throws Forbidden unless {@code principal} has at least {@code role} in {@code environment} */
    public static void require(Principal principal, Role role, String environment) {
        if (!principal.may(role, environment)) {
            throw new Forbidden("token '" + principal.id() + "' is "
                    + principal.roleIn(environment).map(r -> r.name().toLowerCase(Locale.ROOT)).orElse("not granted anything")
                    + " in environment '" + environment + "'; this needs " + role.name().toLowerCase(Locale.ROOT));
        }
    }

    /** @throws Forbidden unless {@code principal} is an admin somewhere */
    public static void requireAdminAnywhere(Principal principal, String what) {
        if (!principal.isAdminAnywhere()) {
            throw new Forbidden(what + " needs the admin role");
        }
    }
}
