package io.flagplane.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@link Rules} answers membership conditions per attribute instead of per condition: it must pick
 * exactly the rule that trying each rule's conditions in turn ({@link Rule#matches}) picks, for any
 * flag and any context. Generated flags and contexts, from a fixed seed so a failure reproduces.
 */
class RulesTest {

    private static final List<String> ATTRIBUTES = List.of("country", "role", "tier", "plan", "region", "team",
            EvaluationContext.TARGETING_KEY);
    private static final List<String> VALUES = List.of("US", "CA", "GB", "admin", "member", "pro", "7", "true", "Aa", "BB",
            "", "user-1", "user-2");
    private static final List<String> OPERATORS = List.of("in", "in", "in", "not_in", "eq", "neq", "starts_with", "gt",
            "in_segment");

    private static final FlagView VIEW = Fixtures.view(List.of(), List.of(
            Segment.builder("admins").rule(List.of(ConditionSpec.of("role", "in", "admin"))).build()));

    @Test
    void the_first_matching_rule_is_the_one_trying_each_condition_in_turn_finds() {
        Random random = new Random(17);
        int matched = 0;
        int unmatched = 0;
        for (int f = 0; f < 3_000; f++) {
            Rule[] rules = rules(random);
            Rules index = Rules.of(rules);
            for (int c = 0; c < 40; c++) {
                EvaluationContext context = context(random);
                Rule expected = null;
                for (Rule rule : rules) {
                    if (rule.matches(context, VIEW)) {
                        expected = rule;
                        break;
                    }
                }
                assertThat(index.firstMatch(context, VIEW)).as("%s for %s", describe(rules), context).isSameAs(expected);
                if (expected == null) {
                    unmatched++;
                } else {
                    matched++;
                }
            }
        }
        assertThat(matched).as("generated cases where a rule matches").isGreaterThan(10_000);
        assertThat(unmatched).as("generated cases where none does").isGreaterThan(10_000);
    }

    @Test
    void five_rules_of_two_conditions_pick_the_fifth() {
        Rule[] rules = {
            rule("r1", ConditionSpec.of("country", "in", "BR", "MX"), ConditionSpec.of("tier", "in", "pro", "enterprise")),
            rule("r2", ConditionSpec.of("country", "in", "US", "CA"), ConditionSpec.of("role", "in", "owner", "billing")),
            rule("r3", ConditionSpec.of("role", "in", "admin", "owner"), ConditionSpec.of("country", "in", "JP", "KR")),
            rule("r4", ConditionSpec.of("tier", "in", "enterprise", "ultimate"), ConditionSpec.of("role", "in", "billing", "guest")),
            rule("r5", ConditionSpec.of("role", "in", "admin", "member"), ConditionSpec.of("tier", "in", "pro", "enterprise"))};
        Rules index = Rules.of(rules);
        EvaluationContext context = EvaluationContext.of("u", Map.of("country", new String("US".toCharArray()),
                "role", new String("admin".toCharArray()), "tier", new String("enterprise".toCharArray())));
        assertThat(index.firstMatch(context, VIEW)).isSameAs(rules[4]);
        assertThat(index.firstMatch(EvaluationContext.of("u", Map.of("country", "US", "role", "billing")), VIEW))
                .as("rule 2 (no tier: rule 5 cannot match either)").isSameAs(rules[1]);
        assertThat(index.firstMatch(EvaluationContext.of("u", Map.of("country", "US")), VIEW)).isNull();
    }

