package io.flagplane.auth;

import io.flagplane.avro.ActorKind;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one way every Flagplane service turns a request's credentials into a {@link Principal} and
 * checks its role, free of any HTTP framework: each API passes the header values in and maps the
 * two typed refusals ({@link Unauthenticated}, {@link Forbidden}) to its own status and body.
 *
 * <p>Two credential kinds arrive as bearer tokens (OFREP clients may send them as
 * {@code X-API-Key}): an opaque token — a service's or a person's — hashed with SHA-256 and looked
 * up in the {@link TokenRegistry}; and, when an identity provider is configured, a person's JWT,
 * checked by the {@link JwtVerifier}. Credentials seen recently are remembered (bounded), so a busy
 * evaluator hashes or verifies each one once; a remembered JWT is dropped when it expires. The
 * caches are keyed by the exact token text, so a case-flipped token is a different, unknown token.
 */
public final class Authenticator {

    private static final int MAX_REMEMBERED = 10_000;
    private static final Principal ANONYMOUS = new Principal("anonymous", ActorKind.USER,
            Map.of(Principal.ANY_ENVIRONMENT, Role.ADMIN));

    private final TokenRegistry tokens;
    private final JwtVerifier jwts;
    private final Clock clock;
    private final Map<String, Principal> remembered = new ConcurrentHashMap<>();
    private final Map<String, JwtVerifier.Verified> rememberedJwts = new ConcurrentHashMap<>();

    private Authenticator(TokenRegistry tokens, JwtVerifier jwts, Clock clock) {
        this.tokens = tokens;
        this.jwts = jwts;
        this.clock = clock;
    }

    /** Checks tokens against {@code tokens}, and people's JWTs against its identity provider if it names one. */
    public static Authenticator of(TokenRegistry tokens) {
        Objects.requireNonNull(tokens, "tokens");
        return new Authenticator(tokens, tokens.identityProvider().map(JwtVerifier::new).orElse(null), Clock.systemUTC());
    }

    /**
     * Checks opaque tokens against {@code tokens} and, when {@code jwts} is not null, people's JWTs
     * with it.
     */
    public static Authenticator of(TokenRegistry tokens, JwtVerifier jwts, Clock clock) {
        return new Authenticator(Objects.requireNonNull(tokens, "tokens"), jwts, Objects.requireNonNull(clock, "clock"));
    }

    /** Authentication off: everyone is an anonymous admin (local experiments only). */
    public static Authenticator open() {
        return new Authenticator(null, null, Clock.systemUTC());
    }

    public boolean isOpen() {
        return tokens == null;
    }

    /** Whether people may sign in with JWTs from an identity provider. */
    public boolean acceptsJwts() {
        return jwts != null;
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
        if (jwts != null && JwtVerifier.looksLikeJwt(token)) {
            return person(token);
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

    private Principal person(String token) {
        Instant now = clock.instant();
        JwtVerifier.Verified verified = rememberedJwts.get(token);
        if (verified == null || !now.isBefore(verified.expiresAt())) {
            rememberedJwts.remove(token);
            verified = jwts.verify(token);
            if (rememberedJwts.size() >= MAX_REMEMBERED) {
                rememberedJwts.clear();
            }
            rememberedJwts.put(token, verified);
        }
        return verified.principal();
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
