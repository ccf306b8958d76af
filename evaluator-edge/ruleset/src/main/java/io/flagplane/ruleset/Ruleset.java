package io.flagplane.ruleset;

import io.flagplane.evaluation.Flag;
import io.flagplane.evaluation.FlagView;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * An immutable snapshot of every flag a node serves, per environment. A new snapshot is built
 * for each batch of changes and swapped in whole ({@link RulesetStore}); readers never see a
 * half-applied batch and never lock.
 *
 * <p>Hot path: each environment's view is built once per snapshot over a plain HashMap that is
 * never mutated after construction, so {@link #view(String)} allocates nothing and a flag lookup
 * is one hash probe.
 */
public final class Ruleset {

    public static final Ruleset EMPTY = new Ruleset(Map.of(), 0);

    private static final FlagView NOTHING = key -> null;

    /** One environment's flags; immutable once built. */
    private static final class EnvironmentView implements FlagView {
        private final HashMap<String, Flag> flags;

        EnvironmentView(HashMap<String, Flag> flags) {
            this.flags = flags;
        }

        @Override
        public Flag flag(String key) {
            return flags.get(key);
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

    public Collection<Flag> flags(String environment) {
        EnvironmentView view = byEnvironment.get(environment);
        return view == null ? Collections.emptyList() : Collections.unmodifiableCollection(view.flags.values());
    }

    public Set<String> environments() {
        return byEnvironment.keySet();
    }

    /** Counts every applied change; two snapshots with the same generation hold the same flags. */
    public long generation() {
        return generation;
    }

    public int size() {
        return size;
    }

    /** A copy with the given flags put in or (null flag) taken out; only touched environments are copied. */
    Ruleset with(Map<String, Map<String, Flag>> changesByEnvironment, long changeCount) {
        Map<String, EnvironmentView> next = new HashMap<>(byEnvironment);
        changesByEnvironment.forEach((environment, changes) -> {
            EnvironmentView before = next.get(environment);
            HashMap<String, Flag> flags = before == null ? new HashMap<>() : new HashMap<>(before.flags);
            changes.forEach((key, flag) -> {
                if (flag == null) {
                    flags.remove(key);
                } else {
                    flags.put(key, flag);
                }
            });
            if (flags.isEmpty()) {
                next.remove(environment);
            } else {
                next.put(environment, new EnvironmentView(flags));
            }
        });
        return new Ruleset(Map.copyOf(next), generation + changeCount);
    }
}
