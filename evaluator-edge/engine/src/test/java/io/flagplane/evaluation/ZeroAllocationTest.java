package io.flagplane.evaluation;

import static io.flagplane.evaluation.Fixtures.all;
import static io.flagplane.evaluation.Fixtures.booleanFlag;
import static io.flagplane.evaluation.Fixtures.when;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ARCHITECTURE.md: "no allocation on the boolean path". Counts the bytes this thread allocates
 * over many evaluations of every kind of boolean flag (static, rules with short and long operand
 * lists on small and large contexts, split, lists, segments, a
 * disabled one without an off variant serving the code default, and one whose split a RUNNING
 * experiment measures, so that telling exposures apart costs nothing either).
 * Counting bytes, not time, so the machine's noise cannot make it flaky.
 */
class ZeroAllocationTest {

    @Test
    void evaluating_boolean_flags_allocates_nothing() {
        Segment beta = Segment.builder("beta").include(List.of("user-3")).rule(all(when("tier", "in", "enterprise"))).build();
        List<Flag> flags = List.of(
                booleanFlag("f.static").build(),
                booleanFlag("f.rules").fallthrough("off")
                        .rule("cohort", all(when("role", "in", "ADMIN"), when("city", "in", "Mumbai")), ServeSpec.variant("on"))
                        .rule("version", all(when("app", "semver_gte", "2.0.0"), when("age", "gt", "18")), ServeSpec.variant("on"))
                        .build(),
                booleanFlag("f.split").fallthrough(ServeSpec.rollout("on", 5_000, "off")).build(),
                booleanFlag("f.long-list").fallthrough("off")   // more operands than are scanned: hashed
                        .rule("cities", all(when("city", "in", "Mumbai", "Delhi", "Pune", "Goa", "Agra", "Kochi", "Surat",
                                "Indore", "Nagpur", "Patna")), ServeSpec.variant("on")).build(),
                booleanFlag("f.lists").fallthrough("off").deny(List.of("user-1")).allow("on", List.of("user-2")).build(),
                booleanFlag("f.segment").fallthrough("off")
                        .rule("beta", all(when("targetingKey", "in_segment", "beta")), ServeSpec.variant("on")).build(),
                booleanFlag("f.code-default").offVariant(null).enabled(false).metadata("team", "checkout").build(),
                booleanFlag("f.experiment").fallthrough(ServeSpec.rollout("on", 5_000, "off"))
                        .rule("pro", all(when("tier", "in", "enterprise")), ServeSpec.rollout("on", 2_000, "off"))
                        .experiment("checkout-test", null).build());
        FlagView view = Fixtures.view(flags, List.of(beta));
        EvaluationContext[] contexts = new EvaluationContext[16];
        for (int i = 0; i < contexts.length; i++) {
            Map<String, Object> attributes = new HashMap<>();
            attributes.put("role", i % 2 == 0 ? "ADMIN" : "CUSTOMER");
            attributes.put("city", "Mumbai");
            attributes.put("tier", i % 3 == 0 ? "enterprise" : "free");
            attributes.put("age", 20L + i);
            for (int extra = 0; i % 2 == 1 && extra < 8; extra++) {   // odd contexts: more attributes than are scanned
                attributes.put("extra" + extra, "x");
            }
            contexts[i] = EvaluationContext.of("user-" + i, attributes);
        }
        String[] keys = flags.stream().map(Flag::key).toArray(String[]::new);
        int[] on = {0};
        long allocated = AllocationMeter.bytesAllocated(50_000, 200_000, i -> on[0] += run(view, keys, contexts, i));

        assertThat(on[0]).isPositive();
        assertThat(allocated).as("bytes allocated by 200,000 evaluations").isLessThan(4_096);
    }

    private static int run(FlagView view, String[] keys, EvaluationContext[] contexts, int i) {
        return Evaluator.evaluate(view, keys[i % keys.length], FlagType.BOOLEAN, Boolean.FALSE, contexts[i & 15]).value() ? 1 : 0;
    }
}
