package io.flagplane.command.domain;

import io.flagplane.avro.Condition;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.SegmentArchived;
import io.flagplane.avro.SegmentCreated;
import io.flagplane.avro.SegmentReplaced;
import io.flagplane.avro.SegmentRule;
import io.flagplane.avro.SegmentState;
import io.flagplane.contract.SegmentRef;
import io.flagplane.evaluation.Operator;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Decides what a segment command becomes, given the segments (and the flags and segments that name
 * them) as they are. Pure: no I/O, no clock. A segment still named by a live flag or segment cannot
 * be archived.
 */
public final class SegmentDecider {

    private SegmentDecider() {
    }

    /** The checks of a segment command that do not depend on the current state. */
    static void precheck(Command command) {
        Predicate<String> anySegment = key -> true;
        if (command instanceof Command.CreateSegment create) {
            DefinitionRules.checkSegment(create.definition(), create.segment().key(), anySegment);
        } else if (command instanceof Command.ReplaceSegment replace) {
            DefinitionRules.checkSegment(replace.definition(), replace.segment().key(), anySegment);
        }
    }

    public static List<Decision> decide(ReadModel model, Command command) {
        EnvironmentDecider.requireDeclared(model, command.environment(), true);
        Command.OnSegment onSegment = (Command.OnSegment) command;
        return List.of(new Decision(onSegment.segment(), decideSegment(model, onSegment)));
    }

    private static Object decideSegment(ReadModel model, Command.OnSegment command) {
        SegmentRef target = command.segment();
        SegmentState current = model.segment(target.environment(), target.key());
        Predicate<String> segmentUsable = key -> {
            SegmentState segment = model.segment(target.environment(), key);
            return segment != null && !segment.getArchived();
        };
        if (command instanceof Command.CreateSegment create) {
            if (current != null) {
                throw new CommandException(ErrorCode.SEGMENT_ALREADY_EXISTS, "key", target.describe() + " already exists",
                        current.getVersion());
            }
            DefinitionRules.checkSegment(create.definition(), target.key(), segmentUsable);
            return new SegmentCreated(create.definition());
        }
        if (current == null) {
            throw new CommandException(ErrorCode.SEGMENT_NOT_FOUND, null, target.describe() + " does not exist");
        }
        command.requireVersion(current.getVersion(), target);
        if (command instanceof Command.ArchiveSegment) {
            if (current.getArchived()) {
                return null;
            }
            List<String> users = users(model, target);
            if (!users.isEmpty()) {
                throw new CommandException(ErrorCode.SEGMENT_IN_USE, null, target.describe() + " is used by " + users.size()
                        + " live flag(s) or segment(s): " + String.join(", ", users)
                        + "; change their rules first", current.getVersion(), users);
            }
            return new SegmentArchived();
        }
        if (current.getArchived()) {
            throw new CommandException(ErrorCode.INVALID_STATE, null, target.describe() + " is archived",
                    current.getVersion());
        }
        Command.ReplaceSegment replace = (Command.ReplaceSegment) command;
        DefinitionRules.checkSegment(replace.definition(), target.key(), segmentUsable);
        return replace.definition().equals(current.getDefinition()) ? null : new SegmentReplaced(replace.definition());
    }

    /** Live flags (and segments) whose rules name this segment. */
    private static List<String> users(ReadModel model, SegmentRef segment) {
        List<String> users = new ArrayList<>();
        for (FlagState flag : model.flags(segment.environment())) {
            if (!flag.getArchived() && flag.getDefinition().getRules().stream()
                    .anyMatch(rule -> names(rule.getConditions(), segment.key()))) {
                users.add(flag.getFlagKey());
            }
        }
        for (SegmentState other : model.segments(segment.environment())) {
            if (!other.getArchived() && other.getDefinition().getRules().stream().anyMatch(rule -> names(rule, segment.key()))) {
                users.add("segment:" + other.getSegmentKey());
            }
        }
        return users;
    }

    static boolean names(List<Condition> conditions, String segmentKey) {
        return conditions.stream().anyMatch(c -> Operator.IN_SEGMENT.wireName().equals(c.getOperator())
                && c.getValues().contains(segmentKey));
    }

    static boolean names(SegmentRule rule, String segmentKey) {
        return names(rule.getConditions(), segmentKey);
    }
}
