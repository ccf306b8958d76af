package io.flagplane.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.settings.Settings;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The one-command local stack: starts on its own broker, keeps data across restarts. */
class LocalStackIT {

    @Test
    void the_stack_serves_a_flag_and_still_has_it_after_a_restart() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("target"), "local-stack");
        // the broker's ports are fixed (they must be known before it binds); the services bind 0 and say where they are
        LocalStack.Ports ports = new LocalStack.Ports(freePort(), freePort(), 0, 0, 0, 0, 0);

        try (LocalStack stack = LocalStack.start(dataDir, ports, Settings.of(Map.of()))) {
            assertThat(stack.awaitReady(Duration.ofSeconds(90))).isTrue();
            assertThat(Http.post(stack.commandUrl() + "/api/v1/environments/production/flags",
                    "{\"key\":\"booking.enabled\",\"type\":\"boolean\"}").status()).as("no token").isEqualTo(401);
            Http.Response created = Http.post(stack.commandUrl() + "/api/v1/environments/production/flags",
                    "{\"key\":\"booking.enabled\",\"type\":\"boolean\",\"enabled\":true}", stack.adminToken());
            assertThat(created.status()).isEqualTo(201);
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(Http.post(stack.edgeUrl() + "/ofrep/v1/evaluate/flags/booking.enabled", "{}", stack.adminToken()).status())
                            .isEqualTo(200));
        }

        try (LocalStack stack = LocalStack.start(dataDir, ports, Settings.of(Map.of()))) {
            assertThat(stack.awaitReady(Duration.ofSeconds(90))).isTrue();
            assertThat(Files.readString(dataDir.resolve("tokens.json"))).doesNotContain(stack.adminToken());
            Http.Response read = Http.get(stack.commandUrl() + "/api/v1/environments/production/flags/booking.enabled",
                    stack.adminToken());
            assertThat(read.status()).isEqualTo(200);
            assertThat(read.body().get("version").asLong()).isEqualTo(1);
            Http.Response evaluated = Http.post(stack.edgeUrl() + "/ofrep/v1/evaluate/flags/booking.enabled", "{}", stack.adminToken());
            assertThat(evaluated.status()).isEqualTo(200);
            assertThat(evaluated.body().get("value").asBoolean()).isTrue();
            Http.Response killed = Http.post(stack.commandUrl() + "/api/v1/environments/production/flags/booking.enabled/kill", "",
                    stack.adminToken());
            assertThat(killed.body().get("version").asLong()).isEqualTo(2);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
