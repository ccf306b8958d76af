package io.flagplane.evaluation;

import com.google.re2j.Pattern;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A condition prepared for matching: operands are parsed once (sets built, regexes compiled,
 * numbers, semvers and instants parsed) when the flag arrives. An unknown operator, or an
 * operand that does not parse, gives a condition that never matches: an older evaluator must
 * survive a newer rule. Preparing never throws, whatever the spec.
 *
 * <p>Semantics: a missing attribute never matches (negated operators included). When the
 * attribute holds a list, a positive operator matches if any element does, a negated one if
 * none is in its set. An attribute value an operator cannot compare (a number that is not
 * finite, an instant outside the supported years, text that does not parse) does not match;
 * testing never throws.
 */
abstract class Condition {

    final String attribute;
    /** Decided once: the targeting key is a field of the context, not a map entry. */
    private final boolean targetingKey;

    Condition(String attribute) {
        this.attribute = attribute;
        this.targetingKey = EvaluationContext.TARGETING_KEY.equals(attribute);
    }

    boolean matches(EvaluationContext context, FlagView view, int depth) {
        Object value = targetingKey ? context.targetingKey() : context.attributeValue(attribute);
        if (value == null) {
            return false;
        }
        return test(value, context, view, depth);
    }

    abstract boolean test(Object value, EvaluationContext context, FlagView view, int depth);

    static Condition prepare(ConditionSpec spec) {
        Operator op = Operator.parse(spec.operator());
        if (op == null) {
            return new Never(spec.attribute(), "unknown operator " + spec.operator());
        }
        try {
            return prepare(op, spec.attribute(), spec.values());
        } catch (OperandRefused e) {
            return new Never(spec.attribute(), e.getMessage());
        } catch (RuntimeException e) {
            // not a refusal we foresaw: still never throw, and never show an exception's text to an API user
            return new Never(spec.attribute(), op.wireName() + " cannot use these operands");
        }
    }

    private static Condition prepare(Operator op, String attribute, List<String> values) {
        return switch (op) {
            case IN, EQ -> new InSet(attribute, new HashSet<>(values), false);
            case NOT_IN, NEQ -> new InSet(attribute, new HashSet<>(values), true);
            case STARTS_WITH, ENDS_WITH, CONTAINS -> new Text(attribute, op, values.toArray(new String[0]));
            case MATCHES -> {
                Pattern[] patterns = new Pattern[values.size()];
                for (int i = 0; i < patterns.length; i++) {
                    patterns[i] = MatchesPattern.compile(values.get(i));
                }
                yield new Regex(attribute, patterns);
            }
            case LT, LTE, GT, GTE -> new NumberCompare(attribute, op, NumberCompare.operand(op, single(op, values)));
            case SEMVER_EQ, SEMVER_LT, SEMVER_LTE, SEMVER_GT, SEMVER_GTE -> {
                String text = single(op, values);
                Semver operand = Semver.parse(text);
                if (operand == null) {
                    throw new OperandRefused(op.wireName() + " needs a semantic version such as 1.2.3, not "
                            + OperandRefused.quote(text));
                }
                yield new SemverCompare(attribute, op, operand);
            }
            case BEFORE, AFTER -> new TimeCompare(attribute, op == Operator.BEFORE, TimeCompare.operand(op, single(op, values)));
            case IN_SEGMENT -> new InSegment(attribute, values.toArray(new String[0]));
        };
    }

    private static String single(Operator op, List<String> values) {
        if (values.isEmpty()) {
            throw new OperandRefused(op.wireName() + " needs one operand");
        }
        return values.get(0);
    }

