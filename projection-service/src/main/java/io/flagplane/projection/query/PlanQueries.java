package io.flagplane.projection.query;

import io.flagplane.avro.ReleaseSignal;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.contract.PlanRef;
import io.flagplane.contract.RecordKeys;
import io.flagplane.projection.guardrails.GuardrailStores;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * What this instance knows about rollout plans: the plans whose guardrails it evaluates (each as the
 * fold made it) and the release signals it published for them. Local and read-only; a plan lives
 * on one instance ({@link Router#remoteOwner(String, String)} on {@link GuardrailStores#PLANS}) and
 * a list asks every instance ({@link ClusterPlans}).
 */
public final class PlanQueries {

    private final LocalStores stores;

    public PlanQueries(LocalStores stores) {
        this.stores = stores;
    }

    /** The environment's plans held here, by key; none when this instance evaluates no plans. */
    public List<RolloutPlanState> plansLocal(String environment) {
        if (!stores.hosts(GuardrailStores.PLANS)) {
            return List.of();
        }
        String from = RecordKeys.ofPlanEvents(environment, "");
        String to = from.substring(0, from.length() - 1) + (char) (RecordKeys.PLAN_PREFIX.charAt(RecordKeys.PLAN_PREFIX.length() - 1) + 1);
        List<RolloutPlanState> plans = new ArrayList<>();
        try (KeyValueIterator<String, RolloutPlanState> range = stores.guardrailPlans().range(from, to)) {
            range.forEachRemaining(kv -> {
                if (kv.key.startsWith(from)) {
                    plans.add(kv.value);
                }
            });
        }
        return plans;
    }

    public Optional<RolloutPlanState> planLocal(PlanRef plan) {
        return Optional.ofNullable(stores.guardrailPlans().get(plan.eventKey()));
    }

    /** The latest signal published for the plan; empty when none (not running, or not evaluated yet). */
    public Optional<ReleaseSignal> latestSignalLocal(PlanRef plan) {
        try (KeyValueIterator<String, ReleaseSignal> range = stores.guardrailSignals().reverseRange(
                GuardrailStores.planFrom(plan.eventKey()), GuardrailStores.planTo(plan.eventKey()))) {
            return range.hasNext() ? Optional.of(range.next().value) : Optional.empty();
        }
    }

    /** The signals published for the plan at or after {@code sinceMs}, oldest first, at most {@code limit} (the newest ones). */
    public List<ReleaseSignal> signalsLocal(PlanRef plan, long sinceMs, int limit) {
        List<ReleaseSignal> newestFirst = new ArrayList<>();
        try (KeyValueIterator<String, ReleaseSignal> range = stores.guardrailSignals().reverseRange(
                GuardrailStores.signalKey(plan.eventKey(), sinceMs), GuardrailStores.planTo(plan.eventKey()))) {
            while (range.hasNext() && newestFirst.size() < limit) {
                newestFirst.add(range.next().value);
            }
        }
        List<ReleaseSignal> oldestFirst = new ArrayList<>(newestFirst);
        java.util.Collections.reverse(oldestFirst);
        return oldestFirst;
    }
}
