package io.flagplane.command.log;

import io.flagplane.avro.Actor;
import io.flagplane.command.domain.Command;
import java.util.List;

/**
 * One request to the single writer: one command, or several applied all-or-nothing (a change
 * set). The actor comes from the caller's credentials; the idempotency key, when present, makes a
 * retry return the first result, and the fingerprint (a hash of the request as sent) tells a retry
 * from a different request that reuses the key. {@code policyBypassed} marks an admin's direct
 * change to a scope an approval policy protects; every event of the request records it.
 */
public record CommandRequest(List<Command> commands, Actor actor, String reason, String idempotencyKey, String fingerprint,
                             boolean policyBypassed) {

    public CommandRequest {
        if (commands.isEmpty()) {
            throw new IllegalArgumentException("a request needs at least one command");
        }
        commands = List.copyOf(commands);
    }

    public CommandRequest(List<Command> commands, Actor actor, String reason, String idempotencyKey, String fingerprint) {
        this(commands, actor, reason, idempotencyKey, fingerprint, false);
    }

    public CommandRequest(List<Command> commands, Actor actor, String reason, String idempotencyKey) {
        this(commands, actor, reason, idempotencyKey, null, false);
    }

    public static CommandRequest of(Command command, Actor actor, String reason) {
        return new CommandRequest(List.of(command), actor, reason, null, null, false);
    }

    /** Several commands, or a command that may write several events (kill by tag, ...), share a change-set id. */
    public boolean isChangeSet() {
        return commands.size() > 1 || commands.get(0).maySpread();
    }
}
