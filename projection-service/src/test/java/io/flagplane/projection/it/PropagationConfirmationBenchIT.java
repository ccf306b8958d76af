package io.flagplane.projection.it;

import static io.flagplane.projection.telemetry.Reports.report;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.testkit.http.Api;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A measurement, not a timed test (run with {@code -Dbench.propagation=true}): a kill, 20 nodes
 * reporting it applied, and a {@code wait} request already waiting; the figure is the time from
 * the last node's report being acknowledged by Kafka to the propagation answer "20 of 20" arriving.
 */
@ExtendWith(SharedTestStack.class)
@EnabledIfSystemProperty(named = "bench.propagation", matches = "true")
class PropagationConfirmationBenchIT {

    private static final String FLAGS = "/api/v1/environments/production/flags";
    private static final int NODES = 20;
    private static final int ROUNDS = 60;

    @Test
    void last_node_applied_to_live_on_20_of_20() throws Exception {
        try (ProjectionFixture fixture = new ProjectionFixture(stack, "bench", 1);
             Reporter reporter = new Reporter(stack, fixture.topics.evaluatorReports())) {
            Api commands = fixture.commands();
            Api projection = fixture.projection();
            commands.post(FLAGS, "{\"key\":\"bench.kill\",\"type\":\"boolean\",\"enabled\":true}");
            long sequence = 0;
            for (int n = 0; n < NODES; n++) {
                reporter.send(report("edge-" + n).seq(++sequence).at(Instant.now()).heartbeat(600_000).build());
            }
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> fixture.projections.get(0).reports().folded() >= NODES);
            List<Long> micros = new ArrayList<>();
            long version = 1;
            for (int round = 0; round < ROUNDS; round++) {
                JsonNode changed = commands.post(FLAGS + "/bench.kill/" + (round % 2 == 0 ? "kill" : "revive"), "{}").body();
                version = changed.get("version").asLong();
                String path = FLAGS + "/bench.kill/propagation?version=" + version + "&wait=20s";
                CompletableFuture<Api.Response> waiting = CompletableFuture.supplyAsync(() -> projection.get(path));
                for (int n = 0; n < NODES - 1; n++) {
                    reporter.send(report("edge-" + n).seq(++sequence).at(Instant.now()).heartbeat(600_000)
                            .applied("production", "bench.kill", version, Instant.now()).build());
                }
                Thread.sleep(50);   // the waiter is waiting on the last node
                reporter.send(report("edge-" + (NODES - 1)).seq(++sequence).at(Instant.now()).heartbeat(600_000)
                        .applied("production", "bench.kill", version, Instant.now()).build());
                long acked = System.nanoTime();
                JsonNode answer = waiting.get(30, TimeUnit.SECONDS).body();
                micros.add(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - acked));
                assertThat(answer.get("applied").asInt()).isEqualTo(NODES);
            }
            List<Long> measured = new ArrayList<>(micros.subList(10, micros.size()));   // the first ten warm up
            measured.sort(null);
            System.out.printf("propagation confirmation, last node's report acked -> wait answers %d of %d: p50 %.1f ms, "
                            + "p99 %.1f ms, max %.1f ms (%d rounds)%n", NODES, NODES, measured.get(measured.size() / 2) / 1000.0,
                    measured.get((int) Math.ceil(measured.size() * 0.99) - 1) / 1000.0, measured.get(measured.size() - 1) / 1000.0,
                    measured.size());
        }
    }

    private TestStack stack;

    @org.junit.jupiter.api.BeforeEach
    void stack(TestStack stack) {
        this.stack = stack;
    }
}
