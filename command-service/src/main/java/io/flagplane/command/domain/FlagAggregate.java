package io.flagplane.command.domain;

import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagState;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.FlagStateFold;
import java.time.Instant;
import java.util.List;

/**
 * Flags: {@link FlagState}, folded by {@link FlagStateFold}, decided by {@link FlagDecider} (kill
 * by tag and experiments included). Owns every event no other kind owns, so it is registered last.
 */
final class FlagAggregate implements Aggregate<FlagState> {

    @Override
    public Class<FlagRef> refType() {
        return FlagRef.class;
    }

    @Override
    public Class<FlagState> stateType() {
        return FlagState.class;
    }

    @Override
    public long version(FlagState state) {
        return state.getVersion();
    }

    @Override
    public String key(FlagState state) {
        return state.getFlagKey();
    }

    @Override
    public Instant lastChange(FlagState state) {
        return state.getLastChange().getOccurredAt();
    }

    @Override
    public boolean owns(FlagEvent event) {
        return true;
    }

    @Override
    public FlagRef targetOf(FlagEvent event) {
        return new FlagRef(event.getEnvironment(), event.getFlagKey());
    }

    @Override
    public Folded<FlagState> fold(FlagState current, FlagEvent event) {
        FlagStateFold.Result r = FlagStateFold.apply(current, event);
        return new Folded<>(r.outcome(), r.state(), r.detail());
    }

    @Override
    public boolean decides(Command command) {
        return command instanceof Command.OnFlag || command instanceof Command.KillByTag
                || command instanceof Command.OnExperiment;
    }

    @Override
    public List<Decision> decide(ReadModel model, Command command) {
        return FlagDecider.decide(model, command);
    }

    @Override
    public void precheck(Command command) {
        FlagDecider.precheck(command);
    }
}
