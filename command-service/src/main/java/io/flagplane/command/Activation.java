package io.flagplane.command;

import io.flagplane.command.leadership.LeaderElection;
import io.flagplane.command.log.CommandProcessor;
import io.flagplane.command.log.EnvironmentBootstrap;
import io.flagplane.command.log.WriteModel;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens each time this instance becomes the active writer (declaring the configured
 * environments, as at every start), and how start-up waits to learn its role.
 */
final class Activation {

    private static final Logger LOG = LoggerFactory.getLogger(Activation.class);

    private final CommandProcessor processor;
    private final WriteModel model;
    private final Set<String> environments;
    private final Duration commandTimeout;
    private final CompletableFuture<Void> first = new CompletableFuture<>();

    Activation(CommandProcessor processor, WriteModel model, Set<String> environments, Duration commandTimeout) {
        this.processor = processor;
        this.model = model;
        this.environments = environments;
        this.commandTimeout = commandTimeout;
    }

    /** Runs on a thread of its own after every promotion (it submits commands to the writer). */
    void declareEnvironments() {
        try {
            EnvironmentBootstrap.declare(processor, model, environments, commandTimeout);
            first.complete(null);
        } catch (RuntimeException e) {
            LOG.error("the new active writer could not declare its environments: {}", e.getMessage());
            first.completeExceptionally(e);
        }
    }

    /** Returns once this instance is a standby, or the writer with its environments declared; throws past the timeout. */
    void awaitRole(LeaderElection election, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (!election.awaitDecided(timeout)) {
                throw new IllegalStateException("the command-service's leader election did not decide within " + timeout
                        + "; is Kafka reachable?");
            }
            if (election.isLeader()) {
                first.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("elected the writer, but reading the log did not finish within " + timeout);
        }
    }
}
