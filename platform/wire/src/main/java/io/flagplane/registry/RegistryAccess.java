package io.flagplane.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How to reach a schema registry: its URL, the bound on each call, the credentials sent with every
 * request (HTTP basic auth in Confluent's {@code basic.auth.user.info} form, {@code user:password},
 * or a bearer token), and for HTTPS the certificates to trust beyond the JVM's own (a trust store
 * in PKCS12, JKS or PEM). {@link #toString()} never shows a credential.
 *
 * @param basicAuthUserInfo {@code user:password}, or null
 * @param bearerToken       a token sent as {@code Authorization: Bearer …}, or null; not with basic auth
 * @param trustStore        certificates to trust for HTTPS, or null for the JVM's default trust
 */
public record RegistryAccess(String url, Duration timeout, String basicAuthUserInfo, String bearerToken,
                             TrustStore trustStore) {

    /** A trust store file; {@code type} PKCS12, JKS or PEM (null: from the file's contents). */
    public record TrustStore(Path location, String password, String type) {
        public TrustStore {
            Objects.requireNonNull(location, "location");
        }

        @Override
        public String toString() {
            return "TrustStore[" + location + (type == null ? "" : ", " + type) + "]";
        }
    }

    public RegistryAccess {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(timeout, "timeout");
        basicAuthUserInfo = blankToNull(basicAuthUserInfo);
        bearerToken = blankToNull(bearerToken);
        if (basicAuthUserInfo != null && bearerToken != null) {
            throw new IllegalArgumentException("the schema registry takes basic auth or a bearer token, not both");
        }
        if (basicAuthUserInfo != null && !basicAuthUserInfo.contains(":")) {
            throw new IllegalArgumentException("basic auth user info is user:password; it has no ':'");
        }
    }

    /** A registry that needs no credentials, with the default timeout. */
    public static RegistryAccess of(String url) {
        return new RegistryAccess(url, RestSchemaRegistryClient.DEFAULT_TIMEOUT, null, null, null);
    }

    public RegistryAccess withBasicAuth(String userInfo) {
        return new RegistryAccess(url, timeout, userInfo, null, trustStore);
    }

    public RegistryAccess withBearerToken(String token) {
        return new RegistryAccess(url, timeout, null, token, trustStore);
    }

    public RegistryAccess withTrustStore(TrustStore store) {
        return new RegistryAccess(url, timeout, basicAuthUserInfo, bearerToken, store);
    }

    /** The {@code Authorization} header every request carries, or null. */
    String authorization() {
        if (basicAuthUserInfo != null) {
            return "Basic " + Base64.getEncoder().encodeToString(basicAuthUserInfo.getBytes(StandardCharsets.UTF_8));
        }
        return bearerToken == null ? null : "Bearer " + bearerToken;
    }

    /** What credential is sent, for a log line: the user name at most. */
    public String credentialKind() {
        if (basicAuthUserInfo != null) {
            return "basic auth as " + basicAuthUserInfo.substring(0, basicAuthUserInfo.indexOf(':'));
        }
        return bearerToken != null ? "a bearer token" : "no credentials";
    }

    /**
     * The TLS context trusting {@link #trustStore()}, or null for the JVM's default.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read as a trust store
     */
    SSLContext sslContext() {
        if (trustStore == null) {
            return null;
        }
        try {
            KeyStore keys = load(trustStore);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(keys);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("the schema registry trust store " + trustStore.location()
                    + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static KeyStore load(TrustStore store) throws IOException, GeneralSecurityException {
        char[] password = store.password() == null ? null : store.password().toCharArray();
        String type = store.type() == null ? null : store.type().trim().toUpperCase(Locale.ROOT);
        if ("PEM".equals(type) || type == null && Files.readString(store.location(), StandardCharsets.ISO_8859_1)
                .contains("-----BEGIN CERTIFICATE-----")) {
            KeyStore keys = KeyStore.getInstance(KeyStore.getDefaultType());
            keys.load(null, null);
            try (InputStream in = Files.newInputStream(store.location())) {
                int i = 0;
                for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    keys.setCertificateEntry("ca-" + i++, certificate);
                }
            }
            return keys;
        }
        if (type == null) {
            return KeyStore.getInstance(store.location().toFile(), password);
        }
        KeyStore keys = KeyStore.getInstance(type);
        try (InputStream in = Files.newInputStream(store.location())) {
            keys.load(in, password);
        }
        return keys;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    @Override
    public String toString() {
        return "RegistryAccess[" + url + ", " + credentialKind() + (trustStore == null ? "" : ", " + trustStore) + "]";
    }
}
