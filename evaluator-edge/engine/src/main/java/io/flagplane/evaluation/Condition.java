package io.flagplane.evaluation;

import com.google.re2j.Pattern;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
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

    /**
     * Interned when the flag is prepared, so that a context finds it by reference: callers name
     * attributes with literals (which Java interns) and Jackson interns the field names it parses,
     * so the lookup compares no characters ({@link EvaluationContext#attributeValue}).
     */
    final String attribute;
    /** Decided once: the targeting key is a field of the context, not a map entry. */
    private final boolean targetingKey;

    Condition(String attribute) {
        this.attribute = attribute == null ? null : attribute.intern();
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
            case IN, EQ -> InSet.of(attribute, values, false);
            case NOT_IN, NEQ -> InSet.of(attribute, values, true);
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
     * {@code in}/{@code eq} and, negated, {@code not_in}/{@code neq}: membership in the operands.
     * How membership is tested depends on how many operands there are (decided once, here):
     * <ul>
     *   <li>up to {@value #SCAN} (real rules: {@code ["US","CA"]}, {@code ["admin","finance"]}):
     *       a scan of the operands and their hash codes, held side by side. The value's hash code
     *       is computed once per String and cached in it, as a HashSet would need it too; the scan
     *       then compares ints, and characters only for an operand whose hash matches. A HashSet
     *       probe does the same hash work and then follows the table to a node to its key, which
     *       for a list of two costs more than the whole scan;</li>
     *   <li>more: a HashSet (never mutated: it probes faster than the immutable Set.of
     *       implementations), whose cost does not grow with the list.</li>
     * </ul>
     * Both give the same answers ({@code InSetTest} holds them to it).
     */
    static final class InSet extends Condition {
        /** The most operands scanned rather than hashed: past this, a miss compares too many hash codes. */
        static final int SCAN = 8;

        /** Up to {@link #SCAN} distinct operands, interned, and their hash codes; null when hashed. */
        final String[] few;
        final int[] fewHashes;
        /**
         * The first two of {@link #few} and their hash codes again, in fields: most lists hold one or
         * two values, and these are compared without reading an array or running a loop, whose
         * length and bounds checks cost about as much as the comparisons (rules of two-value lists
         * ran 5–9 % faster so, in an A/B of CPU time). Null (and 0) where there are fewer; a null
         * operand never equals a value.
         */
        private final String first;
        private final String second;
        private final int firstHash;
        private final int secondHash;
        /** Whether {@link #few} holds more than the two in fields. */
        private final boolean more;
        /** More operands than that; null when scanned. */
        final HashSet<String> many;
        final boolean negate;

        private InSet(String attribute, String[] few, HashSet<String> many, boolean negate) {
            super(attribute);
            this.few = few;
            this.many = many;
            this.negate = negate;
            if (few == null) {
                this.fewHashes = null;
            } else {
                this.fewHashes = new int[few.length];
                for (int i = 0; i < few.length; i++) {
                    fewHashes[i] = few[i].hashCode();
                }
            }
            this.first = few != null && few.length > 0 ? few[0] : null;
            this.second = few != null && few.length > 1 ? few[1] : null;
            this.firstHash = first == null ? 0 : first.hashCode();
            this.secondHash = second == null ? 0 : second.hashCode();
            this.more = few != null && few.length > 2;
        }

        static InSet of(String attribute, List<String> values, boolean negate) {
            LinkedHashSet<String> distinct = new LinkedHashSet<>(values);
            distinct.remove(null);
            return of(attribute, distinct, negate, distinct.size() <= SCAN);
        }

        /** With the membership test chosen by the caller: for tests holding the scan and the hash set to the same answers. */
        static InSet of(String attribute, Collection<String> distinct, boolean negate, boolean scan) {
            if (scan) {
                String[] few = new String[distinct.size()];
                int i = 0;
                for (String value : distinct) {
                    few[i++] = value.intern();   // a caller's literal value then matches by reference
                }
                return new InSet(attribute, few, null, negate);
            }
            return new InSet(attribute, null, new HashSet<>(distinct), negate);
        }

        /** Whether {@code s} is one of the operands. */
        boolean contains(String s) {
            String[] few = this.few;
            if (few == null) {
                return many.contains(s);
            }
            int hash = s.hashCode();
            if (hash == firstHash && s.equals(first) || hash == secondHash && s.equals(second)) {
                return true;
            }
            if (!more) {
                return false;
            }
            int[] hashes = fewHashes;
            for (int i = 2; i < few.length; i++) {
                if (hashes[i] == hash && s.equals(few[i])) {
                    return true;
                }
            }
            return false;
        }

        @Override
        boolean test(Object value, EvaluationContext context, FlagView view, int depth) {
            if (value instanceof String s) {
                return contains(s) != negate;
            }
            if (value instanceof List<?> list) {
                for (Object item : list) {
                    String t = text(item);
                    if (t != null && contains(t)) {
                        return !negate;
                    }
                }
                return negate;
            }
            String t = text(value);
            return t != null && contains(t) != negate;
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
