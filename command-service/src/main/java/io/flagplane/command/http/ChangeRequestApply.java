package io.flagplane.command.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.avro.Actor;
import io.flagplane.avro.ChangeRequestState;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.log.CommandRequest;
import io.flagplane.contract.ChangeRequestRef;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What applying a change request writes, as one change set: first the request's own
 * {@code ChangeRequestApplied} (its decider refuses unless the request is approved and nothing it
 * touches moved since it was drafted), then its commands, parsed again from the JSON it holds and
 * decided by their own deciders. All of it commits in one transaction, or none of it. Used by the
 * apply route and by the scheduler, so a person and the clock apply a request the same way.
 */
public final class ChangeRequestApply {

    private ChangeRequestApply() {
    }

    public static CommandRequest request(ChangeRequestState state, Actor by, String reason) {
        ChangeRequestRef ref = new ChangeRequestRef(state.getEnvironment(), state.getId());
        List<Command> commands = new ArrayList<>();
        commands.add(new Command.ReviewChangeRequest(Command.Kind.APPLY_CHANGE_REQUEST, ref, by, null, null, null, state.getVersion()));
        commands.addAll(commandsOf(state));
        return new CommandRequest(commands, by, reason == null ? "change request " + state.getId() + ": " + state.getContent().getTitle()
                : reason, null, null, false);
    }

    /** The commands a request holds; they parsed when it was opened, so a failure now means the vocabulary changed. */
    static List<Command> commandsOf(ChangeRequestState state) {
        JsonNode commands;
        try {
            commands = Json.MAPPER.readTree(state.getContent().getCommandsJson());
        } catch (IOException e) {
            throw unreadable(state, e.getMessage());
        }
        List<Command> parsed = new ArrayList<>();
        for (int i = 0; i < commands.size(); i++) {
            try {
                parsed.add(CommandJson.parse(commands.get(i)));
            } catch (CommandException e) {
                throw unreadable(state, "commands[" + i + "]: " + e.getMessage());
            }
        }
        return parsed;
    }

    private static CommandException unreadable(ChangeRequestState state, String why) {
        return new CommandException(ErrorCode.INVALID_STATE, "commands", "change request '" + state.getId()
                + "' holds commands this service no longer reads (" + why + "); edit it", state.getVersion());
    }
}
