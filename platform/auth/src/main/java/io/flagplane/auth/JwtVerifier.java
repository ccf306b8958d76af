package io.flagplane.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import io.flagplane.avro.ActorKind;
import java.io.IOException;
import java.net.MalformedURLException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a person's JWT from the organisation's identity provider and names the principal in it:
 * the signature with a key the provider publishes (JWKS, re-fetched when a token names a key not
 * seen yet, so key rotation needs no restart), only the configured asymmetric algorithms (an
 * unsigned {@code alg: none} token or a shared-secret one is refused), the exact issuer, this
 * installation among the audiences, and {@code exp}/{@code nbf} within the clock skew. The
 * subject is the actor; grants come from a roles claim and from groups mapped by a file.
 *
 * <p>The crypto and the JOSE parsing are Nimbus JOSE+JWT's, a maintained library; this class only
 * says what is accepted and turns refusals into sentences a person can act on.
 */
public final class JwtVerifier {

    private static final Logger LOG = LoggerFactory.getLogger(JwtVerifier.class);

    /** A verified token: who, with which grants, until when. */
    public record Verified(Principal principal, Instant expiresAt) {
    }

    private final IdentityProviderSettings settings;
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    public JwtVerifier(IdentityProviderSettings settings) {
        this(settings, Clock.systemUTC());
    }

    /** @param clock what "now" is when {@code exp} and {@code nbf} are checked */
    public JwtVerifier(IdentityProviderSettings settings, Clock clock) {
        this.settings = settings;
        JWKSource<SecurityContext> keys = settings.jwksUrl() != null ? fetched(settings) : new JwksFile(settings.jwksFile());
        Set<JWSAlgorithm> algorithms = settings.algorithms().stream().map(JWSAlgorithm::parse).collect(Collectors.toSet());
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(Set.of(settings.audience()),
                new JWTClaimsSet.Builder().issuer(settings.issuer()).build(), Set.of("sub", "exp"), null) {
            @Override
            protected Date currentTime() {
                return Date.from(clock.instant());
            }
        };
        claims.setMaxClockSkew((int) settings.clockSkew().toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
    }

    private static JWKSource<SecurityContext> fetched(IdentityProviderSettings settings) {
        try {
            // 2 s to connect and to read, 256 KiB at most: a slow or huge JWKS must not hold requests up
            return JWKSourceBuilder.<SecurityContext>create(settings.jwksUrl().toURL(),
                            new DefaultResourceRetriever(2_000, 2_000, 256 * 1024))
                    .rateLimited(1_000)
                    .build();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("auth.oidc.jwks.url is not a URL: " + settings.jwksUrl(), e);
        }
    }

    /** Three dot-separated parts: a JWS compact serialization, as opposed to an opaque token. */
    public static boolean looksLikeJwt(String token) {
        int first = token.indexOf('.');
        return first > 0 && token.indexOf('.', first + 1) > first + 1 && token.chars().filter(c -> c == '.').count() == 2;
    }

    /** @throws Authenticator.Unauthenticated saying why the token is refused */
    public Verified verify(String token) {
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ExpiredJWTException e) {
            throw refused("the token has expired; sign in again");
        } catch (BadJWTException e) {
            throw refused(claimProblem(e.getMessage()));
        } catch (BadJOSEException e) {
            throw refused(signatureProblem(e.getMessage()));
        } catch (ParseException e) {
            throw refused("the token is not a well-formed JWT");
        } catch (JOSEException e) {
            LOG.warn("a JWT could not be checked: {}", e.toString());
            throw refused("the token could not be checked against the identity provider's keys; retry in a moment");
        }
        String subject = claims.getSubject();
        if (subject == null || subject.isBlank() || subject.length() > 256) {
            throw refused("the token names no usable subject");
        }
        return new Verified(new Principal(subject, ActorKind.USER, grants(claims)), claims.getExpirationTime().toInstant());
    }

    /** The roles claim and the mapped groups; where both grant an environment, the higher role wins. */
    private Map<String, Role> grants(JWTClaimsSet claims) {
        Map<String, Role> grants = new HashMap<>();
        Object roles = claims.getClaim(settings.rolesClaim());
        if (roles instanceof Map<?, ?> map) {
            map.forEach((environment, role) -> IdentityProviderSettings.role(role)
                    .ifPresent(r -> grant(grants, String.valueOf(environment), r)));
        } else if (roles instanceof Collection<?> list) {
            for (Object entry : list) {
                if (entry instanceof String text && text.indexOf(':') > 0) {
                    String environment = text.substring(0, text.lastIndexOf(':'));
                    IdentityProviderSettings.role(text.substring(text.lastIndexOf(':') + 1)).ifPresent(r -> grant(grants, environment, r));
                }
            }
        }
        Object groups = claims.getClaim(settings.groupsClaim());
        if (groups instanceof Collection<?> list) {
            for (Object group : list) {
                Map<String, Role> mapped = group instanceof String name ? settings.groupGrants().get(name) : null;
                if (mapped != null) {
                    mapped.forEach((environment, role) -> grant(grants, environment, role));
                }
            }
        }
        return grants;
    }

    private static void grant(Map<String, Role> grants, String environment, Role role) {
        grants.merge(environment, role, (a, b) -> a.includes(b) ? a : b);
    }

    private String claimProblem(String message) {
        String m = message == null ? "" : message;
        if (m.contains("missing required claims")) {
            return "the token lacks a subject or an expiry";
        }
        if (m.contains("iss claim")) {
            return "the token was not issued by the identity provider this installation trusts";
        }
        if (m.contains("aud")) {
            return "the token is not meant for this installation (audience)";
        }
        if (m.contains("before use time")) {
            return "the token is not valid yet";
        }
        return "the token's claims are not accepted";
    }

    private static String signatureProblem(String message) {
        String m = message == null ? "" : message;
        if (m.contains("Unsecured") || m.contains("plain")) {
            return "the token is not signed";
        }
        if (m.contains("Invalid signature")) {
            return "the token's signature does not verify";
        }
        if (m.contains("algorithm") || m.contains("matching key")) {
            return "the token is signed with an algorithm or a key the identity provider does not publish";
        }
        return "the token is not accepted";
    }

    private static Authenticator.Unauthenticated refused(String sentence) {
        return new Authenticator.Unauthenticated(sentence, "Bearer error=\"invalid_token\", error_description=\"" + sentence + "\"");
    }

    /** A JWKS file, read again whenever it changes on disk, so rotating keys needs no restart. */
    private static final class JwksFile implements JWKSource<SecurityContext> {
        private final Path file;
        private FileTime loadedAt;
        private JWKSet keys;

        JwksFile(Path file) {
            this.file = file;
            load();
        }

        private synchronized JWKSet load() {
            try {
                FileTime modified = Files.getLastModifiedTime(file);
                if (keys == null || !modified.equals(loadedAt)) {
                    keys = JWKSet.load(file.toFile());
                    loadedAt = modified;
                }
                return keys;
            } catch (IOException | ParseException e) {
                if (keys == null) {
                    throw new IllegalArgumentException("auth.oidc.jwks.file " + file + " cannot be read as a JWKS: " + e.getMessage(), e);
                }
                LOG.warn("JWKS file {} cannot be read ({}); keeping the keys read before", file, e.toString());
                return keys;
            }
        }

        @Override
        public List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
            return selector.select(load());
        }
    }
}
