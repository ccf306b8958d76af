package io.flagplane.command.domain;

import io.flagplane.avro.FlagDefinition;
import io.flagplane.contract.RecordKeys.FlagRef;

/**
 * A change an admin asks for, already parsed and checked for shape. Deciding whether it may
 * apply to the flag as it is now happens in {@link FlagDecider}.
 */
public sealed interface FlagCommand {

    FlagRef flag();

    /** The version the caller last saw, or null to apply to whatever is current. */
    Long expectedVersion();

    record Create(FlagRef flag, FlagDefinition definition, boolean enabled) implements FlagCommand {
        @Override
        public Long expectedVersion() {
            return null;
        }
    }

    record Enable(FlagRef flag, Long expectedVersion) implements FlagCommand {
    }

    record Disable(FlagRef flag, Long expectedVersion) implements FlagCommand {
    }

    record Kill(FlagRef flag, Long expectedVersion) implements FlagCommand {
    }

    record Revive(FlagRef flag, Long expectedVersion) implements FlagCommand {
    }
}
