package io.flagplane.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The driver's own arithmetic, over a transport whose answers take a known time. */
class CommandLoadTest {

    private static final long SERVICE_MILLIS = 15;

    private final CommandLoad.Transport slowService = request -> {
        try {
            Thread.sleep(SERVICE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int rollouts = request.body().split("setRollout", -1).length - 1;
        return new CommandLoad.Outcome(200, "", request.method().equals("PATCH") ? 1 : rollouts);
    };

    @Test
    void fixed_rate_latency_includes_the_whole_exchange() throws Exception {
        CommandLoad.Result result = load(40, 1, 4).run(slowService, new RolloutWorkload("t", "r", 100, 1));

        assertThat(result.latency().count()).isBetween(70, 90);
        assertThat(result.latency().p50()).as("no request can be faster than the service")
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(SERVICE_MILLIS));
        assertThat(result.durableCommands()).isEqualTo(result.latency().count());
    }

    @Test
    void a_schedule_the_workers_cannot_keep_is_charged_to_the_requests_it_delays() throws Exception {
        // one worker, 15 ms per request, asked for 100 requests/s: the queue grows for the whole run
        CommandLoad.Result result = load(100, 1, 1).run(slowService, new RolloutWorkload("t", "r", 100, 1));

        assertThat(result.latency().max()).as("the last request waited behind everything before it")
                .isGreaterThan(TimeUnit.MILLISECONDS.toNanos(500));
    }

    @Test
    void saturation_counts_commands_not_requests() throws Exception {
        CommandLoad.Result result = load(0, 10, 2).run(slowService, new RolloutWorkload("t", "r", 100, 10));

        assertThat(result.requests()).isBetween(150L, 267L);   // at most 2 clients × 2 s ÷ 15 ms, less sleep overshoot
        assertThat(result.durableCommands()).isEqualTo(result.requests() * 10);
        assertThat(result.commandsPerSecond()).isEqualTo(result.durableCommands() / 2.0);
    }

    private static CommandLoad load(double rate, int batch, int concurrency) {
        CommandLoad load = new CommandLoad();
        load.rate = rate;
        load.batch = batch;
        load.flags = 100;
        load.concurrency = concurrency;
        load.warmupSeconds = 0;
        load.durationSeconds = 2;
        load.environment = "t";
        load.out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        return load;
    }
}
