package io.flagplane.command;

import io.flagplane.auth.TokenRegistry;
import io.flagplane.command.http.CommandHttpApi;
import io.flagplane.command.log.CommandProcessor;
import io.flagplane.command.release.ChangeRequestScheduler;
import io.flagplane.command.log.EnvironmentBootstrap;
import io.flagplane.command.log.WriteModel;
import io.flagplane.registry.CachingSchemaRegistryClient;
import io.flagplane.registry.RestSchemaRegistryClient;
import io.flagplane.settings.Settings;
import io.javalin.Javalin;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command-service process: fences older instances, reads the event log, then serves the
 * command API. The only writer of {@code flag-events}.
 */
public final class CommandService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommandService.class);

    private final CommandProcessor processor;
    private final WriteModel model;
    private final CommandMetrics metrics;
    private final Javalin http;
    private final ChangeRequestScheduler scheduler;

    private CommandService(CommandProcessor processor, WriteModel model, CommandMetrics metrics, Javalin http,
                           ChangeRequestScheduler scheduler) {
        this.processor = processor;
        this.model = model;
        this.metrics = metrics;
        this.http = http;
        this.scheduler = scheduler;
    }

    public static CommandService start(CommandServiceConfig config) {
        TokenRegistry tokens = config.authEnabled() ? TokenRegistry.load(config.tokensFile()) : null;
        if (tokens == null) {
            LOG.warn("authentication is OFF (command.auth.enabled=false): anyone who can reach port {} is an admin",
                    config.port());
        }
        WriteModel model = new WriteModel(config.idempotencyRetention());
        var registry = new CachingSchemaRegistryClient(new RestSchemaRegistryClient(config.schemaRegistryUrl()));
        CommandMetrics metrics = new CommandMetrics(model);
        CommandProcessor processor = new CommandProcessor(new CommandProcessor.Settings(config.bootstrapServers(),
                config.topics().flagEvents(), config.transactionalId(), config.kafkaTimeout(), 10_000),
                registry, model, Clock.systemUTC(), metrics);
        metrics.watch(processor);
        try {
            processor.start(config.startupTimeout());
            EnvironmentBootstrap.declare(processor, model, config.environments(), config.commandTimeout());
            Javalin http = CommandHttpApi.create(processor, model, metrics, tokens, config.commandTimeout())
                    .start(config.host(), config.port());
            LOG.info("command-service writing {} and serving port {}", config.topics().flagEvents(), http.port());
            ChangeRequestScheduler scheduler = new ChangeRequestScheduler(processor, model, Clock.systemUTC()).start(Duration.ofSeconds(1));
            return new CommandService(processor, model, metrics, http, scheduler);
        } catch (RuntimeException e) {
            processor.close();
            throw e;
        }
    }

    public int port() {
        return http.port();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    public CommandProcessor processor() {
        return processor;
    }

    public WriteModel model() {
        return model;
    }

    public CommandMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        scheduler.close();
        http.stop();
        processor.close();
    }

    public static void main(String[] args) {
        CommandService service = start(CommandServiceConfig.from(Settings.fromEnvironment()));
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "command-shutdown"));
    }
}
