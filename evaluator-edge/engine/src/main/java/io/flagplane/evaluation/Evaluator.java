package io.flagplane.evaluation;

/**
 * Evaluates flags. Never throws: an unknown flag, a type the flag does not have, a split with
 * nothing to bucket by, or anything unexpected serves the caller's default with reason
 * {@link Reason#ERROR} and an {@link ErrorCode}.
 *
 * <p>Order (seed 003, generalised): killed or disabled → off variant ({@code DISABLED});
 * prerequisites, in order → the off variant ({@code PREREQUISITE_FAILED}) at the first one not
 * met; deny
 * list → off ({@code DISABLED}); a flag without an off variant serves the caller's default there
 * instead, still {@code DISABLED} and without an error (the code default); allow list → its variant ({@code TARGETING_MATCH}); rules in
 * order, first match wins ({@code TARGETING_MATCH}, or {@code SPLIT} when the rule serves a
 * split); then the fallthrough ({@code DEFAULT}, {@code SPLIT}, or {@code STATIC} for a flag
 * with no targeting and no split).
 *
 * <p>A prerequisite is met when its flag, evaluated here for the same context against the same
 * view (so a kill of the prerequisite reaches its dependants in the same evaluation, with no
 * second hop), serves one of the variants named. A prerequisite that is missing, archived, off
 * without an off variant, or cannot be evaluated for the context (a split and no targeting key,
 * anything unexpected) is not met. Prerequisites nest (a prerequisite's own prerequisites are
 * checked when it is evaluated) at most {@value #MAX_PREREQUISITE_DEPTH} deep: deeper, or a cycle
 * in data the writer would have refused, is an error ({@link ErrorCode#GENERAL}), never a stack
 * overflow. A flag without prerequisites pays one array-length read for all this.
 *
 * <p>A result from the split the flag's RUNNING experiment measures is the pre-built exposure
 * instance of that variant ({@link Evaluation#experiment()} set); a split reached any other way
 * (another rule, a flag whose experiment is paused or stopped) and every other path (killed,
 * disabled, deny and allow lists, fixed serves) are not exposures.
 *
 * <p>Hot path: successful results are the flag's pre-built instances and bucketing hashes
 * characters in place, so a boolean evaluation allocates nothing.
 */
public final class Evaluator {

    /** Marks a split that had no value to bucket by; turned into an error with the caller's default. */
    private static final Evaluation<Object> NOTHING_TO_BUCKET = new Evaluation<>(null, null, Reason.ERROR,
            ErrorCode.TARGETING_KEY_MISSING, null, 0);
    /** Marks prerequisites nested too deep (a cycle) or too many of them; turned into an error with the caller's default. */
    private static final Evaluation<Object> PREREQUISITES_UNUSABLE = new Evaluation<>(null, null, Reason.ERROR,
            ErrorCode.GENERAL, null, 0);

    /** How deep prerequisites may nest: a flag's prerequisite's prerequisite … this many levels. The writer refuses deeper. */
    public static final int MAX_PREREQUISITE_DEPTH = 8;

    private Evaluator() {
    }

    /**
     * Evaluates {@code key} expecting {@code expected} values.
     *
     * @param expected     the type the caller asks for; null accepts any (OFREP, which has no types)
     * @param defaultValue served on any error
     */
    public static <T> Evaluation<T> evaluate(FlagView view, String key, FlagType expected, T defaultValue,
                                             EvaluationContext context) {
        Flag flag;
        try {
            flag = view.flag(key);
        } catch (RuntimeException e) {
            return Evaluation.error(defaultValue, ErrorCode.GENERAL, "ruleset lookup failed: " + e, 0);
        }
        if (flag == null) {
            return Evaluation.error(defaultValue, ErrorCode.FLAG_NOT_FOUND, "flag '" + key + "' not found", 0);
        }
        Evaluation<T> result = evaluateFound(view, flag, key, expected, defaultValue, context);
        try {
            view.evaluated(flag, result);
        } catch (RuntimeException e) {
            // counting is the view's business and must never change an answer
        }
        return result;
    }

