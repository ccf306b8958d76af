package io.flagplane.command;

import io.flagplane.avro.ActorKind;
import io.flagplane.auth.Role;
import io.flagplane.auth.TokenRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A tokens file for tests: an admin, a production editor with staging read, a viewer, and a CI service token. */
public record TestTokens(Path file, String admin, String editor, String viewer, String ci) {

    public static TestTokens create() {
        String admin = TokenRegistry.newToken();
        String editor = TokenRegistry.newToken();
        String viewer = TokenRegistry.newToken();
        String ci = TokenRegistry.newToken();
        String json = "{\"tokens\": ["
                + TokenRegistry.entry("alice@example.com", ActorKind.USER, Map.of("*", Role.ADMIN), admin) + ","
                + TokenRegistry.entry("bob@example.com", ActorKind.USER, Map.of("production", Role.EDITOR, "staging", Role.VIEWER), editor) + ","
                + TokenRegistry.entry("carol@example.com", ActorKind.USER, Map.of("*", Role.VIEWER), viewer) + ","
                + TokenRegistry.entry("ci-pipeline", ActorKind.SERVICE_TOKEN, Map.of("*", Role.EDITOR), ci)
                + "]}";
        try {
            Path file = Files.createTempFile(Path.of("target"), "tokens", ".json");
            Files.writeString(file, json);
            return new TestTokens(file, admin, editor, viewer, ci);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
