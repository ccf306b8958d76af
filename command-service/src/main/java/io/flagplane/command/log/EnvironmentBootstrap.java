package io.flagplane.command.log;

import io.flagplane.avro.Actor;
import io.flagplane.avro.ActorKind;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Declares, at start-up, the environments the configuration names ({@code command.environments})
 * and any environment that already holds flags or segments but was never declared (written before
 * environments were declared objects), so that upgrading never strands a flag, and a kill always
 * finds its environment. Each declaration is an ordinary event with actor {@code SYSTEM}.
 */
public final class EnvironmentBootstrap {

    private static final Logger LOG = LoggerFactory.getLogger(EnvironmentBootstrap.class);
    static final Actor SYSTEM = new Actor("system:environment-bootstrap", ActorKind.SYSTEM);

    private EnvironmentBootstrap() {
    }

    public static void declare(CommandProcessor processor, WriteModel model, Set<String> configured, Duration timeout) {
        Map<String, String> missing = new LinkedHashMap<>();
        configured.stream().sorted().filter(name -> model.environment(name) == null)
                .forEach(name -> missing.put(name, "declared at start-up by command.environments"));
        model.environmentsInUse().stream().filter(name -> model.environment(name) == null)
                .forEach(name -> missing.putIfAbsent(name, "declared at start-up: flags or segments already exist in it"));
        for (Map.Entry<String, String> entry : missing.entrySet()) {
            CommandRequest request = CommandRequest.of(new Command.CreateEnvironment(entry.getKey(), null), SYSTEM, entry.getValue());
            try {
                processor.submit(request).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                LOG.info("environment '{}' {}", entry.getKey(), entry.getValue());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof CommandException refused && refused.code() == ErrorCode.ENVIRONMENT_ALREADY_EXISTS) {
                    continue; // another instance declared it first
                }
                throw new IllegalStateException("cannot declare environment '" + entry.getKey() + "': " + e.getCause().getMessage(),
                        e.getCause());
            } catch (TimeoutException e) {
                throw new IllegalStateException("declaring environment '" + entry.getKey() + "' was not confirmed within "
                        + timeout.toSeconds() + " s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while declaring environments", e);
            }
        }
    }
}
