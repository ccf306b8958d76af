package io.flagplane.registry.server;

import io.flagplane.settings.SettingsException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;

/**
 * The credentials the embedded registry accepts, when it is told to require some: HTTP basic auth
 * ({@code user:password}, Confluent's {@code basic.auth.user.info}) and static bearer tokens. Only
 * SHA-256 digests of the accepted {@code Authorization} values are kept, and a request's is
 * compared with each in constant time. With none configured, every request is let in (the local
 * stack on loopback).
 */
final class RegistryCredentials {

    private final List<byte[]> accepted;

    private RegistryCredentials(List<byte[]> accepted) {
        this.accepted = accepted;
    }

    static RegistryCredentials none() {
        return new RegistryCredentials(List.of());
    }

    /**
     * @param userInfos {@code user:password} pairs ({@code registry.auth.basic.user.info})
     * @param tokens    bearer tokens ({@code registry.auth.bearer.tokens})
     */
    static RegistryCredentials of(Collection<String> userInfos, Collection<String> tokens) {
        List<byte[]> accepted = new ArrayList<>();
        for (String userInfo : userInfos) {
            if (userInfo.indexOf(':') < 1) {
                throw new SettingsException("registry.auth.basic.user.info holds an entry that is not user:password");
            }
            accepted.add(digest("Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8))));
        }
        for (String token : tokens) {
            accepted.add(digest("Bearer " + token));
        }
        return new RegistryCredentials(List.copyOf(accepted));
    }

    boolean required() {
        return !accepted.isEmpty();
    }

    /** True when no credentials are required, or {@code authorization} is one of those accepted. */
    boolean admits(String authorization) {
        if (accepted.isEmpty()) {
            return true;
        }
        if (authorization == null) {
            return false;
        }
        byte[] presented = digest(authorization.trim());
        boolean match = false;
        for (byte[] one : accepted) {
            match |= MessageDigest.isEqual(one, presented);
        }
        return match;
    }

    private static byte[] digest(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
