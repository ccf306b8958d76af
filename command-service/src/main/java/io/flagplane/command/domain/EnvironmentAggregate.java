package io.flagplane.command.domain;

import io.flagplane.avro.EnvironmentState;
import io.flagplane.avro.FlagEvent;
import io.flagplane.contract.EnvironmentRef;
import io.flagplane.contract.EnvironmentStateFold;
import java.time.Instant;
import java.util.List;

/** Environments: {@link EnvironmentState}, folded by {@link EnvironmentStateFold}, decided by {@link EnvironmentDecider}. */
final class EnvironmentAggregate implements Aggregate<EnvironmentState> {

    @Override
    public Class<EnvironmentRef> refType() {
        return EnvironmentRef.class;
    }

    @Override
    public Class<EnvironmentState> stateType() {
        return EnvironmentState.class;
    }

    @Override
    public long version(EnvironmentState state) {
        return state.getVersion();
    }

    @Override
    public String key(EnvironmentState state) {
        return state.getName();
    }

    @Override
    public Instant lastChange(EnvironmentState state) {
        return state.getLastChange().getOccurredAt();
    }

    @Override
    public boolean owns(FlagEvent event) {
        return EnvironmentStateFold.isEnvironmentEvent(event);
    }

    @Override
    public EnvironmentRef targetOf(FlagEvent event) {
        return new EnvironmentRef(event.getEnvironment());
    }

    @Override
    public Folded<EnvironmentState> fold(EnvironmentState current, FlagEvent event) {
        EnvironmentStateFold.Result r = EnvironmentStateFold.apply(current, event);
        return new Folded<>(r.outcome(), r.state(), r.detail());
    }

    @Override
    public boolean decides(Command command) {
        return command instanceof Command.OnEnvironment;
    }

    @Override
    public List<Decision> decide(ReadModel model, Command command) {
        return EnvironmentDecider.decide(model, command);
    }
}
