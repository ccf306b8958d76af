package io.flagplane.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks that an SDK gives the intended answer for every flag on every context before it is
 * measured (a benchmark of defaults is worthless): the oracle's answer for the deterministic
 * flags; for the 50/50 split, a share between 45 % and 55 % and the same answer on a second ask.
 */
public final class AnswerCheck {

    private AnswerCheck() {
    }

    /** Every disagreement, empty when the SDK answers as intended. */
    public static List<String> problems(BenchmarkSdk sdk) {
        List<String> problems = new ArrayList<>();
        for (String flag : Scenario.FLAGS) {
            int on = 0;
            for (int i = 0; i < Scenario.CONTEXTS; i++) {
                boolean answer = sdk.evaluate(flag, i);
                Boolean expected = Scenario.expected(flag, Scenario.PEOPLE.get(i));
                if (expected != null && answer != expected) {
                    problems.add(sdk.name() + " " + flag + " " + Scenario.PEOPLE.get(i) + ": " + answer + ", expected " + expected);
                }
                if (sdk.evaluate(flag, i) != answer) {
                    problems.add(sdk.name() + " " + flag + " " + Scenario.PEOPLE.get(i).key() + ": answer not stable");
                }
                on += answer ? 1 : 0;
            }
            if (flag.equals(Scenario.SPLIT)) {
                double share = 100.0 * on / Scenario.CONTEXTS;
                if (share < 45 || share > 55) {
                    problems.add(sdk.name() + " " + flag + ": " + share + " % on, expected about 50 %");
                }
            }
        }
        return problems;
    }

    /** Throws with the first few problems, for a benchmark's setup. */
    public static void require(BenchmarkSdk sdk) {
        List<String> problems = problems(sdk);
        if (!problems.isEmpty()) {
            throw new IllegalStateException(problems.size() + " wrong answers from " + sdk.name() + ", e.g. "
                    + problems.subList(0, Math.min(5, problems.size())));
        }
    }
}
