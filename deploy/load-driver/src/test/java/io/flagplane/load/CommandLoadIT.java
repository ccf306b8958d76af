package io.flagplane.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagplane.avro.ActorKind;
import io.flagplane.command.CommandService;
import io.flagplane.command.CommandServiceConfig;
import io.flagplane.auth.Role;
import io.flagplane.auth.TokenRegistry;
import io.flagplane.settings.Settings;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The driver against a real command-service on the shared broker: its counts must match what the service wrote. */
@ExtendWith(SharedTestStack.class)
class CommandLoadIT {

    private final String token = TokenRegistry.newToken();
    private CommandService service;

    @BeforeEach
    void start(TestStack stack) throws Exception {
        Path tokens = Files.createTempFile(Path.of("target"), "tokens", ".json");
        Files.writeString(tokens, "{\"tokens\":[" + TokenRegistry.entry("load-driver", ActorKind.SERVICE_TOKEN,
                Map.of("*", Role.EDITOR), token) + "]}");
        service = CommandService.start(CommandServiceConfig.from(Settings.of(Map.of(
                "command.port", "0", "command.host", "127.0.0.1",
                "kafka.bootstrap.servers", stack.bootstrapServers(),
                "schema.registry.url", stack.schemaRegistryUrl(),
                "topic.prefix", stack.newTopics("load").flagEvents().replace("flag-events", ""),
                "command.transactional.id", TestStack.uniqueName("load-writer"),
                "command.tokens.file", tokens.toString(),
                "command.environments", "sat,paced"))));
    }

    @AfterEach
    void stop() {
        service.close();
    }

    @Test
    void saturation_with_change_sets_counts_only_what_was_durably_written() throws Exception {
        CommandLoad load = load("sat", 0, 10);
        CommandLoad.Result result = load.run();

        assertOnlyResyncRefusals(result.errors().keySet());
        assertThat(result.durableCommands()).isPositive();
        assertThat(result.durableCommands()).isEqualTo(result.requests() * 10);
        assertThat(writtenRollouts("sat")).as("the service wrote at least every command the driver counted")
                .isGreaterThanOrEqualTo(result.durableCommands());

        // the command line's exit status: 0 for a run without errors, 1 otherwise
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        load.out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        int exit = load.call();
        String report = printed.toString(StandardCharsets.UTF_8);
        Matcher errors = Pattern.compile("errors\\s+(.*)").matcher(report);
        assertThat(errors.find()).as(report).isTrue();
        if (errors.group(1).equals("none")) {
            assertThat(exit).as(report).isZero();
        } else {
            assertThat(exit).as(report).isEqualTo(1);
            assertOnlyResyncRefusals(List.of(errors.group(1).replaceAll("^\\{|=\\d+(, |})", "\n").split("\n")));
        }
    }

    /**
     * Kafka 4.3.1 now and then fails a transaction with InvalidTxnStateException (KAFKA_NOTES.md:
     * about once in 15,000 back-to-back transactions; seen here in CI on 2026-11-27). The writer then
     * resynchronises and, for a fraction of a second, answers writes with the 503s that tell a client
     * to retry. Those are the only refusals a saturation run may see; its counts must hold either way.
     */
    private static void assertOnlyResyncRefusals(Collection<String> errors) {
        assertThat(errors).allSatisfy(error -> assertThat(error.trim())
                .matches("(HTTP 503 (NOT_READY|WRITER_STANDBY|UNAVAILABLE))?"));
    }

    @Test
    void fixed_rate_single_commands_measure_latency_of_each_request() throws Exception {
        CommandLoad.Result result = load("paced", 50, 1).run();

        assertThat(result.errors()).isEmpty();
        assertThat(result.latency().count()).isBetween(60, 110);   // ~50/s for 2 s, give or take the window edges
        assertThat(result.latency().p50()).isPositive().isLessThanOrEqualTo(result.latency().p99());
        assertThat(writtenRollouts("paced")).isGreaterThanOrEqualTo(result.durableCommands());
    }

    private CommandLoad load(String environment, double rate, int batch) {
        CommandLoad load = new CommandLoad();
        load.url = service.url();
        load.token = token;
        load.environment = environment;
        load.flags = 200;
        load.batch = batch;
        load.rate = rate;
        load.concurrency = 4;
        load.warmupSeconds = 1;
        load.durationSeconds = 2;
        load.out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        return load;
    }

    /** Rollout events the service holds in its write model: every flag's version minus its creation. */
    private long writtenRollouts(String environment) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(service.url() + "/api/v1/environments/" + environment + "/flags"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        long total = 0;
        for (JsonNode flag : new ObjectMapper().readTree(response.body()).get("flags")) {
            total += flag.get("version").asLong() - 1;
        }
        return total;
    }
}
