package io.flagplane.local;

import io.flagplane.broker.LocalKafkaBroker;
import io.flagplane.command.CommandService;
import io.flagplane.command.CommandServiceConfig;
import io.flagplane.console.ConsoleConfig;
import io.flagplane.console.ConsoleServer;
import io.flagplane.contract.TopicNames;
import io.flagplane.contract.Topics;
import io.flagplane.edge.EdgeConfig;
import io.flagplane.edge.EdgeNode;
import io.flagplane.projection.ProjectionConfig;
import io.flagplane.projection.ProjectionService;
import io.flagplane.provisioning.FlagplaneTopics;
import io.flagplane.provisioning.ProvisioningReport;
import io.flagplane.provisioning.ProvisioningSettings;
import io.flagplane.provisioning.TopicProvisioner;
import io.flagplane.registry.server.SchemaRegistryServer;
import io.flagplane.settings.Settings;
import io.flagplane.settings.SettingsException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole of Flagplane in one process on the embedded default: a real single-node KRaft
 * broker, the schema registry, the command-service, the projection-service and one edge node.
 * Data lives under {@code .flagplane/} (or {@code FLAGPLANE_DATA_DIR}) and survives restarts;
 * Ctrl-C stops everything in reverse order.
 */
public final class LocalStack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);

    /** The ports and data directory; every port can be 0 (tests) or fixed (the desk). */
    public record Ports(int kafka, int controller, int registry, int command, int projection, int edge, int console) {
        public static Ports defaults() {
            return new Ports(9092, 9093, 8081, 8080, 8082, 8083, 8084);
        }
    }

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private String adminToken;
    private String kafka;
    private SchemaRegistryServer registry;
    private CommandService command;
    private ProjectionService projection;
    private EdgeNode edge;
    private ConsoleServer console;

    private LocalStack() {
    }

    public static LocalStack start(Path dataDir, Ports ports, Settings overrides) {
        return start(dataDir, ports, overrides, Clock.systemUTC());
    }

    /**
     * As {@link #start(Path, Ports, Settings)}, every service reading time from {@code clock}: the
     * writer's event times, hold times and schedules, the projection's windows and verdicts, the edge
     * node's exposure and tracking times. Tests pass a clock they move by hand.
     */
    public static LocalStack start(Path dataDir, Ports ports, Settings overrides, Clock clock) {
        LocalStack stack = new LocalStack();
        try {
            stack.boot(dataDir, ports, overrides, clock);
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    private void boot(Path dataDir, Ports ports, Settings overrides, Clock clock) {
        LocalKafkaBroker broker = new LocalKafkaBroker(new LocalKafkaBroker.Settings(dataDir.resolve("kafka"), "127.0.0.1",
                ports.kafka(), ports.controller())).start(Duration.ofSeconds(60));
        started.push(broker);
        kafka = broker.bootstrapServers();

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
            ProvisioningReport report = new TopicProvisioner(admin, Duration.ofSeconds(30))
                    .provision(FlagplaneTopics.all(TopicNames.DEFAULT, ProvisioningSettings.local()));
            if (!report.ok()) {
                throw new IllegalStateException("topics in " + dataDir + " differ from what Flagplane needs:\n" + report.describe());
            }
        }

        registry = SchemaRegistryServer.start(SchemaRegistryServer.Settings.local(kafka, Topics.SCHEMAS, ports.registry()));
        started.push(registry);

        Path tokensFile = dataDir.resolve("tokens.json");
        adminToken = LocalTokens.ensure(tokensFile, dataDir.resolve("admin-token"), overrides.string("admin.token", null));
        Settings settings = overrides.with(Map.ofEntries(
                Map.entry("command.tokens.file", tokensFile.toString()),
                Map.entry("kafka.bootstrap.servers", kafka),
                Map.entry("schema.registry.url", registry.url()),
                Map.entry("command.host", "127.0.0.1"),
                Map.entry("command.port", String.valueOf(ports.command())),
                Map.entry("projection.host", "127.0.0.1"),
                Map.entry("projection.port", String.valueOf(ports.projection())),
                Map.entry("projection.state.dir", dataDir.resolve("streams").toString()),
                Map.entry("edge.host", "127.0.0.1"),
                Map.entry("edge.port", String.valueOf(ports.edge())),
                Map.entry("edge.snapshot.file", dataDir.resolve("edge-snapshot.avro").toString())));

        command = CommandService.start(CommandServiceConfig.from(settings), clock);
        started.push(command);
        String services = settings.string("local.services", "all");
        if (services.equals("command")) {
            LOG.info("local.services=command: the read side (projection, edge node) is not started");
            return;
        }
        if (!services.equals("all")) {
            throw new SettingsException("local.services must be 'all' or 'command', not '" + services + "'");
        }
        projection = ProjectionService.start(ProjectionConfig.from(settings), clock);
        started.push(projection);
        edge = EdgeNode.start(EdgeConfig.from(settings.with(Map.of("edge.environments",
                settings.string("edge.environments", "production,staging")))), clock);
        started.push(edge);
        console = ConsoleServer.start(new ConsoleConfig("127.0.0.1", ports.console(), URI.create(command.url()),
                URI.create(projection.url()), URI.create(edge.url())));
        started.push(console);
    }

    /** Waits until the projection runs and the edge node has read the ruleset. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return projection == null || projection.awaitRunning(timeout) && edge.awaitReady(timeout);
    }

    /** The bootstrap admin token (null when the tokens file was written by someone else). */
    public String adminToken() {
        return adminToken;
    }

    public String kafkaBootstrap() {
        return kafka;
    }

    public String registryUrl() {
        return registry.url();
    }

    public String commandUrl() {
        return command.url();
    }

    public String projectionUrl() {
        return projection == null ? "(not started)" : projection.url();
    }

    public String edgeUrl() {
        return edge == null ? "(not started)" : edge.url();
    }

    /** The web console's URL, e.g. {@code http://127.0.0.1:8084/}. */
    public String consoleUrl() {
        return console == null ? "(not started)" : console.url();
    }

    @Override
    public void close() {
        while (!started.isEmpty()) {
            AutoCloseable next = started.pop();
            try {
                next.close();
            } catch (Exception e) {
                LOG.warn("stopping {} failed: {}", next.getClass().getSimpleName(), e.toString());
            }
        }
    }

    public static void main(String[] args) throws InterruptedException {
        long begin = System.nanoTime();
        Settings settings = Settings.fromEnvironment();
        Path dataDir = Path.of(settings.string("data.dir", ".flagplane")).toAbsolutePath();
        System.out.println("Flagplane local stack: starting with data in " + dataDir);
        LocalStack stack = start(dataDir, Ports.defaults(), settings);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Flagplane local stack: stopping");
            stack.close();
            System.out.println("Flagplane local stack: stopped");
        }, "local-stack-shutdown"));
        if (!stack.awaitReady(Duration.ofSeconds(120))) {
            System.err.println("Flagplane local stack: not ready after 120 s; see the log above");
            System.exit(1);
        }
        System.out.printf("""
                  kafka            %s
                  schema registry  %s
                  command-service  %s   (POST /api/v1/environments/{env}/flags, docs at /api/v1/openapi.yaml)
                  projection       %s   (GET /api/v1/status)
                  edge (OFREP)     %s   (POST /ofrep/v1/evaluate/flags/{key})
                  console          %s   (sign in with the admin token)
                  admin token      %s   (also in %s)
                Flagplane local stack ready in %.1f s. Ctrl-C stops it.
                """, stack.kafkaBootstrap(), stack.registryUrl(), stack.commandUrl(), stack.projectionUrl(), stack.edgeUrl(),
                stack.consoleUrl(),
                stack.adminToken() == null ? "(see your tokens.json)" : stack.adminToken(), dataDir.resolve("admin-token"),
                (System.nanoTime() - begin) / 1e9);
        Thread.currentThread().join();
    }
}
