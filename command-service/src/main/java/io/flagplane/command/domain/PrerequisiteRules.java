package io.flagplane.command.domain;

import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.Prerequisite;
import io.flagplane.avro.Variant;
import io.flagplane.contract.FlagRef;
import io.flagplane.evaluation.Evaluator;
import io.flagplane.evaluation.Flag;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules of prerequisite flags (seed 000: {@code charges.ui} only where {@code charges.engine}
 * is on), kept apart from the flag decider as {@link ExperimentRules} are. Pure.
 *
 * <ul>
 *   <li>Shape ({@link #checkShape}, no state needed): at most {@value Flag#MAX_PREREQUISITES}
 *       prerequisites, each naming another flag once, in dot notation, and one or more variants, each once.</li>
 *   <li>Against the environment ({@link #check}): each prerequisite names a live flag and variants
 *       it has; the flags' prerequisites stay free of cycles (the cycle is named, {@code a -> b -> a});
 *       no chain nests deeper than the engine follows ({@value Evaluator#MAX_PREREQUISITE_DEPTH}),
 *       and no flag's evaluation checks more than {@value #MAX_EVALUATIONS} prerequisites in all
 *       (diamonds count once per path: that is what the engine evaluates).</li>
 *   <li>A flag that live flags name cannot be archived, nor lose a variant they need
 *       ({@link ErrorCode#FLAG_HAS_DEPENDANTS}, naming them).</li>
 * </ul>
 *
 * <p>Archived flags keep their prerequisites and count for cycles (restoring one changes no
 * edge), but may not be named: a restored flag whose prerequisite is archived serves its off
 * variant, reason PREREQUISITE_FAILED, until the prerequisite is restored too.
 */
public final class PrerequisiteRules {

    /** The most prerequisite evaluations one evaluation may make, over every path. */
    public static final int MAX_EVALUATIONS = 32;

    private PrerequisiteRules() {
    }

    /** The checks that need no state: counts, names, duplicates, and that a flag does not name itself. */
    static void checkShape(String flagKey, List<Prerequisite> prerequisites) {
        if (prerequisites.size() > Flag.MAX_PREREQUISITES) {
            throw CommandException.invalid("prerequisites", "a flag may have at most " + Flag.MAX_PREREQUISITES
                    + " prerequisites, not " + prerequisites.size());
        }
        Set<String> named = new HashSet<>();
        for (int i = 0; i < prerequisites.size(); i++) {
            Prerequisite prerequisite = prerequisites.get(i);
            String path = "prerequisites[" + i + "]";
            Names.checkFlagKey(prerequisite.getFlagKey(), path + ".flagKey");
            if (prerequisite.getFlagKey().equals(flagKey)) {
                throw CommandException.invalid(path + ".flagKey", "a flag cannot be its own prerequisite ('" + flagKey + "')");
            }
            if (!named.add(prerequisite.getFlagKey())) {
                throw CommandException.invalid(path + ".flagKey", "prerequisite '" + prerequisite.getFlagKey()
                        + "' is named twice; list every variant it may serve in one entry");
            }
            List<String> variants = prerequisite.getVariants();
            if (variants.isEmpty()) {
                throw CommandException.invalid(path + ".variants", "a prerequisite names one or more variants of '"
                        + prerequisite.getFlagKey() + "' that meet it");
            }
            Set<String> seen = new HashSet<>();
            for (int v = 0; v < variants.size(); v++) {
                Names.checkVariantKey(variants.get(v), path + ".variants[" + v + "]");
                if (!seen.add(variants.get(v))) {
                    throw CommandException.invalid(path + ".variants[" + v + "]", "variant '" + variants.get(v)
                            + "' is listed twice");
                }
            }
        }
    }

    /**
     * Checks {@code definition}'s prerequisites for {@code flag} against the environment as it
     * is (with {@code definition} in place of the flag's current one). Nothing to check when the
     * prerequisites are those the flag already has: the rest of the environment kept them valid.
     */
    static void check(ReadModel model, FlagRef flag, FlagDefinition definition, FlagDefinition current) {
        List<Prerequisite> prerequisites = definition.getPrerequisites();
        checkShape(flag.key(), prerequisites);
        if (current != null && prerequisites.equals(current.getPrerequisites())) {
            return;
        }
        for (int i = 0; i < prerequisites.size(); i++) {
            Prerequisite prerequisite = prerequisites.get(i);
            String path = "prerequisites[" + i + "]";
            FlagState required = model.flag(flag.environment(), prerequisite.getFlagKey());
            if (required == null || required.getArchived()) {
                throw new CommandException(ErrorCode.PREREQUISITE_NOT_FOUND, path + ".flagKey", "prerequisite '"
                        + prerequisite.getFlagKey() + "' " + (required == null ? "does not exist" : "is archived")
                        + " in environment '" + flag.environment() + "'");
            }
            Set<String> variants = variantKeys(required.getDefinition());
            for (int v = 0; v < prerequisite.getVariants().size(); v++) {
                String variant = prerequisite.getVariants().get(v);
                if (!variants.contains(variant)) {
                    throw CommandException.invalid(path + ".variants[" + v + "]", "flag '" + prerequisite.getFlagKey()
                            + "' has no variant '" + variant + "' (it has " + String.join(", ", variants) + ")");
                }
            }
        }
        if (prerequisites.isEmpty()) {
            return;   // taking prerequisites away can neither close a cycle nor deepen a chain
        }
        Graph graph = Graph.of(model, flag, prerequisites);
        List<String> cycle = graph.cycleThrough(flag.key());
        if (!cycle.isEmpty()) {
            int index = indexOf(prerequisites, cycle.get(1));
            throw new CommandException(ErrorCode.PREREQUISITE_CYCLE, "prerequisites[" + index + "].flagKey",
                    "prerequisite '" + cycle.get(1) + "' would close a cycle: " + String.join(" -> ", cycle), null, cycle);
        }
        graph.checkCost(flag.key());
    }

    /** Refuses to archive a flag that live flags name as a prerequisite, naming them. */
    static void checkArchive(ReadModel model, FlagRef flag, long version) {
        List<String> dependants = liveDependants(model, flag, null);
        if (!dependants.isEmpty()) {
            throw new CommandException(ErrorCode.FLAG_HAS_DEPENDANTS, null, flag.describe() + " is a prerequisite of "
                    + dependants.size() + " live flag(s): " + String.join(", ", dependants)
                    + "; remove it from their prerequisites (or archive them) first", version, dependants);
        }
    }

    /** Refuses a new definition that drops a variant live dependants need, naming them. */
    static void checkVariantsKept(ReadModel model, FlagRef flag, FlagDefinition next, long version) {
        Set<String> kept = variantKeys(next);
        Set<String> lost = new LinkedHashSet<>();
        List<String> dependants = liveDependants(model, flag, prerequisite -> {
            boolean loses = false;
            for (String variant : prerequisite.getVariants()) {
                if (!kept.contains(variant)) {
                    lost.add(variant);
                    loses = true;
                }
            }
            return loses;
        });
        if (!dependants.isEmpty()) {
            throw new CommandException(ErrorCode.FLAG_HAS_DEPENDANTS, "variants", "variant(s) " + String.join(", ", lost)
                    + " of " + flag.describe() + " are named by the prerequisites of " + String.join(", ", dependants)
                    + "; change those prerequisites first", version, dependants);
        }
    }

    /** Live flags of the environment naming {@code flag} as a prerequisite (whose entry passes {@code which}, when given). */
    private static List<String> liveDependants(ReadModel model, FlagRef flag, java.util.function.Predicate<Prerequisite> which) {
        List<String> out = new ArrayList<>();
        for (FlagState other : model.flags(flag.environment())) {
            if (other.getArchived() || other.getFlagKey().equals(flag.key())) {
                continue;
            }
            for (Prerequisite prerequisite : other.getDefinition().getPrerequisites()) {
                if (prerequisite.getFlagKey().equals(flag.key()) && (which == null || which.test(prerequisite))) {
                    out.add(other.getFlagKey());
                    break;
                }
            }
        }
        return out;
    }

    private static int indexOf(List<Prerequisite> prerequisites, String flagKey) {
        for (int i = 0; i < prerequisites.size(); i++) {
            if (prerequisites.get(i).getFlagKey().equals(flagKey)) {
                return i;
            }
        }
        return 0;
    }

    private static Set<String> variantKeys(FlagDefinition definition) {
        Set<String> keys = new LinkedHashSet<>();
        for (Variant variant : definition.getVariants()) {
            keys.add(variant.getKey());
        }
        return keys;
    }

    /** The environment's prerequisite edges (archived flags' included), with the flag being written in its new shape. */
    private record Graph(Map<String, List<String>> edges) {

        static Graph of(ReadModel model, FlagRef flag, List<Prerequisite> prerequisites) {
            Map<String, List<String>> edges = new HashMap<>();
            for (FlagState other : model.flags(flag.environment())) {
                List<Prerequisite> named = other.getDefinition().getPrerequisites();
                if (!named.isEmpty()) {
                    edges.put(other.getFlagKey(), named.stream().map(Prerequisite::getFlagKey).toList());
                }
            }
            edges.put(flag.key(), prerequisites.stream().map(Prerequisite::getFlagKey).toList());
            return new Graph(edges);
        }

        /** {@code [flag, …, flag]}: a path from the flag back to itself through prerequisites; empty when there is none. */
        List<String> cycleThrough(String flag) {
            List<String> path = new ArrayList<>();
            path.add(flag);
            return search(flag, flag, path, new HashSet<>()) ? path : List.of();
        }

        private boolean search(String from, String target, List<String> path, Set<String> done) {
            for (String next : edges.getOrDefault(from, List.of())) {
                path.add(next);
                if (next.equals(target)) {
                    return true;
                }
                if (done.add(next) && search(next, target, path, done)) {
                    return true;
                }
                path.remove(path.size() - 1);
            }
            return false;
        }

        /**
         * Refuses when the flag, or any flag that reaches it, would nest prerequisites deeper than
         * the engine follows or check more of them than {@link #MAX_EVALUATIONS} in one evaluation.
         * The graph is acyclic here (every write keeps it so; the cycle check ran first).
         */
        void checkCost(String flag) {
            Map<String, int[]> memo = new HashMap<>();   // key -> {depth, evaluations}
            Set<String> affected = new LinkedHashSet<>();
            affected.add(flag);
            boolean grew = true;
            while (grew) {   // every flag that reaches the one written: only their costs can have grown
                grew = false;
                for (Map.Entry<String, List<String>> e : edges.entrySet()) {
                    if (!affected.contains(e.getKey()) && e.getValue().stream().anyMatch(affected::contains)) {
                        affected.add(e.getKey());
                        grew = true;
                    }
                }
            }
            for (String key : affected) {
                int[] cost = cost(key, memo, 0);
                if (cost[0] > Evaluator.MAX_PREREQUISITE_DEPTH) {
                    throw CommandException.invalid("prerequisites", "prerequisites would nest " + cost[0] + " deep under '"
                            + key + "'; evaluators follow at most " + Evaluator.MAX_PREREQUISITE_DEPTH + " levels");
                }
                if (cost[1] > MAX_EVALUATIONS) {
                    throw CommandException.invalid("prerequisites", "evaluating '" + key + "' would check " + cost[1]
                            + " prerequisites (counting each path); at most " + MAX_EVALUATIONS);
                }
            }
        }

        private int[] cost(String key, Map<String, int[]> memo, int guard) {
            int[] known = memo.get(key);
            if (known != null) {
                return known;
            }
            int depth = 0;
            int evaluations = 0;
            if (guard <= Evaluator.MAX_PREREQUISITE_DEPTH + 1) {   // old data with a cycle cannot recurse forever
                for (String next : edges.getOrDefault(key, List.of())) {
                    int[] below = cost(next, memo, guard + 1);
                    depth = Math.max(depth, below[0] + 1);
                    evaluations = (int) Math.min(Integer.MAX_VALUE / 2, (long) evaluations + 1 + below[1]);
                }
            } else {
                depth = Evaluator.MAX_PREREQUISITE_DEPTH + 1;
            }
            int[] cost = {depth, evaluations};
            memo.put(key, cost);
            return cost;
        }
    }
}
