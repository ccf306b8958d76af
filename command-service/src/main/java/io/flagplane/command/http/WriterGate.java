package io.flagplane.command.http;

import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.log.CommandProcessor;

/**
 * Turns away every API request, reads included, while this instance is not the writer: a standby
 * holds no state (it reads the log only when elected), and one still reading the log holds part of
 * it. A fenced or recovering writer still answers reads from what it has; its writes are refused by
 * the writer itself.
 */
final class WriterGate {

    private WriterGate() {
    }

    static void check(CommandProcessor.State state) {
        if (state == CommandProcessor.State.STANDBY) {
            throw new CommandException(ErrorCode.WRITER_STANDBY, null, "this command-service instance is a standby;"
                    + " send requests to the active instance (the one whose /health/ready answers 200)");
        }
        if (state == CommandProcessor.State.STARTING) {
            throw new CommandException(ErrorCode.NOT_READY, null,
                    "the command-service is still reading the event log; retry in a moment");
        }
    }
}
