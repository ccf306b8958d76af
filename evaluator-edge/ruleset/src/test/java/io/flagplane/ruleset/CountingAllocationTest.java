package io.flagplane.ruleset;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.contract.FlagRef;
import io.flagplane.evaluation.AllocationMeter;
import io.flagplane.evaluation.Evaluation;
import io.flagplane.evaluation.EvaluationContext;
import io.flagplane.evaluation.Evaluator;
import io.flagplane.evaluation.Flag;
import io.flagplane.evaluation.FlagType;
import io.flagplane.evaluation.ServeSpec;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine's ZeroAllocationTest, one step out: evaluating a boolean flag through the ruleset's
 * view and counting it for the evaluator report allocates nothing either. Counts bytes, not time
 * ({@link AllocationMeter}, from the engine's test-jar).
 */
class CountingAllocationTest {

    @Test
    void evaluating_and_counting_boolean_flags_allocates_nothing() {
        RulesetStore store = new RulesetStore(UsageCounters.enabled(), Clock.systemUTC());
        List<Flag> flags = List.of(
                Flag.builder("f.static", FlagType.BOOLEAN).variant("on", true).variant("off", false).offVariant("off")
                        .fallthrough("on").enabled(true).version(1).build(),
                Flag.builder("f.split", FlagType.BOOLEAN).variant("on", true).variant("off", false).offVariant("off")
                        .fallthrough(ServeSpec.rollout("on", 5_000, "off")).enabled(true).version(1).build(),
                Flag.builder("f.lists", FlagType.BOOLEAN).variant("on", true).variant("off", false).offVariant("off")
                        .fallthrough("off").deny(List.of("user-1")).allow("on", List.of("user-2")).enabled(true).version(1).build());
        store.apply(flags.stream().map(f -> new RulesetStore.Update(new FlagRef("production", f.key()), f)).toList());
        String[] keys = flags.stream().map(Flag::key).toArray(String[]::new);
        EvaluationContext[] contexts = new EvaluationContext[16];
        for (int i = 0; i < contexts.length; i++) {
            contexts[i] = EvaluationContext.of("user-" + i);
        }
        RulesetView view = store.current().view("production");
        int[] on = {0};
        long allocated = AllocationMeter.bytesAllocated(50_000, 200_000, i -> on[0] += run(view, keys, contexts, i));

        assertThat(on[0]).isPositive();
        assertThat(allocated).as("bytes allocated by 200,000 counted evaluations").isLessThan(4_096);
    }

    private static int run(RulesetView view, String[] keys, EvaluationContext[] contexts, int i) {
        String key = keys[i % keys.length];
        Evaluation<Boolean> result = Evaluator.evaluate(view, key, FlagType.BOOLEAN, Boolean.FALSE, contexts[i & 15]);
        return result.value() ? 1 : 0;
    }
}