    /** Text for string operators: strings as they are, whole numbers without a decimal point, booleans and instants as text. */
    static String text(Object value) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof Number n) {
            double d = n.doubleValue();
            if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte) {
                return Long.toString(n.longValue());
            }
            return d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
        }
        if (value instanceof Boolean || value instanceof Instant) {
            return value.toString();
        }
        return null;
    }

    /** A condition that can never match, and says why. */
    static final class Never extends Condition {
        final String why;

        Never(String attribute, String why) {
            super(attribute);
            this.why = why;
        }

        @Override
        boolean test(Object value, EvaluationContext context, FlagView view, int depth) {
            return false;
        }
    }

    /**
     * {@code in}/{@code eq} and, negated, {@code not_in}/{@code neq}: membership in a hash set (a
     * HashSet, never mutated: it probes faster than the immutable Set.of implementations).
     */
    static final class InSet extends Condition {
        final HashSet<String> values;
        final boolean negate;

        InSet(String attribute, HashSet<String> values, boolean negate) {
            super(attribute);
            this.values = values;
            this.negate = negate;
        }

        @Override
        boolean test(Object value, EvaluationContext context, FlagView view, int depth) {
            if (value instanceof String s) {
                return values.contains(s) != negate;
            }
            if (value instanceof List<?> list) {
                for (Object item : list) {
                    String t = text(item);
                    if (t != null && values.contains(t)) {
                        return !negate;
                    }
                }
                return negate;
            }
            String t = text(value);
            return t != null && values.contains(t) != negate;
        }
    }

    /** {@code starts_with}, {@code ends_with}, {@code contains}: any operand. */
    static final class Text extends Condition {
        final Operator op;
        final String[] operands;

        Text(String attribute, Operator op, String[] operands) {
            super(attribute);
            this.op = op;
            this.operands = operands;
        }

        @Override
        boolean test(Object value, EvaluationContext context, FlagView view, int depth) {
            if (value instanceof List<?> list) {
                for (Object item : list) {
                    String t = text(item);
                    if (t != null && one(t)) {
                        return true;
                    }
                }
                return false;
            }
            String t = text(value);
            return t != null && one(t);
        }

        private boolean one(String t) {
            for (String operand : operands) {
                boolean hit = switch (op) {
                    case STARTS_WITH -> t.startsWith(operand);
                    case ENDS_WITH -> t.endsWith(operand);
                    default -> t.contains(operand);
                };
                if (hit) {
                    return true;
                }
            }
            return false;
        }
    }

    /** {@code matches}: any precompiled RE2 pattern ({@link MatchesPattern}) finds a match anywhere in the text. */
    static final class Regex extends Condition {
        final Pattern[] patterns;

        Regex(String attribute, Pattern[] patterns) {
            super(attribute);
            this.patterns = patterns;
        }

        @Override
        boolean test(Object value, EvaluationContext context, FlagView view, int depth) {
            String t = text(value);
            if (t == null) {
                return false;
            }
            for (Pattern p : patterns) {
                if (p.matcher(t).find()) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * Numeric comparison against one finite operand; numeric strings count as numbers. A value
     * that is not a finite number (NaN, an infinity, text beyond a double) does not match.
     */
    static final class NumberCompare extends Condition {
        final Operator op;
        final double operand;

        NumberCompare(String attribute, Operator op, double operand) {
            super(attribute);
            this.op = op;
            this.operand = operand;
        }

        static double operand(Operator op, String text) {
            double d;
            try {
                d = Double.parseDouble(text);
            } catch (NumberFormatException e) {
                throw new OperandRefused(op.wireName() + " needs a finite number such as 18 or 2.5, not "
                        + OperandRefused.quote(text));
            }
            if (!Double.isFinite(d)) {
                throw new OperandRefused(op.wireName() + " needs a finite number, not " + OperandRefused.quote(text));
            }
            return d;
        }

        @Override
        boolean test(Object value, EvaluationContext context, FlagView view, int depth) {
            double d;
            if (value instanceof Number n) {
                d = n.doubleValue();
            } else if (value instanceof String s) {
                try {
                    d = Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    return false;
                }
            } else {
                return false;
            }
            if (!Double.isFinite(d)) {
                return false;
            }
            return switch (op) {
                case LT -> d < operand;
                case LTE -> d <= operand;
                case GT -> d > operand;
                default -> d >= operand;
            };
        }
    }

    /** Semantic-version comparison against one parsed operand. */
    static final class SemverCompare extends Condition {
        final Operator op;
        final Semver operand;

        SemverCompare(String attribute, Operator op, Semver operand) {
            super(attribute);
            this.op = op;
            this.operand = operand;
        }

        @Override
        boolean test(Object value, EvaluationContext context, FlagView view, int depth) {
            Semver v = value instanceof String s ? Semver.parse(s) : null;
            if (v == null) {
                return false;
            }
            int c = v.compareTo(operand);
            return switch (op) {
                case SEMVER_EQ -> c == 0;
                case SEMVER_LT -> c < 0;
                case SEMVER_LTE -> c <= 0;
                case SEMVER_GT -> c > 0;
                default -> c >= 0;
            };
        }
    }

    /** {@code in_segment}: the context belongs to any of the named segments. */
    static final class InSegment extends Condition {
        final String[] segments;

        InSegment(String attribute, String[] segments) {
            super(attribute);
            this.segments = segments;
        }

        /** Segment membership looks at the whole context, so no single attribute needs to be present. */
        @Override
        boolean matches(EvaluationContext context, FlagView view, int depth) {
            return test(null, context, view, depth);
        }

        @Override
        boolean test(Object value, EvaluationContext context, FlagView view, int depth) {
            for (String key : segments) {
                Segment segment = view.segment(key);
                if (segment != null && segment.contains(context, view, depth + 1)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The segments a set of conditions names (through {@code in_segment}). */
    static void collectSegments(Condition[] conditions, Set<String> into) {
        for (Condition c : conditions) {
            if (c instanceof InSegment in) {
                Collections.addAll(into, in.segments);
            }
        }
    }

    /** Describes why a prepared condition never matches, or null when it can. */
    static String problem(Condition c) {
        return c instanceof Never n ? n.why : null;
    }

    /** Prepares a list of specs. */
    static Condition[] prepareAll(List<ConditionSpec> specs) {
        List<Condition> out = new ArrayList<>(specs.size());
        for (ConditionSpec spec : specs) {
            out.add(prepare(spec));
        }
        return out.toArray(new Condition[0]);
    }
}
