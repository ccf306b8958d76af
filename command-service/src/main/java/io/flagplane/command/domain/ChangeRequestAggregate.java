package io.flagplane.command.domain;

import io.flagplane.avro.ChangeRequestState;
import io.flagplane.avro.FlagEvent;
import io.flagplane.contract.AggregateRef;
import io.flagplane.contract.ChangeRequestRef;
import io.flagplane.contract.ChangeRequestStateFold;
import java.time.Instant;
import java.util.List;

/** Change requests: {@link ChangeRequestState}, folded by {@link ChangeRequestStateFold}, decided by {@link ChangeRequestDecider}. */
final class ChangeRequestAggregate implements Aggregate<ChangeRequestState> {

    @Override
    public Class<? extends AggregateRef> refType() {
        return ChangeRequestRef.class;
    }

    @Override
    public Class<ChangeRequestState> stateType() {
        return ChangeRequestState.class;
    }

    @Override
    public long version(ChangeRequestState state) {
        return state.getVersion();
    }

    @Override
    public String key(ChangeRequestState state) {
        return state.getId();
    }

    @Override
    public Instant lastChange(ChangeRequestState state) {
        return state.getLastChange().getOccurredAt();
    }

    @Override
    public boolean owns(FlagEvent event) {
        return ChangeRequestStateFold.isChangeRequestEvent(event);
    }

    @Override
    public ChangeRequestRef targetOf(FlagEvent event) {
        return new ChangeRequestRef(event.getEnvironment(), event.getFlagKey());
    }

    @Override
    public Folded<ChangeRequestState> fold(ChangeRequestState current, FlagEvent event) {
        ChangeRequestStateFold.Result r = ChangeRequestStateFold.apply(current, event);
        return new Folded<>(r.outcome(), r.state(), r.detail());
    }

    @Override
    public boolean decides(Command command) {
        return command instanceof Command.OnChangeRequest;
    }

    @Override
    public List<Decision> decide(ReadModel model, Command command) {
        return ChangeRequestDecider.decide(model, (Command.OnChangeRequest) command);
    }

    @Override
    public void precheck(Command command) {
        ChangeRequestDecider.precheck((Command.OnChangeRequest) command);
    }
}
