package io.flagplane.evaluation;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.ArrayDeque;

/**
 * The operand of {@code matches}: an RE2 regular expression (github.com/google/re2/wiki/Syntax),
 * compiled by RE2/J. RE2 never backtracks, so a match takes time linear in the attribute's
 * length whatever the pattern: no catastrophic backtracking on {@code (a|aa)+$}, no stack
 * overflow on a long attribute. What it gives up is refused when a rule is written:
 * backreferences, lookahead, lookbehind, atomic groups and possessive quantifiers. On simple
 * patterns RE2/J is slower than java.util.regex; that is accepted, a bounded cost beats an
 * unbounded one. A pattern both accept means the same in both but for corner cases: RE2's
 * {@code $} does not match before a final newline, its {@code .} excludes only {@code \n}, its
 * {@code \s} has no vertical tab.
 *
 * <p>RE2/J still expands counted repeats into copies, and compiles and matches recursively (once
 * per level of nesting, once per empty-width step), so a short pattern can be huge
 * ({@code ((a{1000}){1000}){1000}} is a billion instructions) or deep ({@code x{1,1000}} nests a
 * thousand optionals). A pattern is therefore refused unless it is at most {@value #MAX_LENGTH}
 * characters, nests at most {@value #MAX_DEPTH} levels with its repeats expanded (estimated
 * before compiling, so a huge one is never built) and compiles to at most
 * {@value #MAX_INSTRUCTIONS} instructions. That keeps compiling and matching inside a 512 KB
 * thread stack (half the JVM default) and the work per attribute character small.
 */
final class MatchesPattern {

    /** The same bound the command service puts on every operand. */
    static final int MAX_LENGTH = 1_024;
    /** RE2/J's compiler recurses once per level: 500 levels (x{1,499}, or 499 nested groups) fit in 512 KB. */
    static final int MAX_DEPTH = 500;
    /**
     * RE2/J's matcher recurses once per empty-width step, at most once per instruction: 2,000 fit
     * in 512 KB. It also bounds the work: at worst every instruction per attribute character
     * (about 0.2 s for 10,000 characters, the most an edge context may hold in one string).
     */
    static final int MAX_INSTRUCTIONS = 2_000;
    /** The estimate over-counts (every group, quantifier and alternative counts), so it gets headroom. */
    private static final long MAX_ESTIMATE = 4L * MAX_INSTRUCTIONS;
    /** Estimates saturate here, long before a multiplication could overflow. */
    private static final long HUGE = 1L << 40;

    private MatchesPattern() {
    }

    /** The compiled pattern; {@link OperandRefused} with a sentence when it is not RE2 or too big to run safely. */
    static Pattern compile(String pattern) {
        if (pattern.length() > MAX_LENGTH) {
            throw new OperandRefused("matches cannot use a pattern of " + pattern.length() + " characters; the limit is "
                    + MAX_LENGTH + " characters");
        }
        Expansion expansion = expand(pattern);
        if (expansion.depth() > MAX_DEPTH) {
            throw refused(pattern, "it nests too deeply once its repeats are expanded (at most " + MAX_DEPTH
                    + " levels; x{n,m} nests m - n of them)");
        }
        if (expansion.size() > MAX_ESTIMATE) {
            throw refused(pattern, "it is too large once its repeats are expanded (at most " + MAX_INSTRUCTIONS
                    + " instructions)");
        }
        Pattern compiled;
        try {
            compiled = Pattern.compile(pattern);
        } catch (PatternSyntaxException e) {
            throw refused(pattern, explain(e));
        }
        if (compiled.programSize() > MAX_INSTRUCTIONS) {
            throw refused(pattern, "it is too large once its repeats are expanded (" + compiled.programSize()
                    + " instructions; at most " + MAX_INSTRUCTIONS + ")");
        }
        return compiled;
    }

    private static OperandRefused refused(String pattern, String why) {
        return new OperandRefused("matches cannot use " + OperandRefused.quote(pattern) + ": " + why);
    }

