package io.flagplane.evaluation;

/**
 * The one answer to "is this flag on for this user?", shared by every delivery layer (the edge
 * node's REST routes, the Java SDK's {@code isEnabled}) so that none can disagree with another.
 *
 * <p>An evaluation that failed is never on (whatever default it carries). Otherwise a result whose
 * value is a boolean is on when that value is {@code true}; any other result is on when it serves
 * a variant other than the flag's off variant. So a killed or disabled flag, or a key on the deny
 * list, is off for every type: each serves the off variant.
 */
public final class Enabled {

    private Enabled() {
    }

    /**
     * @param flag   the flag {@code result} was evaluated from (null when none was found)
     * @param result its evaluation for one context
     */
    public static boolean of(Flag flag, Evaluation<?> result) {
        if (result == null || result.isError()) {
            return false;
        }
        if (result.value() instanceof Boolean on) {
            return on;
        }
        return flag != null && result.variant() != null && !result.variant().equals(flag.offVariantKey());
    }

    /**
     * Evaluates {@code key} for {@code context} against one view and applies {@link #of}. Never
     * throws: an unknown, archived or failing flag is off.
     */
    public static boolean evaluate(FlagView view, String key, EvaluationContext context) {
        Evaluation<Object> result = Evaluator.evaluate(view, key, null, null, context);
        if (result.isError()) {
            return false;
        }
        Flag flag;
        try {
            flag = view.flag(key);
        } catch (RuntimeException e) {
            return false;
        }
        return of(flag, result);
    }
}
