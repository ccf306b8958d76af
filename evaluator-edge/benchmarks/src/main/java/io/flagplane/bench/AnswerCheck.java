package io.flagplane.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks that an SDK gives the intended answer for every flag on every context before it is
 * measured (a benchmark of defaults is worthless): the oracle's answer for the deterministic
 * flags; for a 50/50 split (the oracle answers null), a share between 45 % and 55 % and the same
 * answer on a second ask.
 */
public final class AnswerCheck {

    /** A scenario's flags, contexts and intended answers, written independently of every SDK. */
    public interface Oracle {
        List<String> flags();

        int contexts();

        /** The intended answer, or null for a 50/50 split (checked by share, not per key). */
        Boolean expected(String flag, int context);

        String describe(int context);
    }

    /** The five flags of {@link Scenario}, the benchmark of issue 5. */
    public static final Oracle SCENARIO = new Oracle() {
        @Override
        public List<String> flags() {
            return Scenario.FLAGS;
        }

        @Override
        public int contexts() {
            return Scenario.CONTEXTS;
        }

        @Override
        public Boolean expected(String flag, int context) {
            return Scenario.expected(flag, Scenario.PEOPLE.get(context));
        }

        @Override
        public String describe(int context) {
            return Scenario.PEOPLE.get(context).toString();
        }
    };

    private AnswerCheck() {
    }

    /** Every disagreement with {@link Scenario}, empty when the SDK answers as intended. */
    public static List<String> problems(BenchmarkSdk sdk) {
        return problems(sdk, SCENARIO);
    }

    /** Every disagreement with the oracle, empty when the SDK answers as intended. */
    public static List<String> problems(BenchmarkSdk sdk, Oracle oracle) {
        List<String> problems = new ArrayList<>();
        for (String flag : oracle.flags()) {
            int on = 0;
            boolean split = false;
            for (int i = 0; i < oracle.contexts(); i++) {
                boolean answer = sdk.evaluate(flag, i);
                Boolean expected = oracle.expected(flag, i);
                split |= expected == null;
                if (expected != null && answer != expected) {
                    problems.add(sdk.name() + " " + flag + " " + oracle.describe(i) + ": " + answer + ", expected " + expected);
                }
                if (sdk.evaluate(flag, i) != answer) {
                    problems.add(sdk.name() + " " + flag + " " + oracle.describe(i) + ": answer not stable");
                }
                on += answer ? 1 : 0;
            }
            if (split) {
                double share = 100.0 * on / oracle.contexts();
                if (share < 45 || share > 55) {
                    problems.add(sdk.name() + " " + flag + ": " + share + " % on, expected about 50 %");
                }
            }
        }
        return problems;
    }

    /** Throws with the first few problems, for a benchmark's setup. */
    public static void require(BenchmarkSdk sdk) {
        require(sdk, SCENARIO);
    }

    /** Throws with the first few problems, for a benchmark's setup. */
    public static void require(BenchmarkSdk sdk, Oracle oracle) {
        List<String> problems = problems(sdk, oracle);
        if (!problems.isEmpty()) {
            throw new IllegalStateException(problems.size() + " wrong answers from " + sdk.name() + ", e.g. "
                    + problems.subList(0, Math.min(5, problems.size())));
        }
    }
}
