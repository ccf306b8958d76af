package io.flagplane.evaluation;

/** A targeting rule prepared for evaluation: all conditions must hold, then the serve applies. */
final class Rule {

    final String id;
    final Condition[] conditions;
    final Serve serve;

    Rule(String id, Condition[] conditions, Serve serve) {
        this.id = id;
        this.conditions = conditions;
        this.serve = serve;
    }

    boolean matches(EvaluationContext context, FlagView view) {
        for (Condition condition : conditions) {
            if (!condition.matches(context, view, 0)) {
                return false;
            }
        }
        return true;
    }
}
