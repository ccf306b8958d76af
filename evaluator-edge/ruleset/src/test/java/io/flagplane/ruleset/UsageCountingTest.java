package io.flagplane.ruleset;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.contract.FlagRef;
import io.flagplane.contract.SegmentRef;
import io.flagplane.evaluation.Evaluation;
import io.flagplane.evaluation.EvaluationContext;
import io.flagplane.evaluation.Evaluator;
import io.flagplane.evaluation.Flag;
import io.flagplane.evaluation.FlagType;
import io.flagplane.evaluation.Segment;
import io.flagplane.evaluation.ServeSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Usage counters held beside each flag in the snapshot, and what the store says it applied. */
class UsageCountingTest {

    private static final Instant NOW = Instant.parse("2026-11-21T09:00:00Z");
    private final RulesetStore store = new RulesetStore(UsageCounters.enabled(), Clock.fixed(NOW, ZoneOffset.UTC));
    private static final EvaluationContext USER = EvaluationContext.of("user-1");

    private static Flag flag(String key, long version, String serves, String... extraVariants) {
        Flag.Builder builder = Flag.builder(key, FlagType.BOOLEAN).variant("on", true).variant("off", false);
        for (String variant : extraVariants) {
            builder.variant(variant, true);
        }
        return builder.offVariant("off").fallthrough(serves).enabled(true).version(version).build();
    }

    private void put(String environment, Flag flag) {
        store.apply(List.of(new RulesetStore.Update(new FlagRef(environment, flag.key()), flag)));
    }

    private void evaluate(String environment, String key, FlagType type, int times) {
        RulesetView view = store.current().view(environment);
        for (int i = 0; i < times; i++) {
            Evaluator.evaluate(view, key, type, null, USER);   // the view counts what the engine served
        }
    }

    /** environment/flag/variant → count, as one harvest found them. */
    private Map<String, Long> harvest() {
        Map<String, Long> out = new TreeMap<>();
        store.usage().harvest((environment, flagKey, variant, count) ->
                out.merge(environment + "/" + flagKey + "/" + variant, count, Long::sum));
        return out;
    }

    @Test
    void a_prerequisite_evaluated_on_the_way_to_its_dependants_answer_is_counted_as_a_use_of_it() {
        put("production", flag("charges.engine", 1, "off"));
        put("production", Flag.builder("charges.ui", FlagType.BOOLEAN).variant("on", true).variant("off", false).offVariant("off")
                .fallthrough("on").enabled(true).version(1).prerequisite("charges.engine", List.of("on")).build());

        evaluate("production", "charges.ui", FlagType.BOOLEAN, 4);

        assertThat(harvest()).containsExactlyInAnyOrderEntriesOf(Map.of("production/charges.ui/off", 4L,
                "production/charges.engine/off", 4L));
    }

