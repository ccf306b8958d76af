package io.flagplane.projection.it;

import io.flagplane.command.CommandService;
import io.flagplane.command.CommandServiceConfig;
import io.flagplane.contract.TopicNames;
import io.flagplane.projection.ProjectionConfig;
import io.flagplane.projection.ProjectionService;
import io.flagplane.settings.Settings;
import io.flagplane.testkit.http.Api;
import io.flagplane.testkit.http.TestTokens;
import io.flagplane.testkit.stack.TestStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;

/**
 * A command-service and one or more projection instances (one application id) over fresh topics
 * on the shared broker, with the shared {@link TestTokens} (the tests use its admin, its CI service
 * token and its viewer of staging only).
 */
final class ProjectionFixture implements AutoCloseable {

    /** Environment declarations the command-service writes at start-up: production, staging. */
    static final int DECLARED_ENVIRONMENTS = 2;

    final TestStack stack;
    final TopicNames topics;
    final TestTokens tokens = TestTokens.create();
    final String admin = tokens.admin();
    final String ci = tokens.ci();
    final String stagingViewer = tokens.stagingViewer();
    final String applicationId;
    final CommandService command;
    final List<ProjectionService> projections = new ArrayList<>();
    /** What "now" is for every projection instance (liveness, lifecycle, staleness): the real time until a test moves it. */
    final AheadClock clock = new AheadClock();
    private final Map<String, String> extra;

    ProjectionFixture(TestStack stack, String label, int instances) throws Exception {
        this(stack, label, instances, Map.of());
    }

    /** @param extra projection settings for every instance */
    ProjectionFixture(TestStack stack, String label, int instances, Map<String, String> extra) throws Exception {
        this.stack = stack;
        this.extra = extra;
        this.topics = stack.newTopics(label);
        this.applicationId = TestStack.uniqueName(label + "-projection");
        this.command = CommandService.start(CommandServiceConfig.from(settings(Map.of(
                "command.port", "0", "command.host", "127.0.0.1",
                "command.transactional.id", TestStack.uniqueName(label + "-writer")))));
        for (int i = 0; i < instances; i++) {
            addInstance();
        }
        for (ProjectionService projection : projections) {
            if (!projection.awaitRunning(Duration.ofSeconds(60))) {
                throw new IllegalStateException("projection did not start");
            }
        }
    }

    ProjectionService addInstance() throws IOException {
        Path state = Files.createTempDirectory(Path.of("target"), "streams");
        Map<String, String> settings = new HashMap<>(Map.of(
                "projection.port", "0", "projection.host", "127.0.0.1",
                "projection.application.id", applicationId,
                "projection.state.dir", state.toString(),
                "projection.stream.heartbeat.ms", "500"));
        settings.putAll(extra);
        ProjectionService projection = ProjectionService.start(ProjectionConfig.from(settings(settings)), clock);
        projections.add(projection);
        return projection;
    }

    Settings settings(Map<String, String> extra) {
        Map<String, String> values = new HashMap<>(Map.of(
                "kafka.bootstrap.servers", stack.bootstrapServers(),
                "schema.registry.url", stack.schemaRegistryUrl(),
                "topic.prefix", topics.flagEvents().replace("flag-events", ""),
                "command.tokens.file", tokens.file().toString()));
        values.putAll(extra);
        return Settings.of(values);
    }

    Api commands() {
        return new Api(command.url(), admin);
    }

    Api projection(int instance) {
        return new Api(projections.get(instance).url(), admin);
    }

    Api projection() {
        return projection(0);
    }

    /**
     * Waits until every instance together has applied the test's own {@code events}, on top of the two environments the
     * command-service declares at start-up (production and staging).
     */
    void awaitApplied(long events) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() ->
                projections.stream().mapToLong(p -> p.metrics().applied()).sum() >= DECLARED_ENVIRONMENTS + events);
    }

    @Override
    public void close() {
        projections.forEach(p -> {
            try {
                p.close();
            } catch (RuntimeException e) {
                // closing anyway
            }
        });
        command.close();
        try {
            Files.deleteIfExists(tokens.file());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
