package io.flagplane.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.flagplane.avro.ActorKind;
import io.flagplane.settings.SettingsException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** People's JWTs, minted here with keys made here, checked the way a service checks them. */
class JwtVerifierTest {

    private static final String ISSUER = "https://idp.example.com/";
    private static final String AUDIENCE = "flagplane";

    private static RSAKey rsa;
    private static RSAKey otherRsa;
    private static ECKey ec;

    @TempDir
    Path dir;
    private HttpServer server;
    private final AtomicReference<String> published = new AtomicReference<>();

    @BeforeAll
    static void keys() throws Exception {
        rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        otherRsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();   // same kid, other key: a forgery
        ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private IdentityProviderSettings fileSettings(Map<String, Map<String, Role>> groups) throws Exception {
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK())).toString());
        return new IdentityProviderSettings(ISSUER, AUDIENCE, null, jwks, IdentityProviderSettings.DEFAULT_ALGORITHMS,
                "flagplane_roles", "groups", groups, Duration.ofSeconds(60));
    }

    private JwtVerifier verifier() throws Exception {
        return new JwtVerifier(fileSettings(Map.of("flag-admins", Map.of("*", Role.ADMIN), "sre", Map.of("production", Role.EDITOR))));
    }

    private static JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject("alice@example.com")
                .expirationTime(Date.from(Instant.now().plusSeconds(600))).claim("flagplane_roles", Map.of("staging", "editor"));
    }

    private static String rs256(JWTClaimsSet claims) throws Exception {
        return rs256(rsa, claims);
    }

    private static String rs256(RSAKey key, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    private static String es256(JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(ec.getKeyID()).build(), claims);
        jwt.sign(new ECDSASigner(ec));
        return jwt.serialize();
    }

    private static void refused(JwtVerifier verifier, String token, String sentence) {
        assertThatThrownBy(() -> verifier.verify(token)).isInstanceOf(Authenticator.Unauthenticated.class)
                .hasMessageContaining(sentence)
                .satisfies(e -> assertThat(((Authenticator.Unauthenticated) e).challenge()).startsWith("Bearer error=\"invalid_token\""));
    }

    @Test
    void an_rs256_token_names_a_person_with_the_grants_of_its_roles_claim() throws Exception {
        JwtVerifier.Verified verified = verifier().verify(rs256(claims().build()));

        assertThat(verified.principal()).isEqualTo(new Principal("alice@example.com", ActorKind.USER, Map.of("staging", Role.EDITOR)));
        assertThat(verified.expiresAt()).isAfter(Instant.now());
    }

    @Test
    void an_es256_token_is_accepted_too() throws Exception {
        assertThat(verifier().verify(es256(claims().build())).principal().id()).isEqualTo("alice@example.com");
    }

    @Test
    void groups_map_to_grants_and_the_higher_role_wins() throws Exception {
        String token = rs256(claims().claim("groups", List.of("sre", "unknown-group"))
                .claim("flagplane_roles", List.of("production:viewer", "staging:admin", "malformed")).build());

        assertThat(verifier().verify(token).principal().grants())
                .isEqualTo(Map.of("production", Role.EDITOR, "staging", Role.ADMIN));
    }

    @Test
    void a_token_without_grants_is_a_person_who_may_do_nothing() throws Exception {
        Principal nobody = verifier().verify(rs256(claims().claim("flagplane_roles", null).build())).principal();

        assertThat(nobody.grants()).isEmpty();
        assertThat(nobody.may(Role.VIEWER, "production")).isFalse();
    }

    @Test
    void an_expired_token_is_refused_but_the_clock_skew_is_allowed() throws Exception {
        JwtVerifier verifier = verifier();
        refused(verifier, rs256(claims().expirationTime(Date.from(Instant.now().minusSeconds(120))).build()), "expired");

        assertThat(verifier.verify(rs256(claims().expirationTime(Date.from(Instant.now().minusSeconds(30))).build()))).isNotNull();
    }

    @Test
    void a_token_from_another_issuer_or_for_another_audience_is_refused() throws Exception {
        JwtVerifier verifier = verifier();

        refused(verifier, rs256(claims().issuer("https://evil.example.com/").build()), "not issued by");
        refused(verifier, rs256(claims().audience("another-app").build()), "audience");
    }

    @Test
    void a_bad_signature_an_unsigned_token_and_a_shared_secret_token_are_refused() throws Exception {
        JwtVerifier verifier = verifier();
        String good = rs256(claims().build());
        String[] parts = good.split("\\.");
        String tampered = parts[0] + "." + rs256(claims().subject("mallory").build()).split("\\.")[1] + "." + parts[2];
        SignedJWT hs256 = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(), claims().build());
        hs256.sign(new MACSigner(new byte[32]));

        refused(verifier, rs256(otherRsa, claims().build()), "signature does not verify");
        refused(verifier, tampered, "signature does not verify");
        refused(verifier, new PlainJWT(claims().build()).serialize(), "not signed");
        refused(verifier, hs256.serialize(), "algorithm or a key");
        refused(verifier, "abc.def.ghi", "well-formed");
    }

    @Test
    void a_token_without_a_subject_or_expiry_is_refused() throws Exception {
        JwtVerifier verifier = verifier();

        refused(verifier, rs256(claims().subject(null).build()), "subject or an expiry");
        refused(verifier, rs256(claims().expirationTime(null).build()), "subject or an expiry");
    }

    @Test
    void keys_published_at_a_url_rotate_without_a_restart() throws Exception {
        RSAKey next = new RSAKeyGenerator(2048).keyID("rsa-2").generate();
        published.set(new JWKSet(rsa.toPublicJWK()).toString());
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/jwks", exchange -> {
            byte[] body = published.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        JwtVerifier verifier = new JwtVerifier(new IdentityProviderSettings(ISSUER, AUDIENCE,
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks"), null,
                IdentityProviderSettings.DEFAULT_ALGORITHMS, "flagplane_roles", "groups", Map.of(), Duration.ofSeconds(60)));
        assertThat(verifier.verify(rs256(claims().build())).principal().id()).isEqualTo("alice@example.com");

        published.set(new JWKSet(List.of(rsa.toPublicJWK(), next.toPublicJWK())).toString());
        String signedWithTheNewKey = rs256(next, claims().subject("bob@example.com").build());

        // the JWKS is fetched again when a token names an unknown key, at most once a second (never per token)
        Instant deadline = Instant.now().plusSeconds(10);
        Principal bob = null;
        while (bob == null && Instant.now().isBefore(deadline)) {
            try {
                bob = verifier.verify(signedWithTheNewKey).principal();
            } catch (Authenticator.Unauthenticated e) {
                assertThat(e).hasMessageContaining("key the identity provider does not publish");
                Thread.sleep(100);
            }
        }
        assertThat(bob).isNotNull().extracting(Principal::id).isEqualTo("bob@example.com");
    }

    @Test
    void the_authenticator_takes_jwts_and_opaque_tokens_side_by_side_and_forgets_an_expired_jwt() throws Exception {
        String serviceToken = TokenRegistry.newToken();
        TokenRegistry tokens = TokenRegistry.of(Map.of(TokenRegistry.sha256(serviceToken),
                new Principal("ci-bot", ActorKind.SERVICE_TOKEN, Map.of("staging", Role.EDITOR))));
        MutableClock clock = new MutableClock(Instant.now());
        Authenticator authenticator = Authenticator.of(tokens, new JwtVerifier(fileSettings(Map.of()), clock), clock);
        String jwt = rs256(claims().expirationTime(Date.from(Instant.now().plusSeconds(120))).build());

        assertThat(authenticator.authenticate("Bearer " + jwt, null).kind()).isEqualTo(ActorKind.USER);
        assertThat(authenticator.authenticate(null, jwt).id()).as("OFREP's X-API-Key").isEqualTo("alice@example.com");
        assertThat(authenticator.authenticate("Bearer " + serviceToken, null).kind()).isEqualTo(ActorKind.SERVICE_TOKEN);

        clock.advance(Duration.ofSeconds(300));   // past exp and the skew: the remembered answer is not used
        assertThatThrownBy(() -> authenticator.authenticate("Bearer " + jwt, null))
                .isInstanceOf(Authenticator.Unauthenticated.class).hasMessageContaining("expired");
    }

    private TokenRegistry tokensFile(String identityProvider) throws Exception {
        Path file = dir.resolve("tokens.json");
        Files.writeString(file, "{\"tokens\": [], \"identityProvider\": " + identityProvider + "}");
        return TokenRegistry.load(file);
    }

    @Test
    void the_tokens_file_names_the_identity_provider_and_every_mistake_in_it() throws Exception {
        Files.writeString(dir.resolve("keys.json"), new JWKSet(List.of(rsa.toPublicJWK())).toString());
        TokenRegistry registry = tokensFile("{\"issuer\": \"" + ISSUER + "\", \"audience\": \"flagplane\", \"jwksFile\": \"keys.json\","
                + " \"algorithms\": [\"rs256\", \"ES256\"], \"groups\": {\"sre\": {\"production\": \"editor\"}}}");
        IdentityProviderSettings idp = registry.identityProvider().orElseThrow();
        assertThat(idp.jwksFile()).as("relative to the tokens file").isEqualTo(dir.toAbsolutePath().resolve("keys.json"));
        assertThat(idp.algorithms()).containsExactlyInAnyOrder("RS256", "ES256");
        assertThat(idp.clockSkew()).isEqualTo(Duration.ofSeconds(60));
        assertThat(Authenticator.of(registry).acceptsJwts()).isTrue();
        assertThat(Authenticator.of(registry).authenticate("Bearer " + rs256(claims().claim("groups", List.of("sre")).build()), null)
                .grants()).containsEntry("production", Role.EDITOR);

        Map<String, String> mistakes = Map.of(
                "{\"audience\": \"flagplane\", \"jwksUrl\": \"https://idp/keys\"}", "\"issuer\" is required",
                "{\"issuer\": \"x\", \"audience\": \"flagplane\"}", "exactly one of",
                "{\"issuer\": \"x\", \"audience\": \"flagplane\", \"jwksUrl\": \"ftp://idp/keys\"}", "http(s) URL",
                "{\"issuer\": \"x\", \"audience\": \"flagplane\", \"jwksUrl\": \"https://idp/keys\", \"algorithms\": [\"HS256\"]}",
                "never a shared-secret",
                "{\"issuer\": \"x\", \"audience\": \"flagplane\", \"jwksUrl\": \"https://idp/keys\", \"algorithms\": [\"none\"]}",
                "never a shared-secret",
                "{\"issuer\": \"x\", \"audience\": \"flagplane\", \"jwksUrl\": \"https://idp/keys\", \"clockSkewSeconds\": 3600}",
                "clockSkewSeconds",
                "{\"issuer\": \"x\", \"audience\": \"flagplane\", \"jwksUrl\": \"https://idp/keys\", \"groups\": {\"sre\": {\"production\": \"owner\"}}}",
                "group 'sre': role 'owner'");
        mistakes.forEach((section, sentence) -> assertThatThrownBy(() -> tokensFile(section))
                .isInstanceOf(SettingsException.class).hasMessageContaining("identityProvider").hasMessageContaining(sentence));
    }

    @Test
    void only_three_part_tokens_look_like_jwts() {
        assertThat(JwtVerifier.looksLikeJwt("a.b.c")).isTrue();
        assertThat(JwtVerifier.looksLikeJwt(TokenRegistry.newToken())).isFalse();
        assertThat(JwtVerifier.looksLikeJwt("a..c")).isFalse();
        assertThat(JwtVerifier.looksLikeJwt("a.b.c.d")).isFalse();
        assertThat(JwtVerifier.looksLikeJwt(".b.c")).isFalse();
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
