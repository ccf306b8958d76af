package io.flagplane.evaluation;

/**
 * Why a condition's operands cannot be prepared, as a sentence for whoever wrote the rule (it
 * becomes {@link ConditionSpec#problem()}, which API users read): no class names, no library
 * text. Thrown and caught inside {@link Condition#prepare}; it carries no stack trace.
 */
final class OperandRefused extends RuntimeException {

    OperandRefused(String sentence) {
        super(sentence, null, false, false);
    }

    /** An operand as quoted in a sentence: shortened when long, so a refusal stays readable. */
    static String quote(String operand) {
        return "\"" + (operand.length() <= 64 ? operand : operand.substring(0, 61) + "...") + "\"";
    }
}
