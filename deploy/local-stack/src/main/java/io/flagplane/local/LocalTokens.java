package io.flagplane.local;

import io.flagplane.avro.ActorKind;
import io.flagplane.auth.Role;
import io.flagplane.auth.TokenRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * The local stack's bootstrap admin token. The tokens file the command-service reads holds only
 * the token's hash; the token itself is kept beside it in {@code admin-token} (owner-only) so the
 * desk can use it across restarts, and printed at start. {@code FLAGPLANE_ADMIN_TOKEN} chooses it.
 */
final class LocalTokens {

    private LocalTokens() {
    }

    /** Makes sure a tokens file exists; returns the admin token when this stack knows it, else null. */
    static String ensure(Path tokensFile, Path tokenFile, String chosen) {
        try {
            Files.createDirectories(tokensFile.toAbsolutePath().getParent());
            String token = chosen != null ? chosen
                    : Files.exists(tokenFile) ? Files.readString(tokenFile, StandardCharsets.UTF_8).trim() : null;
            if (Files.exists(tokensFile) && chosen == null) {
                return token;
            }
            if (token == null) {
                token = TokenRegistry.newToken();
            }
            Files.writeString(tokensFile, "{\"tokens\": [" + TokenRegistry.entry("local-admin", ActorKind.USER,
                    Map.of("*", Role.ADMIN), token) + "]}\n", StandardCharsets.UTF_8);
            Files.writeString(tokenFile, token + "\n", StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system; the file stays readable as the directory allows
            }
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up the local tokens in " + tokensFile.getParent(), e);
        }
    }
}
