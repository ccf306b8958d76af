package io.flagplane.command;

import io.flagplane.command.http.CommandHttpApi;
import io.flagplane.command.log.CommandProcessor;
import io.flagplane.command.log.FlagStates;
import io.flagplane.registry.CachingSchemaRegistryClient;
import io.flagplane.registry.RestSchemaRegistryClient;
import io.flagplane.settings.Settings;
import io.javalin.Javalin;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command-service process: fences older instances, reads the event log, then serves the
 * command API. The only writer of {@code flag-events}.
 */
public final class CommandService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommandService.class);

    private final CommandProcessor processor;
    private final FlagStates states;
    private final Javalin http;

    private CommandService(CommandProcessor processor, FlagStates states, Javalin http) {
        this.processor = processor;
        this.states = states;
        this.http = http;
    }

    public static CommandService start(CommandServiceConfig config) {
        FlagStates states = new FlagStates();
        var registry = new CachingSchemaRegistryClient(new RestSchemaRegistryClient(config.schemaRegistryUrl()));
        CommandProcessor processor = new CommandProcessor(new CommandProcessor.Settings(config.bootstrapServers(),
                config.topics().flagEvents(), config.transactionalId(), config.kafkaTimeout(), 10_000),
                registry, states, Clock.systemUTC());
        try {
            processor.start(config.startupTimeout());
            Javalin http = CommandHttpApi.create(processor, states, config.commandTimeout()).start(config.host(), config.port());
            LOG.info("command-service writing {} and serving port {}", config.topics().flagEvents(), http.port());
            return new CommandService(processor, states, http);
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

    public FlagStates states() {
        return states;
    }

    @Override
    public void close() {
        http.stop();
        processor.close();
    }

    public static void main(String[] args) {
        CommandService service = start(CommandServiceConfig.from(Settings.fromEnvironment()));
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "command-shutdown"));
    }
}