    @SuppressWarnings("unchecked")
    private static <T> Evaluation<T> evaluateFound(FlagView view, Flag flag, String key, FlagType expected, T defaultValue,
                                                   EvaluationContext context) {
        if (flag.archived()) {
            return Evaluation.error(defaultValue, ErrorCode.FLAG_NOT_FOUND, "flag '" + key + "' is archived", 0);
        }
        if (expected != null && expected != flag.type()) {
            return Evaluation.error(defaultValue, ErrorCode.TYPE_MISMATCH, "flag '" + key + "' is of type "
                    + flag.type() + ", not " + expected, flag.version());
        }
        Evaluation<Object> decided;
        try {
            decided = decide(flag, context == null ? EvaluationContext.empty() : context, view, 0);
        } catch (RuntimeException e) {
            return Evaluation.error(defaultValue, ErrorCode.GENERAL, "evaluating '" + key + "' failed: " + e, flag.version());
        }
        if (decided == Flag.CODE_DEFAULT) {
            return flag.codeDefault(defaultValue);
        }
        if (decided == NOTHING_TO_BUCKET) {
            return Evaluation.error(defaultValue, ErrorCode.TARGETING_KEY_MISSING, "flag '" + key
                    + "' serves a split to this context, which has no targeting key (or bucketing attribute) to bucket by",
                    flag.version());
        }
        if (decided == PREREQUISITES_UNUSABLE) {
            return Evaluation.error(defaultValue, ErrorCode.GENERAL, "flag '" + key + "' cannot check its prerequisites: they"
                    + " nest more than " + MAX_PREREQUISITE_DEPTH + " deep (a cycle?) or one names more than "
                    + Flag.MAX_PREREQUISITES, flag.version());
        }
        if (decided.variant() == null && decided.reason() == Reason.PREREQUISITE_FAILED && defaultValue != null) {
            // no off variant: the caller's default, still saying which prerequisite failed
            return new Evaluation<>(defaultValue, null, Reason.PREREQUISITE_FAILED, null, null, decided.flagVersion(),
                    decided.flagMetadata(), null, decided.plan());
        }
        return (Evaluation<T>) decided;
    }

    private static Evaluation<Object> decide(Flag flag, EvaluationContext context, FlagView view, int depth) {
        if (flag.killed() || !flag.enabled()) {
            return flag.off();
        }
        Prerequisite[] prerequisites = flag.prerequisites();
        if (prerequisites.length > 0) {
            Evaluation<Object> failed = unmet(prerequisites, context, view, depth);
            if (failed != null) {
                return failed;
            }
        }
        String targetingKey = context.targetingKey();
        if (targetingKey != null && flag.hasTargets()) {
            int target = flag.target(targetingKey);   // both lists in one probe
            if (target == Flag.DENIED) {
                return flag.off();
            }
            if (target >= 0) {
                return flag.result(target, Reason.TARGETING_MATCH);
            }
        }
        for (Rule rule : flag.rules()) {
            if (rule.matches(context, view)) {
                return serve(flag, rule.serve, Reason.TARGETING_MATCH, context);
            }
        }
        return serve(flag, flag.fallthrough(), flag.fallthroughReason(), context);
    }

    /**
     * The result of the first prerequisite not met, {@link #PREREQUISITES_UNUSABLE}, or null when
     * every one is met. Each prerequisite flag is decided like any flag, one level deeper.
     */
    private static Evaluation<Object> unmet(Prerequisite[] prerequisites, EvaluationContext context, FlagView view, int depth) {
        if (depth >= MAX_PREREQUISITE_DEPTH || prerequisites.length > Flag.MAX_PREREQUISITES) {
            return PREREQUISITES_UNUSABLE;
        }
        for (Prerequisite prerequisite : prerequisites) {
            Flag required = view.flag(prerequisite.flagKey);
            if (required == null) {
                return prerequisite.failed(Prerequisite.Outcome.MISSING);
            }
            if (required.archived()) {
                return prerequisite.failed(Prerequisite.Outcome.ARCHIVED);
            }
            Evaluation<Object> served;
            try {
                served = decide(required, context, view, depth + 1);
            } catch (RuntimeException e) {
                return prerequisite.failed(Prerequisite.Outcome.NOT_EVALUABLE);
            }
            if (served == PREREQUISITES_UNUSABLE) {
                return served;
            }
            if (served == NOTHING_TO_BUCKET) {
                return prerequisite.failed(Prerequisite.Outcome.NOT_EVALUABLE);
            }
            String variant = served.variant();   // null: the prerequisite serves the code default
            if (variant == null) {
                return prerequisite.failed(Prerequisite.Outcome.NO_VARIANT);
            }
            view.prerequisiteEvaluated(prerequisite.flagKey, served);
            if (!prerequisite.accepts(variant)) {
                return prerequisite.failed(variant);
            }
        }
        return null;
    }

    private static Evaluation<Object> serve(Flag flag, Serve serve, Reason reason, EvaluationContext context) {
        if (serve instanceof Serve.Fixed fixed) {
            return flag.result(fixed.variant, reason);
        }
        Serve.Split split = (Serve.Split) serve;
        String value = split.bucketBy == null ? context.targetingKey() : Condition.text(context.attribute(split.bucketBy));
        if (value == null) {
            return NOTHING_TO_BUCKET;
        }
        int variant = split.variantFor(flag.bucketing().bucket(value));
        return serve == flag.measured() ? flag.exposure(variant) : flag.result(variant, Reason.SPLIT);
    }
}
