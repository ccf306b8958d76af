package io.flagplane.command.domain;

import io.flagplane.avro.FlagEvent;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Every aggregate kind, registered once. The writer, the write model and the log reader reach a
 * kind's state type, version, fold and decider only through here, so a new kind is one more entry
 * in {@link #ALL} (and a value of {@link Target.Kind}).
 */
public final class Aggregates {

    /** In the order events are claimed: a kind that owns only some payloads before the flag kind, which owns the rest. */
    public static final List<Aggregate<?>> ALL = List.of(new EnvironmentAggregate(), new SegmentAggregate(), new FlagAggregate());

    private static final Map<Target.Kind, Aggregate<?>> BY_KIND = new EnumMap<>(Target.Kind.class);

    static {
        ALL.forEach(a -> BY_KIND.put(a.kind(), a));
        for (Target.Kind kind : Target.Kind.values()) {
            if (!BY_KIND.containsKey(kind)) {
                throw new IllegalStateException("no aggregate registered for " + kind);
            }
        }
    }

    private Aggregates() {
    }

    public static Aggregate<?> of(Target.Kind kind) {
        return BY_KIND.get(kind);
    }

    /** The kind an event belongs to. */
    public static Aggregate<?> of(FlagEvent event) {
        for (Aggregate<?> aggregate : ALL) {
            if (aggregate.owns(event)) {
                return aggregate;
            }
        }
        throw new IllegalArgumentException("no aggregate owns event " + event.getEventId());
    }

    /** The kind whose decider takes a command. */
    public static Aggregate<?> of(Command command) {
        for (Aggregate<?> aggregate : ALL) {
            if (aggregate.decides(command)) {
                return aggregate;
            }
        }
        throw new IllegalArgumentException("no aggregate decides " + command);
    }

    /** The target an event belongs to. */
    public static Target targetOf(FlagEvent event) {
        return of(event).targetOf(event);
    }

    /**
     * Checks everything about a command that does not depend on the current state (shapes, sizes,
     * operands, regexes, instants), so that a command that can only be refused is refused on the
     * caller's thread and never joins a batch with other callers' commands. {@link #decide} checks
     * all of it again against the state.
     */
    public static void precheck(Command command) {
        of(command).precheck(command);
    }

    /** Decides a command with its kind's pure decider; see {@link Aggregate#decide}. */
    public static List<Decision> decide(ReadModel model, Command command) {
        return of(command).decide(model, command);
    }
}