    /** RE2/J's reasons (its stable error constants) in our words, with the offending fragment. */
    private static String explain(PatternSyntaxException e) {
        String fragment = e.getPattern() == null ? "" : e.getPattern();
        String at = "`" + (fragment.length() > 40 ? fragment.substring(0, 37) + "..." : fragment) + "`";
        boolean backreference = fragment.length() == 2 && fragment.charAt(0) == '\\' && fragment.charAt(1) >= '1'
                && fragment.charAt(1) <= '9';
        String description = e.getDescription() == null ? "" : e.getDescription();
        return switch (description) {
            case "invalid escape sequence" -> "the escape " + at + " is not RE2 syntax"
                    + (backreference ? " (RE2 has no backreferences)" : "");
            case "invalid or unsupported Perl syntax" -> at
                    + " is not RE2 syntax (RE2 has no lookahead, lookbehind or atomic groups)";
            case "invalid named capture" -> at + " is not a valid named group (and RE2 has no lookbehind)";
            case "invalid nested repetition operator" -> at + " repeats a repetition (RE2 has no possessive quantifiers)";
            case "invalid repeat count" -> "the repeat count " + at + " is invalid (at most 1000, smallest first)";
            case "missing argument to repetition operator" -> at + " has nothing to repeat";
            case "missing closing )" -> "a ( has no closing )";
            case "missing closing ]" -> "a [ has no closing ]";
            case "unexpected )" -> "a ) has no opening (";
            case "invalid character class", "invalid character class range" -> at
                    + " is not a valid character class or range";
            case "trailing backslash at end of expression" -> "it ends with a lone backslash";
            default -> "it is not a valid RE2 regular expression";
        };
    }

    /** An over-estimate of the compiled program: its instruction count and its nesting depth. */
    record Expansion(long size, int depth) {
    }

    /**
     * Scans the pattern once, the way RE2 would expand it: a group counts its contents, a counted
     * repeat multiplies what it repeats ({@code x{n,m}} is m copies, m - n of them nested
     * optionals), other quantifiers and alternatives add one. No compiling, so nothing huge is built.
     */
    static Expansion expand(String p) {
        ArrayDeque<Frame> open = new ArrayDeque<>();
        Frame frame = new Frame();
        int i = 0;
        while (i < p.length()) {
            char c = p.charAt(i);
            if (c == '\\' && i + 1 < p.length() && p.charAt(i + 1) == 'Q') {
                int end = p.indexOf("\\E", i + 2);
                int stop = end < 0 ? p.length() : end;
                for (int k = i + 2; k < stop; k++) {
                    frame.atom(1, 1);
                }
                i = end < 0 ? stop : end + 2;
            } else if (c == '\\') {
                i = skipEscape(p, i);
                frame.atom(1, 1);
            } else if (c == '[') {
                i = skipClass(p, i);
                frame.atom(1, 1);
            } else if (c == '(') {
                int flags = skipFlags(p, i + 1);
                boolean hasFlags = flags > i + 1;
                if (hasFlags && p.charAt(flags) == ')') {
                    i = flags + 1; // (?i): flags for what follows, not a group
                    continue;
                }
                open.push(frame);
                frame = new Frame();
                frame.capturing = !hasFlags; // (?i:...) and (?:...) capture nothing
                i = hasFlags ? flags + 1 : i + 1;
            } else if (c == ')') {
                if (open.isEmpty()) {
                    // RE2/J reports this one as an internal error; say what it is
                    throw refused(p, "a ) has no opening (");
                }
                Frame group = frame;
                frame = open.pop();
                frame.atom(group.size + (group.capturing ? 2 : 0), group.depth + 1);
                i++;
            } else if (c == '|') {
                frame.size = sat(frame.size + 1);
                frame.lastSize = 0;
                frame.lastDepth = 0;
                i++;
            } else if (c == '*' || c == '+' || c == '?') {
                frame.repeat(1, 1);
                i++;
            } else if (c == '{') {
                i = counted(p, i, frame);
            } else {
                frame.atom(1, 1);
                i++;
            }
        }
        while (!open.isEmpty()) { // unclosed: RE2/J refuses it, but finish the estimate
            Frame group = frame;
            frame = open.pop();
            frame.atom(group.size + (group.capturing ? 2 : 0), group.depth + 1);
        }
        return new Expansion(frame.size, frame.depth);
    }

    /** A group being scanned: its size and depth so far, and those of its last item (what a quantifier repeats). */
    private static final class Frame {
        boolean capturing;
        long size;
        int depth;
        long lastSize;
        int lastDepth;

