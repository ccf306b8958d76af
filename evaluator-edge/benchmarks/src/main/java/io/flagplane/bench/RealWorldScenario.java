package io.flagplane.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The "real-world shapes" of issue 17: contexts of a targeting key and three string attributes
 * ({@code country}, {@code role}, {@code tier}), and rules made of {@code in} conditions over
 * two-value lists ({@code ["US","CA"]}, {@code ["admin","billing"]}), the way real configurations
 * are written. Each flag is described once here, as plain data every SDK translates into its own
 * format ({@link Shape}); the answers it should give are written separately, by hand ({@link #expected}),
 * so the check does not trust the description it checks.
 *
 * <ul>
 *   <li>{@value #STATIC}: on for everyone;</li>
 *   <li>{@value #SPLIT}: a 50/50 split on the targeting key (checked by share and stability);</li>
 *   <li>{@value #THREE_CONDITIONS}: on when country ∈ {US, CA} and role ∈ {admin, billing} and
 *       tier ∈ {enterprise, ultimate} (a tenth of the contexts), else off;</li>
 *   <li>{@value #FIVE_RULES}: five rules of two conditions each; rules 1–4 match no one (rule 1
 *       fails on its first condition for everyone, rules 2–4 on their second for 40–50 % of the
 *       contexts), the fifth matches everyone: every evaluation tries all five;</li>
 *   <li>{@value #LISTS}: 100-key deny list → off, 100-key allow list → on, everyone else off.</li>
 * </ul>
 */
public final class RealWorldScenario {

    public static final String STATIC = "real.static";
    public static final String SPLIT = "real.split";
    public static final String THREE_CONDITIONS = "real.three_conditions";
    public static final String FIVE_RULES = "real.five_rules";
    public static final String LISTS = "real.lists";
    public static final List<String> FLAGS = List.of(STATIC, SPLIT, THREE_CONDITIONS, FIVE_RULES, LISTS);

    public static final int CONTEXTS = 1_024;

    static final List<String> COUNTRIES = List.of("US", "CA", "GB", "DE", "IN");
    static final List<String> ROLES = List.of("admin", "member");
    static final List<String> TIERS = List.of("pro", "enterprise");

    /** One {@code in} condition: the attribute's value is one of {@code values}. */
    public record In(String attribute, List<String> values) {
    }

    /**
     * A boolean flag: rules (each a list of {@code in} conditions, all of which must hold) serving
     * {@code true}; else the fallthrough, {@code true}, {@code false} or a 50/50 split; a deny list
     * (served {@code false}) checked before an allow list (served {@code true}), both before the rules.
     */
    public record Shape(String key, List<List<In>> rules, Boolean fallthrough, List<String> allow, List<String> deny) {
        /** Null fallthrough: a 50/50 split on the targeting key. */
        public boolean split() {
            return fallthrough == null;
        }
    }

    /** One context, as plain data each SDK turns into its own context type. */
    public record Person(String key, String country, String role, String tier) {
    }

    public static final List<Person> PEOPLE;
    public static final List<String> DENY;
    public static final List<String> ALLOW;
    public static final List<Shape> SHAPES;

    static {
        List<Person> people = new ArrayList<>();
        for (int i = 0; i < CONTEXTS; i++) {
            // every combination of the three attributes appears (5 × 2 × 2 = 20, cycled)
            people.add(new Person("user-" + i, fresh(COUNTRIES.get(i % 5)), fresh(ROLES.get(i / 5 % 2)),
                    fresh(TIERS.get(i / 10 % 2))));
        }
        PEOPLE = List.copyOf(people);
        List<String> deny = new ArrayList<>();
        List<String> allow = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            deny.add("user-" + (i * 10));          // spread over the pool
            allow.add("user-" + (i * 10 + 5));
        }
        DENY = List.copyOf(deny);
        ALLOW = List.copyOf(allow);
        SHAPES = List.of(
                new Shape(STATIC, List.of(), true, List.of(), List.of()),
                new Shape(SPLIT, List.of(), null, List.of(), List.of()),
                new Shape(THREE_CONDITIONS, List.of(List.of(
                        new In("country", List.of("US", "CA")),
                        new In("role", List.of("admin", "billing")),
                        new In("tier", List.of("enterprise", "ultimate")))), false, List.of(), List.of()),
                new Shape(FIVE_RULES, List.of(
                        List.of(new In("country", List.of("BR", "MX")), new In("tier", List.of("pro", "enterprise"))),
                        List.of(new In("country", List.of("US", "CA")), new In("role", List.of("owner", "billing"))),
                        List.of(new In("role", List.of("admin", "owner")), new In("country", List.of("JP", "KR"))),
                        List.of(new In("tier", List.of("enterprise", "ultimate")), new In("role", List.of("billing", "guest"))),
                        List.of(new In("role", List.of("admin", "member")), new In("tier", List.of("pro", "enterprise")))),
                        false, List.of(), List.of()),
                new Shape(LISTS, List.of(), false, ALLOW, DENY));
    }

    /**
     * A copy that is not the interned literal: attribute values in a real service come from its
     * data (a database row, a token), never the same String instances as the flag's operands.
     */
    private static String fresh(String s) {
        return new String(s.toCharArray());
    }

    private RealWorldScenario() {
    }

    public static Shape shape(String key) {
        return SHAPES.stream().filter(s -> s.key().equals(key)).findFirst().orElseThrow();
    }

    /** The intended answer, written from the list above rather than from {@link #SHAPES}; null for the split. */
    public static Boolean expected(String flag, Person p) {
        return switch (flag) {
            case STATIC, FIVE_RULES -> true;
            case THREE_CONDITIONS -> (p.country().equals("US") || p.country().equals("CA")) && p.role().equals("admin")
                    && p.tier().equals("enterprise");
            case LISTS -> !DENY.contains(p.key()) && ALLOW.contains(p.key());
            case SPLIT -> null;
            default -> throw new IllegalArgumentException(flag);
        };
    }

    /** What {@link AnswerCheck} checks an SDK against. */
    public static final AnswerCheck.Oracle ORACLE = new AnswerCheck.Oracle() {
        @Override
        public List<String> flags() {
            return FLAGS;
        }

        @Override
        public int contexts() {
            return CONTEXTS;
        }

        @Override
        public Boolean expected(String flag, int context) {
            return RealWorldScenario.expected(flag, PEOPLE.get(context));
        }

        @Override
        public String describe(int context) {
            return PEOPLE.get(context).toString();
        }
    };
}
