package io.flagplane.evaluation;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A flag prepared for evaluation. Everything that can be worked out when the flag arrives is
 * worked out here, once: variant names become indexes, both target lists become one hash map,
 * conditions are parsed (regexes compiled, numbers, semvers and instants parsed), the bucketing
 * salt is pre-hashed, and every successful result the flag can produce is built up front, so that
 * serving one allocates nothing.
 *
 * <p>A flag may have no off variant: disabled, killed or denying a key, it then serves the
 * caller's default (the <em>code default</em>) with reason {@link Reason#DISABLED}. Those
 * results are pre-built for the boolean defaults and null, so the boolean path stays allocation-free.
 *
 * <p>A flag may carry a RUNNING experiment, which measures one of its splits (a rule's, or the
 * fallthrough's). The results that split serves are pre-built a second time, marked with the
 * experiment's key ({@link Evaluation#experiment()}), so telling an exposure apart costs one
 * reference comparison and no allocation, and a flag without an experiment is served exactly as
 * before. An experiment naming a rule the flag does not have, or a serve that is not a split,
 * marks nothing: the flag is still served (never refused for it, or a kill behind it would not
 * arrive).
 *
 * <p>A flag may name prerequisites (at most {@value #MAX_PREREQUISITES}): other flags that must
 * serve given variants to a context before this flag's own targeting applies. They are
 * evaluated by {@link Evaluator} against the same view; what this flag serves when one is not
 * met (its off variant, reason {@link Reason#PREREQUISITE_FAILED}, naming the prerequisite in its
 * metadata) is prepared here too ({@link Prerequisite}). A flag naming more is still built (a kill
 * must always arrive) but answers an error until it is fixed.
 *
 * <p>A flag may be under a running rollout plan ({@link #plan()}): every result it serves then
 * carries the plan's key, so a delivery layer logs it as a plan exposure.
 *
 * <p>Immutable and safe to share between threads. Build with {@link #builder(String, FlagType)};
 * {@link Builder#build()} refuses a flag whose serves name variants it does not have.
 */
public final class Flag {

    /** The most prerequisites a flag may name; the writer refuses more. */
    public static final int MAX_PREREQUISITES = 10;

    private final String key;
    private final FlagType type;
    private final Variant[] variants;
    /** Index of the off variant, or -1: no off variant, the caller's default is served instead. */
    private final int offVariant;
    private final Map<String, Object> metadata;
    private final Rule[] rules;
    private final Serve fallthrough;
    /**
     * Both target lists in one map, targeting key → the allow list's variant or {@link #DENIED}
     * (the deny list wins over the allow list), so one probe answers both: a key on neither list,
     * the usual case, costs one hash lookup instead of two. A HashMap never mutated after
     * construction: the fastest lookup on the hot path.
     */
    private final HashMap<String, Integer> targets;
    private final boolean hasTargets;
    private final boolean enabled;
    private final boolean killed;
    private final boolean archived;
    private final long version;
    /**
     * Whatever the holder of the ruleset keeps beside this flag (the evaluator's usage counters),
     * set once before the flag is published to evaluating threads; the engine never reads it. It
     * lets {@link FlagView#evaluated} reach it from the flag in hand instead of a second lookup by key.
     */
    private volatile Object attachment;
    private final String salt;
    private final Bucketing.Prefix bucketing;
    private final Reason fallthroughReason;
    /** results[variant][reason.ordinal()]: the shared success result for each pair. */
    private final Evaluation<Object>[][] results;
    /** The code-default results for the defaults a boolean caller passes, and for null. */
    private final Evaluation<Object> codeDefaultTrue;
    private final Evaluation<Object> codeDefaultFalse;
    private final Evaluation<Object> codeDefaultNull;
    /** The key of the RUNNING experiment measuring {@link #measured}, or null. */
    private final String experiment;
    /** The split the RUNNING experiment measures (a rule's serve or the fallthrough), or null. */
    private final Serve measured;
    /** exposures[variant]: the shared result of {@link #measured} for each variant, marked with the experiment. */
    private final Evaluation<Object>[] exposures;
    /** The key of the running rollout plan every result is marked with, or null. */
    private final String plan;
    /** Checked in order before the lists and rules; empty for most flags (one length read on the hot path). */
    private final Prerequisite[] prerequisites;

    @SuppressWarnings("unchecked")
    private Flag(Builder b) {
        this.key = b.key;
        this.type = b.type;
        this.variants = b.variants.toArray(new Variant[0]);
        this.offVariant = b.offVariant == null ? -1 : indexOf(b.offVariant, "offVariant");
        // sorted by key: every node renders equal flags to equal bytes (OFREP ETags)
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(new TreeMap<>(b.metadata)));
        List<Rule> rules = new ArrayList<>();
        for (Builder.RuleDraft draft : b.rules) {
            rules.add(new Rule(draft.id(), Condition.prepareAll(draft.conditions()), serve(draft.serve(), "rule " + draft.id())));
        }
        this.rules = rules.toArray(new Rule[0]);
        if (b.fallthrough == null) {
            throw new IllegalArgumentException("flag " + key + " has no fallthrough");
        }
        this.fallthrough = serve(b.fallthrough, "fallthrough");
        this.targets = new HashMap<>();
        b.allowed.forEach((targetingKey, variant) -> targets.put(targetingKey, indexOf(variant, "allow list")));
        b.denied.forEach(targetingKey -> targets.put(targetingKey, DENIED));
        this.hasTargets = !targets.isEmpty();
        this.enabled = b.enabled;
        this.killed = b.killed;
        this.archived = b.archived;
        this.version = b.version;
        this.salt = b.salt == null ? b.key : b.salt;
        this.bucketing = Bucketing.Prefix.of(salt);
        boolean targeted = this.rules.length > 0 || hasTargets;
        this.fallthroughReason = this.fallthrough instanceof Serve.Split ? Reason.SPLIT
                : targeted ? Reason.DEFAULT : Reason.STATIC;
        this.plan = b.plan;
        Reason[] reasons = Reason.values();
        this.results = new Evaluation[variants.length][reasons.length];
        for (int v = 0; v < variants.length; v++) {
            for (Reason reason : reasons) {
                if (reason != Reason.ERROR) {
                    results[v][reason.ordinal()] = new Evaluation<>(variants[v].value(), variants[v].key(), reason, null,
                            null, version, metadata, null, plan);
                }
            }
        }
        this.codeDefaultTrue = codeDefaultOf(Boolean.TRUE);
        this.codeDefaultFalse = codeDefaultOf(Boolean.FALSE);
        this.codeDefaultNull = codeDefaultOf(null);
        this.measured = b.experimentKey == null ? null : measuredSplit(b.experimentRuleId);
        this.experiment = measured == null ? null : b.experimentKey;
        this.exposures = new Evaluation[measured == null ? 0 : variants.length];
        for (int v = 0; v < exposures.length; v++) {
            exposures[v] = new Evaluation<>(variants[v].value(), variants[v].key(), Reason.SPLIT, null, null, version,
                    metadata, experiment, plan);
        }
        this.prerequisites = new Prerequisite[b.prerequisites.size()];
        for (int i = 0; i < prerequisites.length; i++) {
            Builder.PrerequisiteDraft draft = b.prerequisites.get(i);
            prerequisites[i] = new Prerequisite(draft.flagKey(), draft.variants(), this::prerequisiteFailure);
        }
    }

    /** Builds what this flag serves when a prerequisite is not met; see {@link Prerequisite}. */
    interface FailureFactory {
        Evaluation<Object> failure(String prerequisiteKey, String detail);
    }

    /**
     * The off variant (or, without one, no variant: the evaluator puts the caller's default in)
     * with reason PREREQUISITE_FAILED, and the flag's metadata plus the prerequisite's key and
     * the sentence saying why (sorted by key with the rest, so equal answers render to equal bytes).
     */
    private Evaluation<Object> prerequisiteFailure(String prerequisiteKey, String detail) {
        TreeMap<String, Object> sorted = new TreeMap<>(metadata);
        sorted.put(Evaluation.PREREQUISITE, prerequisiteKey);
        sorted.put(Evaluation.REASON_DETAIL, detail);
        Map<String, Object> withDetail = Collections.unmodifiableMap(new LinkedHashMap<>(sorted));
        return offVariant < 0
                ? new Evaluation<>(null, null, Reason.PREREQUISITE_FAILED, null, null, version, withDetail, null, plan)
                : new Evaluation<>(variants[offVariant].value(), variants[offVariant].key(), Reason.PREREQUISITE_FAILED, null,
                        null, version, withDetail, null, plan);
    }

    /** The split serve of the rule with this id (null: the fallthrough), or null when there is none. */
    private Serve measuredSplit(String ruleId) {
        Serve serve = null;
        if (ruleId == null) {
            serve = fallthrough;
        } else {
            for (Rule rule : rules) {
                if (rule.id.equals(ruleId)) {
                    serve = rule.serve;
                    break;
                }
            }
        }
        return serve instanceof Serve.Split ? serve : null;
    }

    private Evaluation<Object> codeDefaultOf(Object defaultValue) {
        return new Evaluation<>(defaultValue, null, Reason.DISABLED, null, null, version, metadata, null, plan);
    }

    private Serve serve(ServeSpec spec, String where) {
        if (spec.variant() != null) {
            return new Serve.Fixed(indexOf(spec.variant(), where));
        }
        int total = 0;
        int[] upper = new int[spec.split().size()];
        int[] indexes = new int[spec.split().size()];
        for (int i = 0; i < upper.length; i++) {
            ServeSpec.Weighted w = spec.split().get(i);
            if (w.weight() < 0) {
                throw new IllegalArgumentException("flag " + key + ", " + where + ": negative weight for " + w.variant());
            }
            total += w.weight();
            upper[i] = total;
            indexes[i] = indexOf(w.variant(), where);
        }
        if (total != Bucketing.BUCKETS) {
            throw new IllegalArgumentException("flag " + key + ", " + where + ": split weights add up to " + total
                    + " basis points, not " + Bucketing.BUCKETS);
        }
        return new Serve.Split(upper, indexes, spec.bucketBy());
    }

    private int indexOf(String variant, String what) {
        for (int i = 0; i < variants.length; i++) {
            if (variants[i].key().equals(variant)) {
                return i;
            }
        }
        throw new IllegalArgumentException("flag " + key + ": " + what + " names variant '" + variant
                + "', which the flag does not have");
    }

    public static Builder builder(String key, FlagType type) {
        return new Builder(key, type);
    }

    public String key() {
        return key;
    }

    public FlagType type() {
        return type;
    }

    /** What {@link #attach} set, or null. */
    public Object attachment() {
        return attachment;
    }

    /**
     * Keeps {@code value} beside this flag, if nothing is kept yet (a flag object belongs to one
     * ruleset). Call before the flag is handed to evaluating threads.
     *
     * @return whether it is now kept ({@code false}: something else already was)
     */
    public synchronized boolean attach(Object value) {
        if (attachment == null || attachment == value) {
            attachment = value;
            return true;
        }
        return false;
    }

    public long version() {
        return version;
    }

    public boolean enabled() {
        return enabled;
    }

    public boolean killed() {
        return killed;
    }

    public boolean archived() {
        return archived;
    }

    public String salt() {
        return salt;
    }

    public List<Variant> variants() {
        return List.of(variants);
    }

    /**
     * The segments this flag's rules name: when one of them changes, this flag's answers may
     * change. Computed on each call; not for the evaluation path.
     */
    public Set<String> segmentsReferenced() {
        Set<String> out = new TreeSet<>();
        for (Rule rule : rules) {
            Condition.collectSegments(rule.conditions, out);
        }
        return out;
    }

    /** Ids of rules with a condition that can never match (an unknown operator or a bad operand), and why. */
    public Map<String, String> unmatchableRules() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Rule rule : rules) {
            for (Condition c : rule.conditions) {
                String problem = Condition.problem(c);
                if (problem != null) {
                    out.putIfAbsent(rule.id, problem);
                }
            }
        }
        return out;
    }

    /** The flag's metadata (String, Boolean, Long or Double values), unmodifiable; empty when it has none. */
    public Map<String, Object> metadata() {
        return metadata;
    }

    /**
     * The key of the RUNNING experiment whose split this flag serves, or null: no experiment is
     * running (none, or it is a draft, paused or stopped), or it names a split the flag does not have.
     */
    public String experiment() {
        return experiment;
    }

    /** The key of the running rollout plan this flag's results are marked with, or null. */
    public String plan() {
        return plan;
    }

    /** Whether this flag names any prerequisite. */
    public boolean hasPrerequisites() {
        return prerequisites.length > 0;
    }

    /** The keys of the flags this flag names as prerequisites, in order; empty for most flags. Not for the evaluation path. */
    public List<String> prerequisiteKeys() {
        List<String> keys = new ArrayList<>(prerequisites.length);
        for (Prerequisite p : prerequisites) {
            keys.add(p.flagKey);
        }
        return keys;
    }

    /** The variants the prerequisite at {@code index} accepts. Not for the evaluation path. */
    public List<String> prerequisiteVariants(int index) {
        return prerequisites[index].variants();
    }

    /** The key of the variant served when the flag is off, killed or denies a key; null when it serves the code default. */
    public String offVariantKey() {
        return offVariant < 0 ? null : variants[offVariant].key();
    }

    /**
     * What an off flag serves: its off variant, or, without one, {@link #CODE_DEFAULT}, which the
     * evaluator swaps for {@link #codeDefault} with the caller's default.
     */
    Evaluation<Object> off() {
        return offVariant < 0 ? CODE_DEFAULT : results[offVariant][Reason.DISABLED.ordinal()];
    }

    /** Marks "serve the caller's default": never returned to a caller. */
    static final Evaluation<Object> CODE_DEFAULT = new Evaluation<>(null, null, Reason.DISABLED, null, null, 0);

    /** The code-default result for this default: pre-built for booleans and null, so they allocate nothing. */
    @SuppressWarnings("unchecked")
    <T> Evaluation<T> codeDefault(T defaultValue) {
        Evaluation<Object> result = defaultValue == null ? codeDefaultNull
                : defaultValue == Boolean.TRUE ? codeDefaultTrue
                : defaultValue == Boolean.FALSE ? codeDefaultFalse
                : codeDefaultOf(defaultValue);
        return (Evaluation<T>) result;
    }

    Rule[] rules() {
        return rules;
    }

    Prerequisite[] prerequisites() {
        return prerequisites;
    }

    Serve fallthrough() {
        return fallthrough;
    }

    Reason fallthroughReason() {
        return fallthroughReason;
    }

    Bucketing.Prefix bucketing() {
        return bucketing;
    }

    boolean hasTargets() {
        return hasTargets;
    }

    /** {@link #target}: the key is on the deny list. */
    static final int DENIED = -2;
    /** {@link #target}: the key is on neither list. */
    static final int NOT_TARGETED = -1;

    /** The allow-list variant for this targeting key, {@link #DENIED}, or {@link #NOT_TARGETED}: one probe. */
    int target(String targetingKey) {
        Integer v = targets.get(targetingKey);
        return v == null ? NOT_TARGETED : v;
    }

    Evaluation<Object> result(int variant, Reason reason) {
        return results[variant][reason.ordinal()];
    }

    /** The serve the RUNNING experiment measures, or null; compared by identity on the hot path. */
    Serve measured() {
        return measured;
    }

    /** The result of the measured split for this variant, marked as an exposure. */
    Evaluation<Object> exposure(int variant) {
        return exposures[variant];
    }

    @Override
    public String toString() {
        return "Flag[" + key + " v" + version + (killed ? " killed" : enabled ? " enabled" : " disabled")
                + (experiment == null ? "" : " experiment " + experiment) + (plan == null ? "" : " plan " + plan)
                + (prerequisites.length == 0 ? "" : " prerequisites " + prerequisiteKeys()) + "]";
    }

    /** Collects a flag's parts; {@link #build()} prepares and checks them. */
    public static final class Builder {
        private record RuleDraft(String id, List<ConditionSpec> conditions, ServeSpec serve) {
        }

        private record PrerequisiteDraft(String flagKey, List<String> variants) {
        }

        private final String key;
        private final FlagType type;
        private final List<Variant> variants = new ArrayList<>();
        private final List<RuleDraft> rules = new ArrayList<>();
        private final Map<String, String> allowed = new HashMap<>();
        private final Set<String> denied = new HashSet<>();
        private String offVariant;
        private ServeSpec fallthrough;
        private boolean enabled;
        private boolean killed;
        private boolean archived;
        private long version;
        private String salt;
        private final Map<String, Object> metadata = new LinkedHashMap<>();
        private String experimentKey;
        private String experimentRuleId;
        private String plan;
        private final List<PrerequisiteDraft> prerequisites = new ArrayList<>();

        private Builder(String key, FlagType type) {
            this.key = Objects.requireNonNull(key, "key");
            this.type = Objects.requireNonNull(type, "type");
        }

        public Builder variant(String variantKey, Object value) {
            variants.add(new Variant(variantKey, value));
            return this;
        }

        /** One metadata entry: a String, Boolean, Long (Integer is widened) or Double value. */
        public Builder metadata(String metadataKey, Object value) {
            Object v = value instanceof Integer i ? Long.valueOf(i) : value;
            if (!(v instanceof String || v instanceof Boolean || v instanceof Long || v instanceof Double)) {
                throw new IllegalArgumentException("flag " + key + ": metadata '" + metadataKey
                        + "' must be a string, boolean, integer or float, not " + value);
            }
            metadata.put(Objects.requireNonNull(metadataKey, "metadata key"), v);
            return this;
        }

        /** The variant served when the flag is off, killed or denies a key; null (the default) serves the caller's default there. */
        public Builder offVariant(String variant) {
            this.offVariant = variant;
            return this;
        }

        public Builder fallthrough(String variant) {
            return fallthrough(ServeSpec.variant(variant));
        }

        public Builder fallthrough(ServeSpec serve) {
            this.fallthrough = serve;
            return this;
        }

        /** Appends a rule; rules are tried in the order they were added. */
        public Builder rule(String id, List<ConditionSpec> conditions, ServeSpec serve) {
            rules.add(new RuleDraft(id, List.copyOf(conditions), serve));
            return this;
        }

        /** Serves {@code variant} to every key in {@code targetingKeys}. */
        public Builder allow(String variant, Collection<String> targetingKeys) {
            targetingKeys.forEach(k -> allowed.put(k, variant));
            return this;
        }

        /** Serves the off variant to every key in {@code targetingKeys}. */
        public Builder deny(Collection<String> targetingKeys) {
            denied.addAll(targetingKeys);
            return this;
        }

        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        public Builder killed(boolean killed) {
            this.killed = killed;
            return this;
        }

        public Builder archived(boolean archived) {
            this.archived = archived;
            return this;
        }

        public Builder version(long version) {
            this.version = version;
            return this;
        }

        public Builder salt(String salt) {
            this.salt = salt;
            return this;
        }

        /**
         * The flag's RUNNING experiment: its key, and the split it measures, the rule with id
         * {@code ruleId} or, when null, the fallthrough. Results from that split are exposures.
         * Paused, stopped and draft experiments are not given here: they log nothing.
         */
        public Builder experiment(String key, String ruleId) {
            this.experimentKey = Objects.requireNonNull(key, "experiment key");
            this.experimentRuleId = ruleId;
            return this;
        }

        /**
         * Appends a prerequisite: flag {@code flagKey} must serve one of {@code variants} to the
         * context, or this flag serves its off variant (reason PREREQUISITE_FAILED). Checked in
         * the order added, before the lists and rules. One naming no variant (which the writer
         * refuses) is never met; the flag is still built, so that a kill behind it arrives.
         */
        public Builder prerequisite(String flagKey, Collection<String> variants) {
            Objects.requireNonNull(flagKey, "prerequisite flag key");
            prerequisites.add(new PrerequisiteDraft(flagKey, List.copyOf(variants)));
            return this;
        }

        /** The running rollout plan measuring this flag (null: none): every result is then marked with its key. */
        public Builder plan(String planKey) {
            this.plan = planKey;
            return this;
        }

        public Flag build() {
            if (variants.isEmpty()) {
                throw new IllegalArgumentException("flag " + key + " has no variants");
            }
            return new Flag(this);
        }
    }
}
