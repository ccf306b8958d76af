package io.flagplane.evaluation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A flag's rules, tried in order (the first whose conditions all hold wins), with the membership
 * conditions ({@code in}, {@code eq}, {@code not_in}, {@code neq}) answered per attribute instead
 * of per condition.
 *
 * <p>Why: real flags test the same few attributes again and again ({@code country} in one rule,
 * {@code country} and {@code role} in the next …), and an evaluation's cost is mostly reading
 * memory: the context (met cold), the attribute's value, its characters. So when the flag is
 * prepared, each attribute its membership conditions test gets a slot, and every distinct operand
 * of that attribute, over all the flag's rules, gets the set of conditions it satisfies, as bits
 * ({@link Values}). During an evaluation, the first condition that needs an attribute looks it up
 * in the context once and turns its value into that bitmask with one probe; every other condition
 * on the attribute, in any rule, is then a bit test on a local variable. Five rules of two
 * conditions over three attributes read the context three times, not ten. Slots are resolved
 * lazily, in rule order, so a rule that fails on its first condition reads nothing more.
 *
 * <p>At most {@value #SLOTS} attributes are indexed per flag (the masks live in local variables,
 * so an evaluation allocates nothing), and at most 63 conditions per attribute; any other
 * condition (other operators, the targeting key, segments, a fifth attribute) tests itself as
 * {@link Rule#matches} would. The answers are exactly {@link Rule#matches}'s ({@code RulesTest}
 * holds them to it on generated flags and contexts).
 */
final class Rules {

    /** Attributes answered once per evaluation; the masks are local variables, one per slot. */
    static final int SLOTS = 4;
    /** In a slot's mask: the attribute is present with a value a membership condition can test. */
    private static final long PRESENT = 1L << 63;
    /** Conditions per slot: one bit each, below {@link #PRESENT}. */
    private static final int BITS_PER_SLOT = 63;
    private static final Rules NONE = new Rules(new Rule[0], new int[0][], new long[0][], new long[0][], new String[0],
            new Values[0]);

    private final Rule[] rules;
    /** Per rule, per condition: its slot, or -1 when it tests itself. */
    private final int[][] slots;
    /** Per rule, per condition: the condition holds when {@code (slotMask & mask) == expect}. */
    private final long[][] masks;
    private final long[][] expects;
    /** Per slot: the attribute, and its operands with the conditions each satisfies. */
    private final String[] attributes;
    private final Values[] values;

    private Rules(Rule[] rules, int[][] slots, long[][] masks, long[][] expects, String[] attributes, Values[] values) {
        this.rules = rules;
        this.slots = slots;
        this.masks = masks;
        this.expects = expects;
        this.attributes = attributes;
        this.values = values;
    }

    /** Prepares the index over these rules (prepared already); never throws. */
    static Rules of(Rule[] rules) {
        if (rules.length == 0) {
            return NONE;
        }
        Map<String, Integer> slotOf = new LinkedHashMap<>();
        List<Map<String, Long>> operandBits = new ArrayList<>();
        int[] used = new int[SLOTS];
        int[][] slots = new int[rules.length][];
        long[][] masks = new long[rules.length][];
        long[][] expects = new long[rules.length][];
        for (int r = 0; r < rules.length; r++) {
            Condition[] conditions = rules[r].conditions;
            slots[r] = new int[conditions.length];
            masks[r] = new long[conditions.length];
            expects[r] = new long[conditions.length];
            for (int c = 0; c < conditions.length; c++) {
                slots[r][c] = -1;
                if (!(conditions[c] instanceof Condition.InSet in) || in.attribute == null
                        || EvaluationContext.TARGETING_KEY.equals(in.attribute)) {
                    continue;
                }
                Integer slot = slotOf.get(in.attribute);
                if (slot == null) {
                    if (slotOf.size() == SLOTS) {
                        continue;
                    }
                    slot = slotOf.size();
                    slotOf.put(in.attribute, slot);
                    operandBits.add(new LinkedHashMap<>());
                }
                if (used[slot] == BITS_PER_SLOT) {
                    continue;
                }
                long bit = 1L << used[slot]++;
                for (String operand : in.operands()) {
                    operandBits.get(slot).merge(operand, bit, (a, b) -> a | b);
                }
                slots[r][c] = slot;
                masks[r][c] = in.negate ? PRESENT | bit : bit;
                expects[r][c] = in.negate ? PRESENT : bit;
            }
        }
        String[] attributes = slotOf.keySet().toArray(new String[0]);
        Values[] values = new Values[attributes.length];
        for (int s = 0; s < values.length; s++) {
            values[s] = Values.of(operandBits.get(s));
        }
        return new Rules(rules, slots, masks, expects, attributes, values);
    }

