package io.flagplane.command.log;

import java.util.List;

/**
 * The outcome of one request: its changes in command order, the change-set id when it held
 * several commands, and whether it is the remembered result of an earlier request with the same
 * Idempotency-Key (nothing was written this time).
 */
public record CommandResult(List<Change> changes, String changeSetId, boolean replayed) {

    public CommandResult {
        changes = List.copyOf(changes);
    }

    CommandResult asReplay() {
        return new CommandResult(changes, changeSetId, true);
    }
}
