package io.flagplane.ruleset;

import io.flagplane.evaluation.Evaluation;
import io.flagplane.evaluation.Flag;
import io.flagplane.evaluation.Segment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An immutable snapshot of every flag and segment a node serves, per environment. A new snapshot is built
 * for each batch of changes and swapped in whole ({@link RulesetStore}); readers never see a
 * half-applied batch and never lock.
 *
 * <p>Hot path: each environment's view is built once per snapshot over a plain HashMap that is
 * never mutated after construction, so {@link #view(String)} allocates nothing and a flag lookup
 * is one hash probe. Each flag's usage counters hang on the flag itself ({@link Flag#attachment()}),
 * so the engine's {@link io.flagplane.evaluation.FlagView#evaluated} hook counts an evaluation
 * without a second lookup.
 */
public final class Ruleset {

    public static final Ruleset EMPTY = new Ruleset(Map.of(), 0);

    private static final HashMap<String, Flag> NO_FLAGS = new HashMap<>();
    private static final HashMap<String, Segment> NO_SEGMENTS = new HashMap<>();
    private static final HashMap<String, FlagUsageCounters> NO_COUNTERS = new HashMap<>();

    private static final RulesetView NOTHING = new RulesetView() {
        @Override
        public Flag flag(String key) {
            return null;
        }

    };

    /** One environment's flags, segments and usage counters; the maps are immutable once built. */
    private static final class EnvironmentView implements RulesetView {
        private final HashMap<String, Flag> flags;
        private final HashMap<String, Segment> segments;
        /** The flags' usage counters by flag key; empty when usage counting is off. */
        private final HashMap<String, FlagUsageCounters> counters;
        /** Where the counters come from; null when usage counting is off. */
        private final UsageCounters usage;
        /** Built on first use: the flags in key order, for answers that list them all. */
        private volatile List<Flag> sorted;
        /** Built on first use: prerequisite key → the keys of the flags that name it (empty for most environments). */
        private volatile Map<String, List<String>> dependants;

        EnvironmentView(HashMap<String, Flag> flags, HashMap<String, Segment> segments,
                        HashMap<String, FlagUsageCounters> counters, UsageCounters usage) {
            this.flags = flags;
            this.segments = segments;
            this.counters = counters;
            this.usage = usage != null && usage.isEnabled() ? usage : null;
        }

        /**
         * Counts a top-level evaluation with the flag in hand: its counters hang on the flag
         * ({@link Flag#attachment()}), so this is no second lookup by key — a probe that cost about
         * as much as counting itself (9–10 ns of a 16–19 ns evaluation in {@code EvaluationBenchmark},
         * where keys are not interned and are compared character by character).
         */
        @Override
        public void evaluated(Flag flag, Evaluation<?> result) {
            if (usage == null) {
                return;
            }
            if (flag.attachment() instanceof FlagUsageCounters counted && counted.owner() == usage) {
                counted.count(result);
            } else {
                count(flag.key(), result);   // a flag object another store attached first (tests, tools)
            }
        }

        private void count(String flagKey, Evaluation<?> result) {
            FlagUsageCounters counted = counters.get(flagKey);
            if (counted != null) {
                counted.count(result);
            }
        }

        @Override
        public Flag flag(String key) {
            return flags.get(key);
        }

        /** A prerequisite evaluated on the way to another flag's answer is a use of it too (else it would look inactive). */
        @Override
        public void prerequisiteEvaluated(String flagKey, Evaluation<?> served) {
            count(flagKey, served);
        }

        @Override
        public Segment segment(String key) {
            return segments.get(key);
        }
    }

    private final Map<String, EnvironmentView> byEnvironment;
    private final long generation;
    private final int size;

    private Ruleset(Map<String, EnvironmentView> byEnvironment, long generation) {
        this.byEnvironment = byEnvironment;
        this.generation = generation;
        this.size = byEnvironment.values().stream().mapToInt(v -> v.flags.size()).sum();
    }

    /** The segment, or null. */
    public Segment segment(String environment, String segmentKey) {
        EnvironmentView view = byEnvironment.get(environment);
        return view == null ? null : view.segments.get(segmentKey);
    }

    public Collection<Segment> segments(String environment) {
        EnvironmentView view = byEnvironment.get(environment);
        return view == null ? Collections.emptyList() : Collections.unmodifiableCollection(view.segments.values());
    }

    /**
     * The flags of one environment as the engine's view, with their usage counters; a view of
     * nothing for an unknown environment.
     */
    public RulesetView view(String environment) {
        EnvironmentView view = byEnvironment.get(environment);
        return view == null ? NOTHING : view;
    }

    /** The flag, or null. */
    public Flag flag(String environment, String flagKey) {
        EnvironmentView view = byEnvironment.get(environment);
        return view == null ? null : view.flags.get(flagKey);
    }

    /** The environment's flags in key order (computed once per snapshot), so every node lists them alike. */
    public List<Flag> sortedFlags(String environment) {
        EnvironmentView view = byEnvironment.get(environment);
        if (view == null) {
            return List.of();
        }
        List<Flag> sorted = view.sorted;
        if (sorted == null) {
            List<Flag> all = new ArrayList<>(view.flags.values());
            all.sort(Comparator.comparing(Flag::key));
            sorted = List.copyOf(all);
            view.sorted = sorted;
        }
        return sorted;
    }

    /**
     * The flags of one environment that name any of {@code flagKeys} as a prerequisite, directly
     * or through other prerequisites (their answers follow those flags'), not counting
     * {@code flagKeys} themselves. The index behind it is built once per snapshot, on first use.
     */
    public Set<String> dependantsOf(String environment, Collection<String> flagKeys) {
        EnvironmentView view = byEnvironment.get(environment);
        if (view == null) {
            return Set.of();
        }
        Map<String, List<String>> index = view.dependants;
        if (index == null) {
            Map<String, List<String>> built = new HashMap<>();
            for (Flag flag : view.flags.values()) {
                if (flag.hasPrerequisites()) {
                    for (String prerequisite : flag.prerequisiteKeys()) {
                        built.computeIfAbsent(prerequisite, k -> new ArrayList<>()).add(flag.key());
                    }
                }
            }
            index = built;
            view.dependants = index;
        }
        if (index.isEmpty()) {
            return Set.of();
        }
        Set<String> reached = new LinkedHashSet<>();
        ArrayDeque<String> pending = new ArrayDeque<>(flagKeys);
        while (!pending.isEmpty()) {
            for (String dependant : index.getOrDefault(pending.pop(), List.of())) {
                if (!flagKeys.contains(dependant) && reached.add(dependant)) {
                    pending.add(dependant);
                }
            }
        }
        return reached;
    }

    public Collection<Flag> flags(String environment) {
        EnvironmentView view = byEnvironment.get(environment);
        return view == null ? Collections.emptyList() : Collections.unmodifiableCollection(view.flags.values());
    }

    public Set<String> environments() {
        return byEnvironment.keySet();
    }

    /** Counts every applied change; two snapshots with the same generation hold the same flags and segments. */
    public long generation() {
        return generation;
    }

    /** How many flags, over every environment. */
    public int size() {
        return size;
    }

    /**
     * A copy with the given flags and segments put in or (null value) taken out; only touched
     * environments are copied. Each flag put in gets its counters from {@code usage}.
     */
    Ruleset with(Map<String, Map<String, Flag>> flagChanges, Map<String, Map<String, Segment>> segmentChanges,
                 long changeCount, UsageCounters usage) {
        Map<String, EnvironmentView> next = new HashMap<>(byEnvironment);
        Set<String> touched = new HashSet<>(flagChanges.keySet());
        touched.addAll(segmentChanges.keySet());
        for (String environment : touched) {
            EnvironmentView before = next.get(environment);
            HashMap<String, Flag> flags = patched(before == null ? NO_FLAGS : before.flags, flagChanges.get(environment));
            HashMap<String, Segment> segments = patched(before == null ? NO_SEGMENTS : before.segments,
                    segmentChanges.get(environment));
            HashMap<String, FlagUsageCounters> counters = patched(before == null ? NO_COUNTERS : before.counters,
                    countersFor(environment, flagChanges.get(environment), usage));
            if (flags.isEmpty() && segments.isEmpty()) {
                next.remove(environment);
            } else {
                next.put(environment, new EnvironmentView(flags, segments, counters, usage));
            }
        }
        return new Ruleset(Map.copyOf(next), generation + changeCount);
    }

    /** The counters of the changed flags (null for those taken out); nothing when counting is off. */
    private static Map<String, FlagUsageCounters> countersFor(String environment, Map<String, Flag> changes,
                                                              UsageCounters usage) {
        if (changes == null || !usage.isEnabled()) {
            return null;
        }
        Map<String, FlagUsageCounters> out = new HashMap<>();
        changes.forEach((key, flag) -> out.put(key, flag == null ? null : usage.forFlag(environment, flag)));
        return out;
    }

    private static <T> HashMap<String, T> patched(HashMap<String, T> before, Map<String, T> changes) {
        if (changes == null || changes.isEmpty()) {
            return before;
        }
        HashMap<String, T> after = new HashMap<>(before);
        changes.forEach((key, value) -> {
            if (value == null) {
                after.remove(key);
            } else {
                after.put(key, value);
            }
        });
        return after;
    }
}
