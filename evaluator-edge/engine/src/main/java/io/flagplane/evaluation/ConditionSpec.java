package io.flagplane.evaluation;

import java.util.List;
import java.util.Objects;

/** A condition as written: attribute, operator name, operands as text. Prepared by {@link Flag.Builder}. */
public record ConditionSpec(String attribute, String operator, List<String> values) {

    public ConditionSpec {
        Objects.requireNonNull(attribute, "attribute");
        Objects.requireNonNull(operator, "operator");
        values = List.copyOf(values);
    }

    public static ConditionSpec of(String attribute, String operator, String... values) {
        return new ConditionSpec(attribute, operator, List.of(values));
    }

    /**
     * Why this condition could never match (an unknown operator, a regex that does not compile,
     * an operand that does not parse), or null when it is sound. Writers use it to refuse such
     * conditions; evaluators simply never match them.
     */
    public String problem() {
        return Condition.problem(Condition.prepare(this));
    }
}
