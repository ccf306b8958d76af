package io.flagplane.command.domain;

import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.SegmentState;
import io.flagplane.contract.SegmentRef;
import io.flagplane.contract.SegmentStateFold;
import java.time.Instant;
import java.util.List;

/** Segments: {@link SegmentState}, folded by {@link SegmentStateFold}, decided by {@link SegmentDecider}. */
final class SegmentAggregate implements Aggregate<SegmentState> {

    @Override
    public Class<SegmentRef> refType() {
        return SegmentRef.class;
    }

    @Override
    public Class<SegmentState> stateType() {
        return SegmentState.class;
    }

    @Override
    public long version(SegmentState state) {
        return state.getVersion();
    }

    @Override
    public String key(SegmentState state) {
        return state.getSegmentKey();
    }

    @Override
    public Instant lastChange(SegmentState state) {
        return state.getLastChange().getOccurredAt();
    }

    @Override
    public boolean owns(FlagEvent event) {
        return SegmentStateFold.isSegmentEvent(event);
    }

    @Override
    public SegmentRef targetOf(FlagEvent event) {
        return new SegmentRef(event.getEnvironment(), event.getFlagKey());
    }

    @Override
    public Folded<SegmentState> fold(SegmentState current, FlagEvent event) {
        SegmentStateFold.Result r = SegmentStateFold.apply(current, event);
        return new Folded<>(r.outcome(), r.state(), r.detail());
    }

    @Override
    public boolean decides(Command command) {
        return command instanceof Command.OnSegment;
    }

    @Override
    public List<Decision> decide(ReadModel model, Command command) {
        return SegmentDecider.decide(model, command);
    }

    @Override
    public void precheck(Command command) {
        SegmentDecider.precheck(command);
    }
}
