package io.flagplane.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.contract.TopicNames;
import io.flagplane.settings.Settings;
import io.flagplane.testkit.http.Api;
import io.flagplane.testkit.http.TestTokens;
import io.flagplane.testkit.stack.RestartableStack;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** With Kafka unreachable a command fails fast with 503 and writes nothing; the service recovers by itself. */
class BrokerTroubleIT {

    @Test
    void commands_fail_within_seconds_while_kafka_is_down_and_work_again_when_it_returns() {
        TestTokens tokens = TestTokens.create();
        try (RestartableStack kafka = new RestartableStack()) {
            TopicNames topics = kafka.topics();
            CommandServiceConfig config = CommandServiceConfig.from(Settings.of(Map.of(
                    "command.port", "0", "command.host", "127.0.0.1",
                    "kafka.bootstrap.servers", kafka.bootstrapServers(),
                    "schema.registry.url", kafka.schemaRegistryUrl(),
                    "command.transactional.id", "trouble-writer",
                    "command.tokens.file", tokens.file().toString(),
                    "command.kafka.timeout.ms", "2000")));
            try (CommandService service = CommandService.start(config)) {
                Api api = new Api(service.url(), tokens.admin());
                assertThat(api.post("/api/v1/environments/production/flags", "{\"key\":\"a.flag\",\"type\":\"boolean\"}").status())
                        .isEqualTo(201);

                kafka.stopKafka();
                long started = System.nanoTime();
                Api.Response down = api.post("/api/v1/environments/production/flags/a.flag/kill", "{\"reason\":\"during outage\"}");
                Duration took = Duration.ofNanos(System.nanoTime() - started);

                assertThat(down.status()).isEqualTo(503);
                assertThat(down.errorCode()).isEqualTo("UNAVAILABLE");
                assertThat(down.body().get("error").get("message").asText()).contains("Kafka");
                assertThat(took).as("a command must fail within a bounded time").isLessThan(Duration.ofSeconds(12));
                Api.Response stillDown = api.post("/api/v1/environments/production/flags/a.flag/kill", "");
                assertThat(stillDown.status()).isEqualTo(503);

                kafka.startKafka();
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                        api.post("/api/v1/environments/production/flags/a.flag/kill", "{\"reason\":\"after outage\"}").status() == 200);
                var flag = api.get("/api/v1/environments/production/flags/a.flag").body();
                assertThat(flag.get("killed").asBoolean()).isTrue();
                assertThat(flag.get("version").asLong()).as("nothing from the outage was half-written").isEqualTo(2);
                assertThat(flag.get("lastChange").get("reason").asText()).isEqualTo("after outage");
            }
        }
    }
}