    @Test
    void a_fifth_attribute_and_a_64th_condition_on_one_attribute_still_count() {
        List<Rule> many = new ArrayList<>();
        for (int i = 0; i < 70; i++) {   // 70 conditions on one attribute: 63 get a bit, the rest test themselves
            many.add(rule("r" + i, ConditionSpec.of("a", "in", "v" + i)));
        }
        many.add(rule("five", ConditionSpec.of("b", "in", "x"), ConditionSpec.of("c", "in", "x"),
                ConditionSpec.of("d", "in", "x"), ConditionSpec.of("e", "not_in", "y")));
        Rule[] rules = many.toArray(new Rule[0]);
        Rules index = Rules.of(rules);
        for (int i = 0; i < 70; i++) {
            assertThat(index.firstMatch(EvaluationContext.of("u", Map.of("a", "v" + i)), VIEW)).as("v%d", i).isSameAs(rules[i]);
        }
        assertThat(index.firstMatch(EvaluationContext.of("u", Map.of("b", "x", "c", "x", "d", "x", "e", "z")), VIEW))
                .isSameAs(rules[70]);
        assertThat(index.firstMatch(EvaluationContext.of("u", Map.of("b", "x", "c", "x", "d", "x", "e", "y")), VIEW)).isNull();
        assertThat(index.firstMatch(EvaluationContext.of("u", Map.of("b", "x", "c", "x", "d", "x")), VIEW))
                .as("not_in on a missing attribute never matches").isNull();
    }

    @Test
    void a_flag_without_rules_matches_nothing() {
        assertThat(Rules.of(new Rule[0]).firstMatch(EvaluationContext.of("u"), VIEW)).isNull();
    }

    private static Rule[] rules(Random random) {
        Rule[] rules = new Rule[1 + random.nextInt(6)];
        for (int r = 0; r < rules.length; r++) {
            ConditionSpec[] conditions = new ConditionSpec[random.nextInt(4)];   // 0 conditions: matches everyone
            for (int c = 0; c < conditions.length; c++) {
                String operator = pick(random, OPERATORS);
                String attribute = pick(random, ATTRIBUTES);
                List<String> operands = switch (operator) {
                    case "gt" -> List.of("5");
                    case "in_segment" -> List.of("admins");
                    default -> IntStream.range(0, random.nextInt(4) == 0 ? 12 : 1 + random.nextInt(3))
                            .mapToObj(i -> pick(random, VALUES)).toList();
                };
                conditions[c] = new ConditionSpec(attribute, operator, operands);
            }
            rules[r] = rule("r" + r, conditions);
        }
        return rules;
    }

    private static EvaluationContext context(Random random) {
        Map<String, Object> attributes = new HashMap<>();
        for (String attribute : ATTRIBUTES.subList(0, ATTRIBUTES.size() - 1)) {
            switch (random.nextInt(7)) {
                case 0, 1 -> { }   // absent
                case 2 -> attributes.put(new String(attribute.toCharArray()), List.of(pick(random, VALUES), pick(random, VALUES)));
                case 3 -> attributes.put(attribute, random.nextBoolean() ? 7L : true);
                case 4 -> attributes.put(attribute, Map.of("k", "US"));
                default -> attributes.put(attribute, new String(pick(random, VALUES).toCharArray()));
            }
        }
        if (random.nextInt(5) == 0) {   // a large context: kept in a map
            for (int i = 0; i < 8; i++) {
                attributes.put("extra" + i, "x");
            }
        }
        return EvaluationContext.of(random.nextBoolean() ? pick(random, VALUES) : null, attributes);
    }

    private static Rule rule(String id, ConditionSpec... conditions) {
        return new Rule(id, Condition.prepareAll(List.of(conditions)), new Serve.Fixed(0));
    }

    private static String pick(Random random, List<String> from) {
        return from.get(random.nextInt(from.size()));
    }

    private static String describe(Rule[] rules) {
        StringBuilder out = new StringBuilder();
        for (Rule rule : rules) {
            out.append(rule.id).append(':');
            for (Condition c : rule.conditions) {
                out.append(' ').append(c.attribute).append(' ').append(c.getClass().getSimpleName());
                if (c instanceof Condition.InSet in) {
                    out.append(in.negate ? " not" : "").append(in.operands());
                }
            }
            out.append("; ");
        }
        return out.toString();
    }
}
