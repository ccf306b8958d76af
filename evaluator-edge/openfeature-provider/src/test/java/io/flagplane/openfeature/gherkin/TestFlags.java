package io.flagplane.openfeature.gherkin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagplane.avro.Condition;
import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.FlagType;
import io.flagplane.avro.Rule;
import io.flagplane.avro.Serve;
import io.flagplane.avro.Variant;
import io.flagplane.contract.AvroContract;
import io.flagplane.fixtures.States;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The flags OpenFeature's Gherkin scenarios assume ({@code testdata/test-flags.json}, and
 * {@code context-aware} from the flagd testbed), as Flagplane {@link FlagState} records — the way
 * a user would define them in Flagplane:
 * <ul>
 * <li>{@code defaultVariant} is the fallthrough; a flag without one is left out (no scenario uses them).</li>
 * <li>{@code disabled: true} is a disabled flag <em>without an off variant</em>, so it serves the
 *     caller's default with reason DISABLED (the scenarios' meaning). No flag gets an off variant.</li>
 * <li>{@code flagMetadata} is the flag's metadata (whole numbers as longs, as the contract holds them).</li>
 * <li>{@code contextEvaluator} (the spec's little expression language) and flagd's JsonLogic become
 *     one rule serving the named variant; only the shapes these files use are understood, and
 *     anything else fails loudly. {@code a == 'x'} is {@code eq}, {@code a > 10} is {@code gt},
 *     {@code !a} is {@code a eq false} (a boolean attribute that is false).</li>
 * <li>The type comes from the variant values: booleans, strings, numbers, else JSON.</li>
 * </ul>
 */
final class TestFlags {

    static {
        AvroContract.trustGeneratedClasses();
    }

    static final String ENVIRONMENT = "production";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** {@code <conditions> ? 'variant' : ''}: the one shape of contextEvaluator in the spec's flags. */
    private static final Pattern EVALUATOR = Pattern.compile("(.+)\\?\\s*'([^']*)'\\s*:\\s*''\\s*");
    private static final Pattern EQUALS = Pattern.compile("(\\w+)\\s*==\\s*'([^']*)'");
    private static final Pattern GREATER = Pattern.compile("(\\w+)\\s*>\\s*(-?[0-9.]+)");
    private static final Pattern NOT = Pattern.compile("!(\\w+)");

    private TestFlags() {
    }

    /** Every usable flag of both files, as states at version 1 of {@link #ENVIRONMENT}. */
    static List<FlagState> read(Path gherkinDir) throws IOException {
        List<FlagState> states = new ArrayList<>();
        JsonNode spec = JSON.readTree(gherkinDir.resolve("testdata/test-flags.json").toFile());
        spec.fields().forEachRemaining(e -> {
            if (e.getValue().hasNonNull("defaultVariant")) {
                states.add(fromSpec(e.getKey(), e.getValue()));
            }
        });
        JsonNode flagd = JSON.readTree(gherkinDir.resolve("testdata/flagd-testbed/testing-flags.json").toFile());
        states.add(fromFlagd("context-aware", flagd.path("flags").path("context-aware")));
        return states;
    }

    private static FlagState fromSpec(String key, JsonNode flag) {
        FlagDefinition.Builder definition = base(flag);
        JsonNode evaluator = flag.get("contextEvaluator");
        if (evaluator != null) {
            definition.setRules(List.of(rule(evaluator.textValue())));
        }
        JsonNode metadata = flag.get("flagMetadata");
        if (metadata != null && metadata.isObject()) {
            Map<String, Object> entries = new LinkedHashMap<>();
            metadata.fields().forEachRemaining(m -> entries.put(m.getKey(), metadataValue(m.getValue())));
            definition.setMetadata(entries);
        }
        FlagState state = States.state(ENVIRONMENT, key, 1, definition.build());
        state.setEnabled(!flag.path("disabled").asBoolean(false));
        return state;
    }

    /** flagd's {@code {"if": [{"and": [{"==": [{"var": [a]}, v]}, …]}, then, else]}}, the shape of context-aware. */
    private static FlagState fromFlagd(String key, JsonNode flag) {
        if (flag.isMissingNode()) {
            throw new IllegalStateException("the flagd testbed has no flag '" + key + "'");
        }
        JsonNode branches = flag.path("targeting").path("if");
        List<Condition> conditions = new ArrayList<>();
        for (JsonNode equals : branches.path(0).path("and")) {
            JsonNode operands = equals.path("==");
            String attribute = operands.path(0).path("var").path(0).textValue();
            if (attribute == null || operands.size() != 2) {
                throw new IllegalStateException("cannot translate " + equals + " in flag " + key);
            }
            conditions.add(new Condition(attribute, "eq", List.of(operands.path(1).asText())));
        }
        if (conditions.isEmpty() || !branches.path(2).asText().equals(flag.path("defaultVariant").asText())) {
            throw new IllegalStateException("cannot translate the targeting of flag " + key + ": " + branches);
        }
        FlagDefinition.Builder definition = base(flag)
                .setRules(List.of(new Rule("if", null, conditions, Serve.newBuilder().setVariant(branches.path(1).asText()).build())));
        return States.state(ENVIRONMENT, key, 1, definition.build());
    }

    private static FlagDefinition.Builder base(JsonNode flag) {
        List<Variant> variants = new ArrayList<>();
        flag.path("variants").fields().forEachRemaining(v -> variants.add(new Variant(v.getKey(), v.getValue().toString(), null)));
        return FlagDefinition.newBuilder()
                .setType(type(flag.path("variants")))
                .setVariants(variants)
                .setOffVariant(null)
                .setFallthrough(Serve.newBuilder().setVariant(flag.path("defaultVariant").asText()).build())
                .setSalt("gherkin");
    }

    private static FlagType type(JsonNode variants) {
        List<JsonNode> values = new ArrayList<>();
        variants.elements().forEachRemaining(values::add);
        if (values.stream().allMatch(JsonNode::isBoolean)) {
            return FlagType.BOOLEAN;
        }
        if (values.stream().allMatch(JsonNode::isTextual)) {
            return FlagType.STRING;
        }
        return values.stream().allMatch(JsonNode::isNumber) ? FlagType.NUMBER : FlagType.JSON;
    }

    private static Rule rule(String expression) {
        Matcher whole = EVALUATOR.matcher(expression.trim());
        if (!whole.matches()) {
            throw new IllegalStateException("cannot translate contextEvaluator: " + expression);
        }
        List<Condition> conditions = new ArrayList<>();
        for (String term : whole.group(1).split("&&")) {
            String t = term.trim();
            Matcher m;
            if ((m = EQUALS.matcher(t)).matches()) {
                conditions.add(new Condition(m.group(1), "eq", List.of(m.group(2))));
            } else if ((m = GREATER.matcher(t)).matches()) {
                conditions.add(new Condition(m.group(1), "gt", List.of(m.group(2))));
            } else if ((m = NOT.matcher(t)).matches()) {
                conditions.add(new Condition(m.group(1), "eq", List.of("false")));
            } else {
                throw new IllegalStateException("cannot translate '" + t + "' in contextEvaluator: " + expression);
            }
        }
        return new Rule("context", null, conditions, Serve.newBuilder().setVariant(whole.group(2)).build());
    }

    private static Object metadataValue(JsonNode value) {
        if (value.isTextual()) {
            return value.textValue();
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isIntegralNumber()) {
            return value.longValue();
        }
        if (value.isNumber()) {
            return value.doubleValue();
        }
        throw new IllegalStateException("metadata value " + value + " is not a string, boolean or number");
    }
}