    @Test
    void each_evaluation_is_counted_under_its_flag_and_variant_and_errors_under_the_empty_variant() {
        put("production", flag("a.flag", 1, "on"));
        put("production", flag("b.flag", 1, "off"));
        put("staging", flag("a.flag", 4, "off"));

        evaluate("production", "a.flag", FlagType.BOOLEAN, 7);
        evaluate("production", "b.flag", FlagType.BOOLEAN, 2);
        evaluate("production", "a.flag", FlagType.STRING, 3);   // type mismatch: an error, the default served
        evaluate("staging", "a.flag", null, 5);
        evaluate("production", "no.such.flag", FlagType.BOOLEAN, 4);   // nothing to count it under

        assertThat(harvest()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "production/a.flag/on", 7L, "production/a.flag/", 3L, "production/b.flag/off", 2L, "staging/a.flag/off", 5L));
    }

    @Test
    void a_harvest_starts_the_counts_again_from_zero() {
        put("production", flag("a.flag", 1, "on"));
        evaluate("production", "a.flag", FlagType.BOOLEAN, 3);
        harvest();

        assertThat(harvest()).isEmpty();
        evaluate("production", "a.flag", FlagType.BOOLEAN, 2);
        assertThat(harvest()).containsExactly(Map.entry("production/a.flag/on", 2L));
    }

    @Test
    void counts_made_against_an_older_snapshot_and_a_new_version_land_on_the_same_flag() {
        put("production", flag("a.flag", 1, "on"));
        RulesetView before = store.current().view("production");
        put("production", flag("a.flag", 2, "beta", "beta"));

        Evaluator.evaluate(before, "a.flag", FlagType.BOOLEAN, null, USER);   // a request still on the old snapshot
        evaluate("production", "a.flag", FlagType.BOOLEAN, 2);

        assertThat(harvest()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "production/a.flag/on", 1L, "production/a.flag/beta", 2L));
    }

    @Test
    void counts_from_many_threads_add_up_exactly() throws Exception {
        put("production", flag("a.flag", 1, "on"));
        int threads = 4;
        int each = 50_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        for (int t = 0; t < threads; t++) {
            pool.execute(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                evaluate("production", "a.flag", FlagType.BOOLEAN, each);
            });
        }
        List<Long> harvestedMeanwhile = new ArrayList<>();
        start.countDown();
        for (int i = 0; i < 20; i++) {
            harvestedMeanwhile.add(harvest().getOrDefault("production/a.flag/on", 0L));
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        harvestedMeanwhile.add(harvest().getOrDefault("production/a.flag/on", 0L));

        assertThat(harvestedMeanwhile.stream().mapToLong(Long::longValue).sum())
                .as("every count lands in exactly one harvest").isEqualTo((long) threads * each);
    }

    @Test
    void counts_from_threads_that_ended_over_many_flags_are_each_harvested_once() throws Exception {
        for (int f = 0; f < 100; f++) {   // 100 flags, ten per thread
            put("production", flag("flag." + f, 1, f % 2 == 0 ? "on" : "off"));
        }
        for (int round = 0; round < 5; round++) {
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int first = t * 10;
                Thread thread = new Thread(() -> {
                    for (int f = first; f < first + 10; f++) {
                        evaluate("production", "flag." + f, FlagType.BOOLEAN, 1_000);
                    }
                });
                thread.start();
                threads.add(thread);
            }
            for (Thread thread : threads) {
                thread.join();
            }
            Map<String, Long> harvested = harvest();
            assertThat(harvested.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(8 * 10 * 1_000);
            assertThat(harvested).containsEntry("production/flag.0/on", 1_000L).containsEntry("production/flag.79/off", 1_000L)
                    .doesNotContainKey("production/flag.80/on");
        }
        assertThat(harvest()).as("nothing is reported twice").isEmpty();
    }

    @Test
    void one_flag_object_in_two_counting_stores_is_counted_once_in_each() {
        Flag shared = flag("a.flag", 1, "on");
        RulesetStore other = new RulesetStore(UsageCounters.enabled(), Clock.fixed(NOW, ZoneOffset.UTC));
        put("production", shared);   // this store's counters hang on the flag; the other store looks its own up by key
        other.apply(List.of(new RulesetStore.Update(new FlagRef("production", "a.flag"), shared)));

        evaluate("production", "a.flag", FlagType.BOOLEAN, 3);
        RulesetView otherView = other.current().view("production");
        for (int i = 0; i < 5; i++) {
            Evaluator.evaluate(otherView, "a.flag", FlagType.BOOLEAN, false, USER);
        }

        assertThat(harvest()).containsExactly(Map.entry("production/a.flag/on", 3L));
        Map<String, Long> seen = new TreeMap<>();
        other.usage().harvest((environment, flagKey, variant, count) -> seen.merge(flagKey + "/" + variant, count, Long::sum));
        assertThat(seen).containsExactly(Map.entry("a.flag/on", 5L));
    }

    @Test
    void with_counting_off_the_snapshot_holds_no_counters_and_counting_does_nothing() {
        RulesetStore off = new RulesetStore();
        off.apply(List.of(new RulesetStore.Update(new FlagRef("production", "a.flag"), flag("a.flag", 1, "on"))));
        RulesetView view = off.current().view("production");
        Evaluator.evaluate(view, "a.flag", FlagType.BOOLEAN, false, USER);

        List<String> seen = new ArrayList<>();
        off.usage().harvest((environment, flagKey, variant, count) -> seen.add(flagKey));
        assertThat(seen).isEmpty();
    }

    @Test
    void the_store_says_which_versions_it_applied_and_when_and_not_those_the_gate_dropped() {
        List<RulesetStore.Applied> applied = new ArrayList<>();
        store.onApplied(applied::add);
        put("production", flag("a.flag", 3, "on"));
        store.apply(List.of(
                new RulesetStore.Update(new FlagRef("production", "a.flag"), flag("a.flag", 2, "on")),
                new RulesetStore.Update(new FlagRef("production", "b.flag"), flag("b.flag", 1, "on"))),
                List.of(new RulesetStore.SegmentUpdate(new SegmentRef("production", "beta"),
                        Segment.builder("beta").version(6).include(List.of("user-1")).build())));
        store.apply(List.of(new RulesetStore.Update(new FlagRef("production", "b.flag"), null)));   // a removal: no version

        assertThat(applied).containsExactly(
                new RulesetStore.Applied(NOW, List.of(new RulesetStore.AppliedVersion(new FlagRef("production", "a.flag"), 3))),
                new RulesetStore.Applied(NOW, List.of(new RulesetStore.AppliedVersion(new FlagRef("production", "b.flag"), 1),
                        new RulesetStore.AppliedVersion(new SegmentRef("production", "beta"), 6))));
    }

    @Test
    void a_rule_serving_a_split_is_counted_per_variant_served() {
        put("production", Flag.builder("s.flag", FlagType.BOOLEAN).variant("on", true).variant("off", false).offVariant("off")
                .fallthrough(ServeSpec.rollout("on", 5_000, "off")).enabled(true).version(1).build());
        RulesetView view = store.current().view("production");
        int on = 0;
        for (int i = 0; i < 1_000; i++) {
            Evaluation<Boolean> result = Evaluator.evaluate(view, "s.flag", FlagType.BOOLEAN, false, EvaluationContext.of("u" + i));
            on += result.value() ? 1 : 0;
        }

        assertThat(harvest()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "production/s.flag/on", (long) on, "production/s.flag/off", 1_000L - on));
    }
}
