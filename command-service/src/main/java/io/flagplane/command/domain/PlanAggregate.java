package io.flagplane.command.domain;

import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.contract.AggregateRef;
import io.flagplane.contract.PlanRef;
import io.flagplane.contract.RolloutPlanFold;
import java.time.Instant;
import java.util.List;

/** Rollout plans: {@link RolloutPlanState}, folded by {@link RolloutPlanFold}, decided by {@link PlanDecider}. */
final class PlanAggregate implements Aggregate<RolloutPlanState> {

    @Override
    public Class<? extends AggregateRef> refType() {
        return PlanRef.class;
    }

    @Override
    public Class<RolloutPlanState> stateType() {
        return RolloutPlanState.class;
    }

    @Override
    public long version(RolloutPlanState state) {
        return state.getVersion();
    }

    @Override
    public String key(RolloutPlanState state) {
        return state.getKey();
    }

    @Override
    public Instant lastChange(RolloutPlanState state) {
        return state.getLastChange().getOccurredAt();
    }

    @Override
    public boolean owns(FlagEvent event) {
        return RolloutPlanFold.isPlanEvent(event);
    }

    @Override
    public PlanRef targetOf(FlagEvent event) {
        return new PlanRef(event.getEnvironment(), event.getFlagKey());
    }

    @Override
    public Folded<RolloutPlanState> fold(RolloutPlanState current, FlagEvent event) {
        RolloutPlanFold.Result r = RolloutPlanFold.apply(current, event);
        return new Folded<>(r.outcome(), r.state(), r.detail());
    }

    @Override
    public boolean decides(Command command) {
        return command instanceof Command.OnPlan;
    }

    @Override
    public List<Decision> decide(ReadModel model, Command command) {
        return PlanDecider.decide(model, (Command.OnPlan) command);
    }

    @Override
    public void precheck(Command command) {
        PlanDecider.precheck((Command.OnPlan) command);
    }
}
