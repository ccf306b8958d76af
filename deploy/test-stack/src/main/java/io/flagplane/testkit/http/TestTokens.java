package io.flagplane.testkit.http;

import io.flagplane.avro.ActorKind;
import io.flagplane.auth.Role;
import io.flagplane.auth.TokenRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A tokens file for tests: an admin, a production editor with staging read, a viewer of everything,
 * a CI service token, and a viewer of staging only. Every service that authenticates with a tokens
 * file (command, projection) can read it.
 */
public record TestTokens(Path file, String admin, String editor, String viewer, String ci, String stagingViewer) {

    public static TestTokens create() {
        String admin = TokenRegistry.newToken();
        String editor = TokenRegistry.newToken();
        String viewer = TokenRegistry.newToken();
        String ci = TokenRegistry.newToken();
        String stagingViewer = TokenRegistry.newToken();
        String json = "{\"tokens\": ["
                + TokenRegistry.entry("alice@example.com", ActorKind.USER, Map.of("*", Role.ADMIN), admin) + ","
                + TokenRegistry.entry("bob@example.com", ActorKind.USER, Map.of("production", Role.EDITOR, "staging", Role.VIEWER), editor) + ","
                + TokenRegistry.entry("carol@example.com", ActorKind.USER, Map.of("*", Role.VIEWER), viewer) + ","
                + TokenRegistry.entry("ci-pipeline", ActorKind.SERVICE_TOKEN, Map.of("*", Role.EDITOR), ci) + ","
                + TokenRegistry.entry("dana@example.com", ActorKind.USER, Map.of("staging", Role.VIEWER), stagingViewer)
                + "]}";
        try {
            Path file = Files.createTempFile(Path.of("target"), "tokens", ".json");
            Files.writeString(file, json);
            return new TestTokens(file, admin, editor, viewer, ci, stagingViewer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
