package io.flagplane.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The five flags and the 1,024 contexts every SDK evaluates, and the answer each flag should
 * give (the oracle, written from the definitions in plain Java, independent of every SDK).
 *
 * <ul>
 *   <li>{@value #STATIC}: on for everyone;</li>
 *   <li>{@value #THREE_CONDITIONS}: on when role ∈ {ADMIN, ORGANIZER} and city ∈ {Mumbai, Delhi,
 *       Bangalore} and category ∈ {MUSIC, TECH} (seed 003's cohort), else off;</li>
 *   <li>{@value #SPLIT}: a 50/50 split on the targeting key (each SDK buckets its own way, so the
 *       check is the share and the stability, not the per-key answer);</li>
 *   <li>{@value #LISTS}: 100-key deny list → off, 100-key allow list → on, everyone else off;</li>
 *   <li>{@value #FIVE_RULES}: five one-condition rules of which only the fifth matches anyone.</li>
 * </ul>
 */
public final class Scenario {

    public static final String STATIC = "bench.static";
    public static final String THREE_CONDITIONS = "bench.three_conditions";
    public static final String SPLIT = "bench.split";
    public static final String LISTS = "bench.lists";
    public static final String FIVE_RULES = "bench.five_rules";
    public static final List<String> FLAGS = List.of(STATIC, THREE_CONDITIONS, SPLIT, LISTS, FIVE_RULES);

    public static final int CONTEXTS = 1_024;

    static final List<String> ROLES = List.of("ADMIN", "ORGANIZER", "CUSTOMER", "FINANCE", "OPS");
    static final List<String> CITIES = List.of("Mumbai", "Delhi", "Bangalore", "Pune", "Chennai", "Kolkata", "Hyderabad");
    static final List<String> CATEGORIES = List.of("MUSIC", "TECH", "SPORTS");
    static final List<String> TIERS = List.of("free", "pro", "enterprise");

    static final List<String> COHORT_ROLES = List.of("ADMIN", "ORGANIZER");
    static final List<String> COHORT_CITIES = List.of("Mumbai", "Delhi", "Bangalore");
    static final List<String> COHORT_CATEGORIES = List.of("MUSIC", "TECH");

    /** The five rules of {@value #FIVE_RULES}: attribute and values; only the last matches anyone. */
    static final List<List<Object>> FIVE = List.of(
            List.of("country", List.of("US", "GB")),
            List.of("role", List.of("SUPPORT", "SALES")),
            List.of("city", List.of("Paris", "Berlin")),
            List.of("category", List.of("FOOD", "ART")),
            List.of("tier", List.of("free", "pro", "enterprise")));

    /** One evaluation context, as plain data each SDK turns into its own context type. */
    public record Person(String key, String role, String city, String category, String tier, String country) {
    }

    public static final List<Person> PEOPLE;
    public static final List<String> DENY;
    public static final List<String> ALLOW;

    static {
        List<Person> people = new ArrayList<>();
        for (int i = 0; i < CONTEXTS; i++) {
            people.add(new Person("user-" + i, ROLES.get(i % ROLES.size()), CITIES.get(i % CITIES.size()),
                    CATEGORIES.get(i % CATEGORIES.size()), TIERS.get(i % TIERS.size()), "IN"));
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
    }

    private Scenario() {
    }

    /** The intended answer, or null for the split (checked by share, not per key). */
    public static Boolean expected(String flag, Person p) {
        return switch (flag) {
            case STATIC, FIVE_RULES -> true;
            case THREE_CONDITIONS -> COHORT_ROLES.contains(p.role()) && COHORT_CITIES.contains(p.city())
                    && COHORT_CATEGORIES.contains(p.category());
            case LISTS -> !DENY.contains(p.key()) && ALLOW.contains(p.key());
            case SPLIT -> null;
            default -> throw new IllegalArgumentException(flag);
        };
    }
}
