package io.flagplane.command.domain;

import io.flagplane.avro.FlagEvent;
import io.flagplane.contract.AggregateRef;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every aggregate kind, registered once. The writer, the write model and the log reader reach a
 * kind's state type, version, fold and decider only through here, so a new kind is one more entry
 * in {@link #ALL} (and one more ref {@link AggregateRef} permits).
 */
public final class Aggregates {

    /** In the order events are claimed: a kind that owns only some payloads before the flag kind, which owns the rest. */
    public static final List<Aggregate<?>> ALL = List.of(new EnvironmentAggregate(), new SegmentAggregate(),
            new ChangeRequestAggregate(), new ScheduledChangeAggregate(), new PlanAggregate(), new FlagAggregate());

    private static final Map<Class<?>, Aggregate<?>> BY_REF = new HashMap<>();

    static {
        ALL.forEach(a -> BY_REF.put(a.refType(), a));
        for (Class<?> refType : AggregateRef.class.getPermittedSubclasses()) {
            if (!BY_REF.containsKey(refType)) {
                throw new IllegalStateException("no aggregate registered for " + refType.getSimpleName());
            }
        }
    }

    private Aggregates() {
    }

    /** The kind a ref type names ({@code FlagRef.class}, ...). */
    public static Aggregate<?> of(Class<? extends AggregateRef> refType) {
        return BY_REF.get(refType);
    }

    /** The kind of the aggregate a ref names. */
    public static Aggregate<?> of(AggregateRef ref) {
        return BY_REF.get(ref.getClass());
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

    /** The aggregate an event belongs to. */
    public static AggregateRef targetOf(FlagEvent event) {
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
