package io.flagplane.command.domain;

import io.flagplane.avro.FlagEvent;
import io.flagplane.contract.AggregateRef;
import io.flagplane.contract.FlagStateFold;
import java.time.Instant;
import java.util.List;

/**
 * One kind of aggregate (flag, segment, environment): the one place that knows its state type,
 * its version and last-change time, which events are its own, its fold and its decider. The
 * writer handles every kind through this interface, so a new kind is a new implementation
 * registered in {@link Aggregates}, never a new branch in the processor.
 *
 * @param <S> the state type (an Avro record such as {@code FlagState})
 */
public interface Aggregate<S> {

    /** What folding one event into a state did: the outcome, the state after it, and why when not APPLIED. */
    record Folded<S>(FlagStateFold.Outcome outcome, S state, String detail) {

        public boolean applied() {
            return outcome == FlagStateFold.Outcome.APPLIED;
        }
    }

    /** Which ref names one of this kind: one of the classes {@link AggregateRef} permits. */
    Class<? extends AggregateRef> refType();

    Class<S> stateType();

    long version(S state);

    /** The state's key within its environment (a flag key, a segment key, an environment's name). */
    String key(S state);

    /** When the state last changed (the occurredAt of its last event). */
    Instant lastChange(S state);

    /** Whether an event belongs to this kind. */
    boolean owns(FlagEvent event);

    /** The aggregate one of this kind's events belongs to. */
    AggregateRef targetOf(FlagEvent event);

    /** The pure fold: state (null before the first event) + event → state. */
    Folded<S> fold(S current, FlagEvent event);

    /** Whether this kind's decider takes the command. */
    boolean decides(Command command);

    /**
     * The pure decider: what the command becomes against the state as it is, one decision per
     * target it touches (a decision with a null payload writes nothing). Refuses with a
     * {@link CommandException}.
     */
    List<Decision> decide(ReadModel model, Command command);

    /** The state-independent checks of a command this kind decides; see {@link Aggregates#precheck}. */
    default void precheck(Command command) {
    }

    // ------------------------------------------------------------ untyped access, for the generic writer

    /** The version of a state of this kind, 0 for none. */
    default long versionOf(Object state) {
        return state == null ? 0 : version(stateType().cast(state));
    }

    default String keyOf(Object state) {
        return key(stateType().cast(state));
    }

    /** The last-change time of a state of this kind, null for none. */
    default Instant lastChangeOf(Object state) {
        return state == null ? null : lastChange(stateType().cast(state));
    }

    default Folded<S> foldUntyped(Object current, FlagEvent event) {
        return fold(current == null ? null : stateType().cast(current), event);
    }
}