    /** The first rule whose conditions all hold for this context, or null. Allocates nothing. */
    Rule firstMatch(EvaluationContext context, FlagView view) {
        long mask0 = 0;
        long mask1 = 0;
        long mask2 = 0;
        long mask3 = 0;
        int resolved = 0;   // bit s: slot s's mask is known
        rules:
        for (int r = 0; r < rules.length; r++) {
            Condition[] conditions = rules[r].conditions;
            int[] slotsOfRule = slots[r];
            long[] masksOfRule = masks[r];
            long[] expectsOfRule = expects[r];
            for (int c = 0; c < conditions.length; c++) {
                int slot = slotsOfRule[c];
                if (slot < 0) {
                    if (!conditions[c].matches(context, view, 0)) {
                        continue rules;
                    }
                    continue;
                }
                if ((resolved & (1 << slot)) == 0) {
                    long mask = resolve(slot, context);
                    switch (slot) {
                        case 0 -> mask0 = mask;
                        case 1 -> mask1 = mask;
                        case 2 -> mask2 = mask;
                        default -> mask3 = mask;
                    }
                    resolved |= 1 << slot;
                }
                long mask = switch (slot) {
                    case 0 -> mask0;
                    case 1 -> mask1;
                    case 2 -> mask2;
                    default -> mask3;
                };
                if ((mask & masksOfRule[c]) != expectsOfRule[c]) {
                    continue rules;
                }
            }
            return rules[r];
        }
        return null;
    }

    /**
     * The slot's attribute as a mask: 0 when absent (or a value no membership condition can test:
     * a map, a list of those); else {@link #PRESENT} and the bits of every condition one of its
     * values (a list's elements: any of them) satisfies. As {@link Condition.InSet#test} reads it.
     */
    private long resolve(int slot, EvaluationContext context) {
        Object value = context.attributeValue(attributes[slot]);
        if (value == null) {
            return 0;
        }
        Values operands = values[slot];
        if (value instanceof String s) {
            return PRESENT | operands.bits(s);
        }
        if (value instanceof List<?> list) {
            long mask = PRESENT;
            for (Object item : list) {
                String t = Condition.text(item);
                if (t != null) {
                    mask |= operands.bits(t);
                }
            }
            return mask;
        }
        String t = Condition.text(value);
        return t == null ? 0 : PRESENT | operands.bits(t);
    }

    /**
     * One attribute's distinct operands, each with the bits of the conditions it satisfies. Up to
     * {@link Condition.InSet#SCAN} operands are scanned by cached hash code, for the reasons
     * {@link Condition.InSet} gives; more are hashed.
     */
    static final class Values {

        private final String[] few;
        private final int[] hashes;
        private final long[] fewBits;
        private final HashMap<String, Long> many;

        private Values(String[] few, int[] hashes, long[] fewBits, HashMap<String, Long> many) {
            this.few = few;
            this.hashes = hashes;
            this.fewBits = fewBits;
            this.many = many;
        }

        static Values of(Map<String, Long> operandBits) {
            if (operandBits.size() > Condition.InSet.SCAN) {
                return new Values(null, null, null, new HashMap<>(operandBits));
            }
            String[] few = new String[operandBits.size()];
            int[] hashes = new int[few.length];
            long[] bits = new long[few.length];
            int i = 0;
            for (Map.Entry<String, Long> e : operandBits.entrySet()) {
                few[i] = e.getKey();
                hashes[i] = few[i].hashCode();
                bits[i] = e.getValue();
                i++;
            }
            return new Values(few, hashes, bits, null);
        }

        /** The bits of the conditions {@code s} satisfies; 0 for none. */
        long bits(String s) {
            String[] few = this.few;
            if (few == null) {
                Long bits = many.get(s);
                return bits == null ? 0 : bits;
            }
            int hash = s.hashCode();
            for (int i = 0; i < few.length; i++) {
                if (hashes[i] == hash && s.equals(few[i])) {
                    return fewBits[i];
                }
            }
            return 0;
        }
    }
}
