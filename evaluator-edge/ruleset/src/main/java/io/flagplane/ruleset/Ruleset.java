package io.flagplane.ruleset;

import io.flagplane.evaluation.Flag;
import io.flagplane.evaluation.FlagView;
import io.flagplane.evaluation.Segment;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
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
 * is one hash probe.
 */
public final class Ruleset {

    public static final Ruleset EMPTY = new Ruleset(Map.of(), 0);

    private static final HashMap<String, Flag> NO_FLAGS = new HashMap<>();
    private static final HashMap<String, Segment> NO_SEGMENTS = new HashMap<>();

    private static final FlagView NOTHING = key -> null;

    /** One environment's flags and segments; immutable once built. */
    private static final class EnvironmentView implements FlagView {
        private final HashMap<String, Flag> flags;
        private final HashMap<String, Segment> segments;
        /** Built on first use: the flags in key order, for answers that list them all. */
        private volatile List<Flag> sorted;

        EnvironmentView(HashMap<String, Flag> flags, HashMap<String, Segment> segments) {
            this.flags = flags;
            this.segments = segments;
        }

        @Override
        public Flag flag(String key) {
            return flags.get(key);
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

    /** The flags of one environment as the engine's view; a view of nothing for an unknown environment. */
    public FlagView view(String environment) {
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
     * environments are copied.
     */
    Ruleset with(Map<String, Map<String, Flag>> flagChanges, Map<String, Map<String, Segment>> segmentChanges,
                 long changeCount) {
        Map<String, EnvironmentView> next = new HashMap<>(byEnvironment);
        Set<String> touched = new HashSet<>(flagChanges.keySet());
        touched.addAll(segmentChanges.keySet());
        for (String environment : touched) {
            EnvironmentView before = next.get(environment);
            HashMap<String, Flag> flags = patched(before == null ? NO_FLAGS : before.flags, flagChanges.get(environment));
            HashMap<String, Segment> segments = patched(before == null ? NO_SEGMENTS : before.segments,
                    segmentChanges.get(environment));
            if (flags.isEmpty() && segments.isEmpty()) {
                next.remove(environment);
            } else {
                next.put(environment, new EnvironmentView(flags, segments));
            }
        }
        return new Ruleset(Map.copyOf(next), generation + changeCount);
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
