package io.flagplane.ruleset;

import io.flagplane.evaluation.Flag;
import io.flagplane.evaluation.FlagView;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * An immutable snapshot of every flag a node serves, per environment. A new snapshot is built
 * for each batch of changes and swapped in whole ({@link RulesetStore}); readers never see a
 * half-applied batch and never lock.
 */
public final class Ruleset {

    public static final Ruleset EMPTY = new Ruleset(Map.of(), 0);

    private final Map<String, Map<String, Flag>> byEnvironment;
    private final long generation;
    private final int size;

    private Ruleset(Map<String, Map<String, Flag>> byEnvironment, long generation) {
        this.byEnvironment = byEnvironment;
        this.generation = generation;
        this.size = byEnvironment.values().stream().mapToInt(Map::size).sum();
    }

    /** The flags of one environment as the engine's view; empty for an unknown environment. */
    public FlagView view(String environment) {
        Map<String, Flag> flags = byEnvironment.getOrDefault(environment, Map.of());
        return flags::get;
    }

    /** The flag, or null. */
    public Flag flag(String environment, String flagKey) {
        Map<String, Flag> flags = byEnvironment.get(environment);
        return flags == null ? null : flags.get(flagKey);
    }

    public Collection<Flag> flags(String environment) {
        return byEnvironment.getOrDefault(environment, Map.of()).values();
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
        Map<String, Map<String, Flag>> next = new HashMap<>(byEnvironment);
        changesByEnvironment.forEach((environment, changes) -> {
            Map<String, Flag> flags = new HashMap<>(next.getOrDefault(environment, Map.of()));
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
                next.put(environment, Map.copyOf(flags));
            }
        });
        return new Ruleset(Map.copyOf(next), generation + changeCount);
    }
}