        void atom(long itemSize, int itemDepth) {
            size = sat(size + itemSize);
            lastSize = itemSize;
            lastDepth = itemDepth;
            depth = Math.max(depth, itemDepth);
        }

        /** The last item becomes {@code copies} copies of itself, each with a branch and a join, nested {@code deeper} levels more. */
        void repeat(long copies, int deeper) {
            long repeated = sat(sat(lastSize * copies) + 2 * copies);
            size = sat(size - lastSize + repeated);
            lastSize = repeated;
            lastDepth = (int) Math.min(Integer.MAX_VALUE / 2, (long) lastDepth + deeper);
            depth = Math.max(depth, lastDepth);
        }
    }

    /** {@code {n}}, {@code {n,}} or {@code {n,m}} after an item; anything else is a literal brace, as in RE2. */
    private static int counted(String p, int at, Frame frame) {
        int i = at + 1;
        int start = i;
        long min = 0;
        while (i < p.length() && Character.isDigit(p.charAt(i))) {
            min = Math.min(100_000, min * 10 + (p.charAt(i++) - '0'));
        }
        if (i == start || i >= p.length()) {
            frame.atom(1, 1);
            return at + 1;
        }
        long max = min;
        boolean unbounded = false;
        if (p.charAt(i) == ',') {
            i++;
            int digits = i;
            max = 0;
            while (i < p.length() && Character.isDigit(p.charAt(i))) {
                max = Math.min(100_000, max * 10 + (p.charAt(i++) - '0'));
            }
            unbounded = i == digits;
        }
        if (i >= p.length() || p.charAt(i) != '}') {
            frame.atom(1, 1);
            return at + 1;
        }
        if (unbounded) {
            frame.repeat(min + 1, 2); // n copies, then a star
        } else {
            frame.repeat(Math.max(min, max), (int) Math.max(0, max - min) + 1);
        }
        return i + 1;
    }

    /**
     * Past the flags of {@code (?i:}, {@code (?-s)} and the like, at the {@code :} or {@code )}
     * that ends them; {@code at} itself when the group has none (a plain or a named group).
     */
    private static int skipFlags(String p, int at) {
        if (at >= p.length() || p.charAt(at) != '?') {
            return at;
        }
        int i = at + 1;
        while (i < p.length() && (Character.isLetter(p.charAt(i)) || p.charAt(i) == '-')) {
            i++;
        }
        return i < p.length() && (p.charAt(i) == ':' || p.charAt(i) == ')') ? i : at;
    }

    /** Past an escape: {@code \p{Greek}}, {@code \x{263a}}, {@code \x41}, {@code \pL} or one escaped character. */
    private static int skipEscape(String p, int at) {
        int i = at + 1;
        if (i >= p.length()) {
            return i;
        }
        char kind = p.charAt(i);
        if ((kind == 'p' || kind == 'P' || kind == 'x') && i + 1 < p.length() && p.charAt(i + 1) == '{') {
            int close = p.indexOf('}', i + 2);
            return close < 0 ? p.length() : close + 1;
        }
        if (kind == 'x') {
            return Math.min(p.length(), i + 3);
        }
        if (kind == 'p' || kind == 'P') {
            return Math.min(p.length(), i + 2);
        }
        return i + 1;
    }

    /** Past a character class: a leading {@code ]} is literal, escapes and {@code [:alpha:]} are skipped whole. */
    private static int skipClass(String p, int at) {
        int i = at + 1;
        if (i < p.length() && p.charAt(i) == '^') {
            i++;
        }
        if (i < p.length() && p.charAt(i) == ']') {
            i++;
        }
        while (i < p.length()) {
            char c = p.charAt(i);
            if (c == ']') {
                return i + 1;
            }
            if (c == '\\') {
                i = skipEscape(p, i);
            } else if (c == '[' && i + 1 < p.length() && p.charAt(i + 1) == ':') {
                int close = p.indexOf(":]", i + 2);
                i = close < 0 ? i + 1 : close + 2;
            } else {
                i++;
            }
        }
        return i;
    }

    private static long sat(long n) {
        return Math.min(n, HUGE);
    }
}
