package io.flagplane.command.release;

import io.flagplane.avro.ReleaseSignal;
import io.flagplane.contract.PlanRef;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest guardrail verdicts per rollout plan, as the release controller reads them from
 * {@code release-signals}. {@link #poll} is called on the controller's thread before each tick;
 * {@code rewind} after this instance became the writer, so it reads back far enough to know the
 * latest signal of every running plan.
 */
public interface ReleaseSignals extends AutoCloseable {

    /** Reads what arrived since the last call (first reading back far enough, with {@code rewind}). */
    void poll(boolean rewind);

    /** The latest signal read for a plan (by when it was evaluated), or null. */
    ReleaseSignal latest(PlanRef plan);

    @Override
    default void close() {
    }

    /** Signals handed over in memory: tests that drive the controller without a broker. */
    final class InMemory implements ReleaseSignals {

        private final Map<PlanRef, ReleaseSignal> latest = new ConcurrentHashMap<>();

        public void publish(ReleaseSignal signal) {
            latest.merge(new PlanRef(signal.getEnvironment(), signal.getPlanKey()), signal,
                    (old, next) -> next.getEvaluatedAt().isBefore(old.getEvaluatedAt()) ? old : next);
        }

        @Override
        public void poll(boolean rewind) {
        }

        @Override
        public ReleaseSignal latest(PlanRef plan) {
            return latest.get(plan);
        }
    }
}
