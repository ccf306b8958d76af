package io.flagplane.evaluation;

/**
 * Evaluates flags. Never throws: an unknown flag, a type the flag does not have, or anything
 * unexpected serves the caller's default with reason {@link Reason#ERROR} and an
 * {@link ErrorCode}.
 *
 * <p>Order (seed 003, generalised): killed or disabled → off variant ({@code DISABLED}); deny
 * list → off ({@code DISABLED}); allow list → its variant ({@code TARGETING_MATCH}); then the
 * fallthrough ({@code DEFAULT}, or {@code STATIC} when the flag has nothing else to decide by).
 */
public final class Evaluator {

    private Evaluator() {
    }

    /**
     * Evaluates {@code key} expecting {@code expected} values.
     *
     * @param expected     the type the caller asks for; null accepts any (OFREP, which has no types)
     * @param defaultValue served on any error
     */
    @SuppressWarnings("unchecked")
    public static <T> Evaluation<T> evaluate(FlagView view, String key, FlagType expected, T defaultValue,
                                             EvaluationContext context) {
        Flag flag;
        try {
            flag = view.flag(key);
        } catch (RuntimeException e) {
            return Evaluation.error(defaultValue, ErrorCode.GENERAL, "ruleset lookup failed: " + e, 0);
        }
        if (flag == null || flag.archived()) {
            return Evaluation.error(defaultValue, ErrorCode.FLAG_NOT_FOUND,
                    flag == null ? "flag '" + key + "' not found" : "flag '" + key + "' is archived", 0);
        }
        if (expected != null && expected != flag.type()) {
            return Evaluation.error(defaultValue, ErrorCode.TYPE_MISMATCH, "flag '" + key + "' is of type "
                    + flag.type() + ", not " + expected, flag.version());
        }
        try {
            return (Evaluation<T>) decide(flag, context);
        } catch (RuntimeException e) {
            return Evaluation.error(defaultValue, ErrorCode.GENERAL, "evaluating '" + key + "' failed: " + e, flag.version());
        }
    }

    private static Evaluation<Object> decide(Flag flag, EvaluationContext context) {
        if (flag.killed() || !flag.enabled()) {
            return flag.result(flag.offVariant(), Reason.DISABLED);
        }
        String targetingKey = context.targetingKey();
        if (targetingKey != null) {
            if (flag.denies(targetingKey)) {
                return flag.result(flag.offVariant(), Reason.DISABLED);
            }
            int allowed = flag.allowedVariant(targetingKey);
            if (allowed >= 0) {
                return flag.result(allowed, Reason.TARGETING_MATCH);
            }
        }
        return flag.result(flag.fallthroughVariant(), flag.fallthroughReason());
    }
}
