package io.flagplane.command.log;

import io.flagplane.avro.FlagState;
import io.flagplane.command.domain.Aggregate;
import io.flagplane.command.domain.Aggregates;
import io.flagplane.command.domain.ReadModel;
import io.flagplane.contract.AggregateRef;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A read model with uncommitted states laid over another: the batch's decisions over the committed
 * model, and one request's decisions over the batch's. Whatever is laid over wins. Not thread-safe:
 * it lives on the writer thread for one batch.
 */
final class Overlay implements ReadModel {

    private final ReadModel base;
    private final Map<AggregateRef, Object> layer = new HashMap<>();

    Overlay(ReadModel base) {
        this.base = base;
    }

    void put(AggregateRef target, Object state) {
        layer.put(target, state);
    }

    void putAll(Map<AggregateRef, Object> states) {
        layer.putAll(states);
    }

    /** The states laid over the base, by target. */
    Map<AggregateRef, Object> layer() {
        return layer;
    }

    @Override
    public Object state(AggregateRef target) {
        return layer.containsKey(target) ? layer.get(target) : base.state(target);
    }

    /** An experiment created in this batch (or request) is on a flag laid over; any other, the base knows. */
    @Override
    public String experimentFlag(String environment, String experimentKey) {
        for (Map.Entry<AggregateRef, Object> e : layer.entrySet()) {
            if (e.getValue() instanceof FlagState flag && flag.getEnvironment().equals(environment)
                    && flag.getExperiments().stream().anyMatch(x -> x.getKey().equals(experimentKey))) {
                return flag.getFlagKey();
            }
        }
        return base.experimentFlag(environment, experimentKey);
    }

    @Override
    public Collection<?> all(Class<? extends AggregateRef> kind, String environment) {
        Aggregate<?> aggregate = Aggregates.of(kind);
        Map<String, Object> byKey = new TreeMap<>();
        base.all(kind, environment).forEach(state -> byKey.put(aggregate.keyOf(state), state));
        layer.forEach((target, state) -> {
            if (kind.isInstance(target) && target.environment().equals(environment)) {
                byKey.put(target.key(), state);
            }
        });
        return byKey.values();
    }
}
