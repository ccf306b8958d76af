package io.flagplane.command.domain;

import io.flagplane.avro.ChangeRequestContent;
import io.flagplane.avro.ScheduledChangeApplied;
import io.flagplane.avro.ScheduledChangeCancelled;
import io.flagplane.avro.ScheduledChangeCreated;
import io.flagplane.avro.ScheduledChangeFailed;
import io.flagplane.avro.ScheduledChangeState;
import io.flagplane.avro.ScheduledChangeStatus;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Decides what a scheduled-change command becomes. A scheduled change holds any flag, segment,
 * experiment or kill-by-tag command of its environment (the command API's change-set JSON), to
 * apply at {@code applyAt}: ahead of the time it is asked for, and at most {@link #MAX_AHEAD} ahead.
 * Created PENDING; it then ends once, APPLIED, FAILED or CANCELLED, and nothing moves it after that.
 *
 * <p>Applying is decided against the version the release controller read (a PENDING change is
 * always at version 1), so a retry, an overlapping tick or a standby that takes over cannot apply
 * it twice: the second attempt finds it APPLIED and is refused. Unless the change says
 * {@code applyIfMoved}, applying refuses with {@code MOVED_SINCE_SCHEDULED} when a flag or segment
 * it touches is no longer at the version it was at when scheduled; the controller then records
 * the failure ({@code ScheduledChangeFailed}) instead of overwriting anything. The change's own
 * commands follow {@code ScheduledChangeApplied} in the same change set (built by the caller) and
 * are decided by their own kinds' deciders, so a refusal of any of them refuses all of it.
 *
 * <p>Pure: no I/O and no clock ({@code CreateSchedule} carries the instant it was asked at).
 */
public final class ScheduledChangeDecider {

    /** How far ahead a change may be scheduled. */
    public static final Duration MAX_AHEAD = Duration.ofDays(366);
    public static final int MAX_WHY = 4_000;

    private ScheduledChangeDecider() {
    }

    /** Shapes, sizes and instants, before any state is looked at. */
    static void precheck(Command.OnSchedule command) {
        if (command instanceof Command.CreateSchedule create) {
            checkContent(create);
            if (create.applyAt() == null) {
                throw CommandException.invalid("applyAt", "applyAt is required: the instant to apply the change at, such as"
                        + " 2026-12-01T09:00:00Z");
            }
            if (!create.applyAt().isAfter(create.requestedAt())) {
                throw CommandException.invalid("applyAt", "applyAt (" + create.applyAt() + ") is not in the future (it is "
                        + create.requestedAt() + " now); to change something now, send the commands directly");
            }
            if (create.applyAt().isAfter(create.requestedAt().plus(MAX_AHEAD))) {
                throw CommandException.invalid("applyAt", "applyAt (" + create.applyAt() + ") is more than "
                        + MAX_AHEAD.toDays() + " days ahead; a change is scheduled at most a year ahead");
            }
        } else if (command instanceof Command.FailSchedule fail) {
            if (fail.code() == null || fail.why() == null || fail.why().isBlank()) {
                throw CommandException.invalid("why", "a failure names its code and says why");
            }
        }
    }

    private static void checkContent(Command.CreateSchedule create) {
        if (create.title() == null || create.title().isBlank() || create.title().length() > ChangeRequestDecider.MAX_TITLE) {
            throw CommandException.invalid("title", "title is 1 to " + ChangeRequestDecider.MAX_TITLE + " characters");
        }
        if (create.description() == null || create.description().isBlank()
                || create.description().length() > ChangeRequestDecider.MAX_DESCRIPTION) {
            throw CommandException.invalid("reason", "reason (why this change) is 1 to " + ChangeRequestDecider.MAX_DESCRIPTION
                    + " characters");
        }
        List<Command> commands = create.commands();
        if (commands.isEmpty() || commands.size() > ChangeRequestDecider.MAX_COMMANDS) {
            throw CommandException.invalid("commands", "a scheduled change holds 1 to " + ChangeRequestDecider.MAX_COMMANDS
                    + " commands");
        }
        for (int i = 0; i < commands.size(); i++) {
            Command inner = commands.get(i);
            if (!(inner instanceof Command.OnFlag || inner instanceof Command.OnSegment || inner instanceof Command.KillByTag
                    || inner instanceof Command.OnExperiment)) {
                throw CommandException.invalid("commands[" + i + "].action", "a scheduled change holds flag, experiment, segment"
                        + " and kill-by-tag commands (a rollout plan starts at its own startAt and runs itself)");
            }
            if (!inner.environment().equals(create.environment())) {
                throw CommandException.invalid("commands[" + i + "].environment", "a scheduled change in '" + create.environment()
                        + "' changes only that environment (this command is for '" + inner.environment() + "')");
            }
            try {
                Aggregates.precheck(inner);
            } catch (CommandException e) {
                throw e.under("commands[" + i + "]");
            }
        }
    }

    static List<Decision> decide(ReadModel model, Command.OnSchedule command) {
        // an archived environment takes no new change and applies none, but a pending one can still end there
        boolean changes = command instanceof Command.CreateSchedule || command instanceof Command.ApplySchedule;
        EnvironmentDecider.requireDeclared(model, command.environment(), changes);
        return List.of(new Decision(command.schedule(), decideSchedule(model, command)));
    }

    private static Object decideSchedule(ReadModel model, Command.OnSchedule command) {
        ScheduledChangeState current = (ScheduledChangeState) model.state(command.schedule());
        if (command instanceof Command.CreateSchedule create) {
            if (current != null) {
                throw new CommandException(ErrorCode.INVALID_STATE, "id", command.schedule().describe() + " already exists",
                        current.getVersion());
            }
            return new ScheduledChangeCreated(new ChangeRequestContent(create.title(), create.description(), create.commandsJson(),
                    Drafted.against(model, create.commands())), create.applyAt(), create.applyIfMoved());
        }
        if (current == null) {
            throw new CommandException(ErrorCode.SCHEDULE_NOT_FOUND, null, command.schedule().describe() + " does not exist");
        }
        command.requireVersion(current.getVersion(), command.schedule());
        if (current.getStatus() != ScheduledChangeStatus.PENDING) {
            String verb = command instanceof Command.CancelSchedule ? "cancelled" : command instanceof Command.ApplySchedule
                    ? "applied" : "failed";
            throw new CommandException(ErrorCode.INVALID_STATE, null, "scheduled change '" + current.getId() + "' is "
                    + current.getStatus().name().toLowerCase(Locale.ROOT) + " and cannot be " + verb, current.getVersion());
        }
        if (command instanceof Command.CancelSchedule) {
            return new ScheduledChangeCancelled();
        }
        if (command instanceof Command.FailSchedule fail) {
            String why = fail.why().length() > MAX_WHY ? fail.why().substring(0, MAX_WHY) : fail.why();
            return new ScheduledChangeFailed(fail.code().name(), why);
        }
        if (!current.getApplyIfMoved()) {
            requireUnmoved(model, current);
        }
        return new ScheduledChangeApplied(null);
    }

    /** Refuses with MOVED_SINCE_SCHEDULED, listing each flag or segment whose version is not the one scheduled against. */
    private static void requireUnmoved(ReadModel model, ScheduledChangeState current) {
        List<String> moved = Drafted.moved(model, current.getEnvironment(), current.getContent().getDraftedAgainst()).stream()
                .map(m -> m.key() + ": scheduled at version " + m.drafted() + ", now at " + m.now()).toList();
        if (!moved.isEmpty()) {
            throw new CommandException(ErrorCode.MOVED_SINCE_SCHEDULED, null, "scheduled change '" + current.getId() + "' was"
                    + " scheduled against versions that have moved (" + String.join("; ", moved) + "); it is not applied over them"
                    + " (schedule it again against the current state, or with \"applyIfMoved\": true)", current.getVersion(), moved);
        }
    }
}
