package io.flagplane.evaluation;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One prerequisite of a flag, prepared: the flag it names, the variants that satisfy it, and the
 * results the dependant serves when it is not met, so that serving one allocates nothing.
 *
 * <p>What a failure says depends on what the prerequisite served, which the dependant cannot know
 * when it is built (the prerequisite changes on its own). The fixed outcomes (missing, archived,
 * no variant, not evaluable) are built with the flag; one result per variant the prerequisite
 * was seen serving is built the first time and kept, up to {@value #MAX_CACHED} of them (a
 * prerequisite has at most a few dozen variants; beyond that a failure is built each time).
 */
final class Prerequisite {

    /** Why a prerequisite was not met, besides serving a variant it does not accept. */
    enum Outcome {
        MISSING, ARCHIVED, NO_VARIANT, NOT_EVALUABLE
    }

    static final int MAX_CACHED = 64;

    final String flagKey;
    private final String[] variants;
    /** "on", or "a or b": what a detail sentence says is needed. */
    private final String needs;
    /** failures[outcome.ordinal()], built by the flag. */
    private final Evaluation<Object>[] failures;
    /** What the dependant serves when the prerequisite served the key's variant, built on first use. */
    private final ConcurrentHashMap<String, Evaluation<Object>> served = new ConcurrentHashMap<>();
    private final Flag.FailureFactory factory;

    @SuppressWarnings("unchecked")
    Prerequisite(String flagKey, List<String> variants, Flag.FailureFactory factory) {
        this.flagKey = flagKey;
        this.variants = variants.toArray(new String[0]);
        this.needs = variants.isEmpty() ? "a variant (none is named)" : String.join(" or ", variants);
        this.factory = factory;
        Outcome[] outcomes = Outcome.values();
        this.failures = new Evaluation[outcomes.length];
        for (Outcome outcome : outcomes) {
            failures[outcome.ordinal()] = factory.failure(flagKey, detail(outcome));
        }
    }

    List<String> variants() {
        return List.of(variants);
    }

    /** Whether serving {@code variant} meets this prerequisite. A loop over a handful of strings: no hashing, no allocation. */
    boolean accepts(String variant) {
        for (String v : variants) {
            if (v.equals(variant)) {
                return true;
            }
        }
        return false;
    }

    Evaluation<Object> failed(Outcome outcome) {
        return failures[outcome.ordinal()];
    }

    /** The dependant's result when the prerequisite served {@code variant}, which it does not accept. */
    Evaluation<Object> failed(String variant) {
        Evaluation<Object> result = served.get(variant);
        if (result != null) {
            return result;
        }
        result = factory.failure(flagKey, "prerequisite " + flagKey + " served " + variant + ", needs " + needs);
        if (served.size() < MAX_CACHED) {
            Evaluation<Object> raced = served.putIfAbsent(variant, result);
            return raced != null ? raced : result;
        }
        return result;
    }

    private String detail(Outcome outcome) {
        return switch (outcome) {
            case MISSING -> "prerequisite " + flagKey + " does not exist, needs " + needs;
            case ARCHIVED -> "prerequisite " + flagKey + " is archived, needs " + needs;
            case NO_VARIANT -> "prerequisite " + flagKey + " served no variant (it is off and has no off variant), needs " + needs;
            case NOT_EVALUABLE -> "prerequisite " + flagKey + " could not be evaluated for this context, needs " + needs;
        };
    }
}
