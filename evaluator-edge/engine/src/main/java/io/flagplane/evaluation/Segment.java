package io.flagplane.evaluation;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A reusable cohort (the seeds' tiers, cities, beta users), prepared for evaluation. A context
 * is in the segment when its targeting key is included, or when any rule's conditions all hold;
 * an excluded key is never in it. Segments may name other segments, to a depth of
 * {@value #MAX_DEPTH}.
 */
public final class Segment {

    static final int MAX_DEPTH = 8;

    private final String key;
    private final long version;
    private final HashSet<String> included;
    private final HashSet<String> excluded;
    private final Condition[][] rules;

    private Segment(Builder b) {
        this.key = b.key;
        this.version = b.version;
        this.included = new HashSet<>(b.included);
        this.excluded = new HashSet<>(b.excluded);
        this.rules = b.rules.stream().map(Condition::prepareAll).toArray(Condition[][]::new);
    }

    public static Builder builder(String key) {
        return new Builder(key);
    }

    public String key() {
        return key;
    }

    public long version() {
        return version;
    }

    /** The segments this segment's rules name. Computed on each call; not for the evaluation path. */
    public Set<String> segmentsReferenced() {
        Set<String> out = new TreeSet<>();
        for (Condition[] rule : rules) {
            Condition.collectSegments(rule, out);
        }
        return out;
    }

    boolean contains(EvaluationContext context, FlagView view, int depth) {
        if (depth > MAX_DEPTH) {
            return false;
        }
        String targetingKey = context.targetingKey();
        if (targetingKey != null) {
            if (excluded.contains(targetingKey)) {
                return false;
            }
            if (included.contains(targetingKey)) {
                return true;
            }
        }
        for (Condition[] rule : rules) {
            boolean all = true;
            for (Condition condition : rule) {
                if (!condition.matches(context, view, depth)) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    /** Collects a segment's parts. */
    public static final class Builder {
        private final String key;
        private long version;
        private final Set<String> included = new HashSet<>();
        private final Set<String> excluded = new HashSet<>();
        private final List<List<ConditionSpec>> rules = new ArrayList<>();

        private Builder(String key) {
            this.key = Objects.requireNonNull(key, "key");
        }

        public Builder version(long version) {
            this.version = version;
            return this;
        }

        public Builder include(Collection<String> targetingKeys) {
            included.addAll(targetingKeys);
            return this;
        }

        public Builder exclude(Collection<String> targetingKeys) {
            excluded.addAll(targetingKeys);
            return this;
        }

        /** A rule: all of its conditions must hold. */
        public Builder rule(List<ConditionSpec> conditions) {
            rules.add(List.copyOf(conditions));
            return this;
        }

        public Segment build() {
            return new Segment(this);
        }
    }
}
