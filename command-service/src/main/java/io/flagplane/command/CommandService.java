package io.flagplane.command;

import io.flagplane.auth.TokenRegistry;
import io.flagplane.command.http.CommandHttpApi;
import io.flagplane.command.leadership.LeaderElection;
import io.flagplane.command.log.CommandProcessor;
import io.flagplane.command.release.ChangeRequestScheduler;
import io.flagplane.command.release.ExperimentScheduler;
import io.flagplane.command.release.ScheduledChangeScheduler;
import io.flagplane.command.release.ReleaseController;
import io.flagplane.command.release.ReleaseSignalReader;
import io.flagplane.command.log.EnvironmentBootstrap;
import io.flagplane.command.log.WriteModel;
import io.flagplane.connections.KafkaConnectionCheck;
import io.flagplane.connections.RegistrySettings;
import io.flagplane.settings.Settings;
import io.javalin.Javalin;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command-service process: serves the command API and writes {@code flag-events} while it is
 * the elected writer. Started beside an active instance it waits as a standby (answering 503
 * {@code WRITER_STANDBY}) and never disturbs the writer; when the writer dies or leaves, it is
 * elected, fences the old writer's transactional id, reads the log and serves.
 */
public final class CommandService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommandService.class);

    private final CommandProcessor processor;
    private final WriteModel model;
    private final CommandMetrics metrics;
    private final Javalin http;
    private final LeaderElection election;
    private final ChangeRequestScheduler scheduler;
    private final ExperimentScheduler experiments;
    private final ScheduledChangeScheduler scheduledChanges;
    private final ReleaseController releases;
    private final ReleaseSignalReader signals;
    private final AtomicBoolean closed = new AtomicBoolean();

    private CommandService(CommandProcessor processor, WriteModel model, CommandMetrics metrics, Javalin http,
                           LeaderElection election, ChangeRequestScheduler scheduler, ExperimentScheduler experiments,
                           ScheduledChangeScheduler scheduledChanges, ReleaseController releases, ReleaseSignalReader signals) {
        this.processor = processor;
        this.model = model;
        this.metrics = metrics;
        this.http = http;
        this.election = election;
        this.scheduler = scheduler;
        this.experiments = experiments;
        this.scheduledChanges = scheduledChanges;
        this.releases = releases;
        this.signals = signals;
    }

    /**
     * Starts, and returns once this instance knows its role: the active writer with its log read
     * and its environments declared, or a standby.
     */
    public static CommandService start(CommandServiceConfig config) {
        return start(config, Clock.systemUTC());
    }

    /**
     * Starts on {@code clock}: the time events are stamped with, instants in requests are checked
     * against, and schedules, hold times and the freshness of guardrail verdicts are measured by
     * (tests and the end-to-end tests move it).
     */
    public static CommandService start(CommandServiceConfig config, Clock clock) {
        TokenRegistry tokens = config.authEnabled() ? TokenRegistry.load(config.tokensFile()) : null;
        if (tokens == null) {
            LOG.warn("authentication is OFF (command.auth.enabled=false): anyone who can reach port {} is an admin",
                    config.port());
        }
        KafkaConnectionCheck.check("command-service", config.kafka(),
                List.of(config.topics().flagEvents(), config.topics().commandLeader()));
        WriteModel model = new WriteModel(config.idempotencyRetention());
        var registry = RegistrySettings.client(config.registry());
        CommandMetrics metrics = new CommandMetrics(model);
        CommandProcessor processor = new CommandProcessor(new CommandProcessor.Settings(config.kafka(),
                config.topics().flagEvents(), config.transactionalId(), config.kafkaTimeout(), 10_000),
                registry, model, clock, metrics);
        metrics.watch(processor);
        Javalin http = null;
        LeaderElection election = null;
        try {
            if (config.leaderElection()) {
                Activation activation = new Activation(processor, model, config.environments(), config.commandTimeout());
                processor.onActive(activation::declareEnvironments).startStandby();
                http = startHttp(config, processor, model, metrics, tokens, clock);
                election = LeaderElection.join(new LeaderElection.Settings(config.kafka(),
                        config.topics().commandLeader(), config.transactionalId(), config.leaderSessionTimeout()),
                        new Candidate(processor), config.startupTimeout());
                // frozen for a third of the session, it may have been replaced: confirm before answering again
                processor.onStall(config.leaderSessionTimeout().dividedBy(3), election::reconfirm);
                activation.awaitRole(election, config.startupTimeout());
            } else {
                processor.start(config.startupTimeout());
                EnvironmentBootstrap.declare(processor, model, config.environments(), config.commandTimeout());
                http = startHttp(config, processor, model, metrics, tokens, clock);
            }
            LOG.info("command-service on port {}: {} (writer of {})", http.port(),
                    processor.isReady() ? "the active writer" : "a standby", config.topics().flagEvents());
            // on every instance: it applies nothing unless this one is the ready writer
            ChangeRequestScheduler scheduler = new ChangeRequestScheduler(processor, model, clock);
            scheduler.start(Duration.ofSeconds(1));
            ExperimentScheduler experiments = new ExperimentScheduler(processor, model, clock, metrics);
            experiments.start(Duration.ofSeconds(1));
            ScheduledChangeScheduler scheduledChanges = new ScheduledChangeScheduler(processor, model, clock, metrics);
            scheduledChanges.start(Duration.ofSeconds(1));
            ReleaseSignalReader signals = new ReleaseSignalReader(config.kafka(), config.topics().releaseSignals(), registry,
                    config.releaseLookBack());
            ReleaseController releases = new ReleaseController(processor, model, signals, clock, config.releaseSignalInterval(),
                    metrics);
            releases.start(Duration.ofSeconds(1));
            return new CommandService(processor, model, metrics, http, election, scheduler, experiments, scheduledChanges, releases,
                    signals);
        } catch (RuntimeException e) {
            if (http != null) {
                http.stop();
            }
            processor.close();
            if (election != null) {
                election.close();
            }
            throw e;
        }
    }

    private static Javalin startHttp(CommandServiceConfig config, CommandProcessor processor, WriteModel model,
                                     CommandMetrics metrics, TokenRegistry tokens, Clock clock) {
        return CommandHttpApi.create(processor, model, metrics, tokens, config.commandTimeout(), clock)
                .start(config.host(), config.port());
    }

    /** What the election tells the writer; it only asks, so it never blocks the election's thread. */
    private record Candidate(CommandProcessor processor) implements LeaderElection.Candidate {
        @Override
        public void elected() {
            processor.promote();
        }

        @Override
        public void deposed() {
            processor.demote();
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

    /** The release controller's scheduled-change applier (tests tick it rather than wait for its second). */
    public ScheduledChangeScheduler scheduledChanges() {
        return scheduledChanges;
    }

    /** The leader election, or null when this instance runs without one ({@code command.leader.election=false}). */
    public LeaderElection election() {
        return election;
    }

    /**
     * Stops serving, lets the writer finish the batch it is writing, then leaves the election so a
     * standby takes over at once (and has nothing in flight to fence).
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        scheduler.close();
        experiments.close();
        scheduledChanges.close();
        releases.close();
        signals.close();
        http.stop();
        processor.close();
        if (election != null) {
            election.close();
        }
    }

    public static void main(String[] args) {
        CommandService service = start(CommandServiceConfig.from(Settings.fromEnvironment()));
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "command-shutdown"));
    }
}
