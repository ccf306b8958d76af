package io.flagplane.command.log;

import io.flagplane.avro.Actor;
import io.flagplane.command.domain.FlagCommand;
import java.util.List;

/**
 * One request to the single writer: one command, or several applied all-or-nothing (a change
 * set). The actor comes from the caller's credentials.
 */
public record CommandRequest(List<FlagCommand> commands, Actor actor, String reason, String idempotencyKey) {

    public CommandRequest {
        if (commands.isEmpty()) {
            throw new IllegalArgumentException("a request needs at least one command");
        }
        commands = List.copyOf(commands);
    }

    public static CommandRequest of(FlagCommand command, Actor actor, String reason) {
        return new CommandRequest(List.of(command), actor, reason, null);
    }

    public boolean isChangeSet() {
        return commands.size() > 1;
    }
}
