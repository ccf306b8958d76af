package io.flagplane.command.domain;

import io.flagplane.avro.FlagCreated;
import io.flagplane.avro.FlagDisabled;
import io.flagplane.avro.FlagEnabled;
import io.flagplane.avro.FlagKilled;
import io.flagplane.avro.FlagRevived;
import io.flagplane.avro.FlagState;

/**
 * Decides what event a command becomes, given the flag as it is. Pure: no I/O, no clock. Throws
 * {@link CommandException} when the command may not apply; returns the event payload, or null
 * when the flag is already as asked (enabling an enabled flag writes nothing).
 */
public final class FlagDecider {

    private FlagDecider() {
    }

    public static Object decide(FlagState current, FlagCommand command) {
        if (command instanceof FlagCommand.Create create) {
            if (current != null) {
                throw new CommandException(ErrorCode.FLAG_ALREADY_EXISTS, "key", "flag '" + create.flag().flagKey()
                        + "' already exists in environment '" + create.flag().environment() + "'", current.getVersion());
            }
            return new FlagCreated(create.definition(), create.enabled());
        }
        if (current == null) {
            throw new CommandException(ErrorCode.FLAG_NOT_FOUND, null, "flag '" + command.flag().flagKey()
                    + "' does not exist in environment '" + command.flag().environment() + "'");
        }
        if (command.expectedVersion() != null && command.expectedVersion() != current.getVersion()) {
            throw new CommandException(ErrorCode.VERSION_CONFLICT, "expectedVersion", "flag '" + command.flag().flagKey()
                    + "' is at version " + current.getVersion() + ", not " + command.expectedVersion()
                    + "; read it again and retry", current.getVersion());
        }
        if (command instanceof FlagCommand.Enable) {
            return current.getEnabled() ? null : new FlagEnabled();
        }
        if (command instanceof FlagCommand.Disable) {
            return current.getEnabled() ? new FlagDisabled() : null;
        }
        if (command instanceof FlagCommand.Kill) {
            return current.getKilled() ? null : new FlagKilled();
        }
        if (command instanceof FlagCommand.Revive) {
            return current.getKilled() ? new FlagRevived() : null;
        }
        throw new IllegalArgumentException("unknown command " + command);
    }
}
