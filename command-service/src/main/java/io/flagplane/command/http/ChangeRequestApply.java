package io.flagplane.command.http;

import io.flagplane.avro.Actor;
import io.flagplane.avro.ChangeRequestState;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.domain.ReadModel;
import io.flagplane.command.log.CommandRequest;
import io.flagplane.contract.ChangeRequestRef;
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

    /** @param model what a plan command among the request's is started or rolled back from ({@link PlanChangeSets#expand}) */
    public static CommandRequest request(ReadModel model, ChangeRequestState state, Actor by, String reason) {
        ChangeRequestRef ref = new ChangeRequestRef(state.getEnvironment(), state.getId());
        List<Command> commands = new ArrayList<>();
        commands.add(new Command.ReviewChangeRequest(Command.Kind.APPLY_CHANGE_REQUEST, ref, by, null, null, null, state.getVersion()));
        commands.addAll(PlanChangeSets.expand(model, commandsOf(state)));
        return new CommandRequest(commands, by, reason == null ? "change request " + state.getId() + ": " + state.getContent().getTitle()
                : reason, null, null, false);
    }

    /** The commands a request holds; they parsed when it was opened, so a failure now means the vocabulary changed. */
    static List<Command> commandsOf(ChangeRequestState state) {
        try {
            return CommandJson.parseArray(state.getContent().getCommandsJson());
        } catch (CommandException e) {
            throw unreadable(state, (e.field() == null ? "" : e.field() + ": ") + e.getMessage());
        }
    }

    private static CommandException unreadable(ChangeRequestState state, String why) {
        return new CommandException(ErrorCode.INVALID_STATE, "commands", "change request '" + state.getId()
                + "' holds commands this service no longer reads (" + why + "); edit it", state.getVersion());
    }
}
