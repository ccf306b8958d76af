package io.flagplane.command.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.avro.Actor;
import io.flagplane.avro.ScheduledChangeState;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.domain.ReadModel;
import io.flagplane.command.log.CommandRequest;
import io.flagplane.contract.ScheduleRef;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What applying a scheduled change writes, as one change set: first its own
 * {@code ScheduledChangeApplied} (decided against the version read, so it applies once; refused
 * with {@code MOVED_SINCE_SCHEDULED} when something it touches moved, unless it says
 * {@code applyIfMoved}), then its commands, parsed again from the JSON it holds and decided by
 * their own deciders. All of it commits in one transaction, or none of it. Used by the release
 * controller when the change is due and by the preview of the future, so both apply it the same way.
 */
public final class ScheduledChangeApply {

    private static final Pattern STEP = Pattern.compile("commands\\[(\\d+)]");

    private ScheduledChangeApply() {
    }

    /**
     * The request that applies {@code state} as {@code by}. Refuses with
     * {@code CHANGE_REQUEST_REQUIRED} when a command is now in a scope an approval policy protects
     * (a policy set after the change was scheduled), and with {@code INVALID_STATE} when its commands
     * no longer read.
     */
    public static CommandRequest request(ReadModel model, ScheduledChangeState state, Actor by) {
        List<Command> inner = commandsOf(state);
        ApprovalGate.checkHeld(model, inner);
        List<Command> commands = new ArrayList<>();
        commands.add(new Command.ApplySchedule(new ScheduleRef(state.getEnvironment(), state.getId()), by, state.getVersion()));
        commands.addAll(inner);
        return new CommandRequest(commands, by, "scheduled change " + state.getId() + " (" + state.getContent().getTitle()
                + ") due at " + state.getApplyAt() + ": " + state.getContent().getReason(), null, null, false);
    }

    /**
     * A refusal of the request {@link #request} builds, as the change would say it: its field
     * numbered as the change holds its commands ({@code commands[0]} is the change's first command;
     * the request puts the change's own step before them), then the sentence.
     */
    public static String why(CommandException refusal) {
        String field = refusal.field();
        if (field == null) {
            return refusal.getMessage();
        }
        Matcher numbered = STEP.matcher(field);
        if (numbered.lookingAt()) {
            int index = Integer.parseInt(numbered.group(1));
            field = index == 0 ? field.substring(numbered.end()).replaceFirst("^\\.", "")
                    : "commands[" + (index - 1) + "]" + field.substring(numbered.end());
        }
        return field.isEmpty() ? refusal.getMessage() : field + ": " + refusal.getMessage();
    }

    /** The commands a scheduled change holds; they parsed when it was created, so a failure now means the vocabulary changed. */
    static List<Command> commandsOf(ScheduledChangeState state) {
        JsonNode commands;
        try {
            commands = Json.MAPPER.readTree(state.getContent().getCommandsJson());
        } catch (IOException e) {
            throw unreadable(state, e.getMessage());
        }
        try {
            return CommandJson.parseAll(commands, state.getEnvironment(), Integer.MAX_VALUE);
        } catch (CommandException e) {
            throw unreadable(state, (e.field() == null ? "" : e.field() + ": ") + e.getMessage());
        }
    }

    private static CommandException unreadable(ScheduledChangeState state, String why) {
        return new CommandException(ErrorCode.INVALID_STATE, "commands", "scheduled change '" + state.getId()
                + "' holds commands this service no longer reads (" + why + ")", state.getVersion());
    }
}
