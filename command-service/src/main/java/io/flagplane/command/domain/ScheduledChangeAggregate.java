package io.flagplane.command.domain;

import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.ScheduledChangeState;
import io.flagplane.contract.AggregateRef;
import io.flagplane.contract.ScheduleRef;
import io.flagplane.contract.ScheduledChangeFold;
import java.time.Instant;
import java.util.List;

/** Scheduled changes: {@link ScheduledChangeState}, folded by {@link ScheduledChangeFold}, decided by {@link ScheduledChangeDecider}. */
final class ScheduledChangeAggregate implements Aggregate<ScheduledChangeState> {

    @Override
    public Class<? extends AggregateRef> refType() {
        return ScheduleRef.class;
    }

    @Override
    public Class<ScheduledChangeState> stateType() {
        return ScheduledChangeState.class;
    }

    @Override
    public long version(ScheduledChangeState state) {
        return state.getVersion();
    }

    @Override
    public String key(ScheduledChangeState state) {
        return state.getId();
    }

    @Override
    public Instant lastChange(ScheduledChangeState state) {
        return state.getLastChange().getOccurredAt();
    }

    @Override
    public boolean owns(FlagEvent event) {
        return ScheduledChangeFold.isScheduledChangeEvent(event);
    }

    @Override
    public ScheduleRef targetOf(FlagEvent event) {
        return new ScheduleRef(event.getEnvironment(), event.getFlagKey());
    }

    @Override
    public Folded<ScheduledChangeState> fold(ScheduledChangeState current, FlagEvent event) {
        ScheduledChangeFold.Result r = ScheduledChangeFold.apply(current, event);
        return new Folded<>(r.outcome(), r.state(), r.detail());
    }

    @Override
    public boolean decides(Command command) {
        return command instanceof Command.OnSchedule;
    }

    @Override
    public List<Decision> decide(ReadModel model, Command command) {
        return ScheduledChangeDecider.decide(model, (Command.OnSchedule) command);
    }

    @Override
    public void precheck(Command command) {
        ScheduledChangeDecider.precheck((Command.OnSchedule) command);
    }
}
