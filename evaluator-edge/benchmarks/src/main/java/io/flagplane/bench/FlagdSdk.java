package io.flagplane.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.openfeature.contrib.providers.flagd.Config;
import dev.openfeature.contrib.providers.flagd.FlagdOptions;
import dev.openfeature.contrib.providers.flagd.FlagdProvider;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.Value;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * flagd's OpenFeature provider in its in-process FILE mode (its JsonLogic interpreter), with the
 * file poll interval set very large (0 busy-loops). The provider is called directly, as the
 * OpenFeature client would, without the client's hooks around it.
 */
public final class FlagdSdk implements BenchmarkSdk {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final FlagdProvider provider;
    private final EvaluationContext[] contexts;

    public FlagdSdk(List<Scenario.Person> people, Path dir) {
        Path file = dir.resolve("flagd-flags.json");
        write(file);
        this.provider = new FlagdProvider(FlagdOptions.builder()
                .resolverType(Config.Resolver.FILE)
                .offlineFlagSourcePath(file.toString())
                .offlinePollIntervalMs(Integer.MAX_VALUE)
                .deadline(10_000)
                .build());
        try {
            provider.initialize(new ImmutableContext());
        } catch (Exception e) {
            throw new IllegalStateException("flagd did not initialise from " + file, e);
        }
        this.contexts = new EvaluationContext[people.size()];
        for (int i = 0; i < contexts.length; i++) {
            Scenario.Person p = people.get(i);
            contexts[i] = new ImmutableContext(p.key(), Map.of("role", new Value(p.role()), "city", new Value(p.city()),
                    "category", new Value(p.category()), "tier", new Value(p.tier()), "country", new Value(p.country())));
        }
    }

    private static void write(Path file) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode flags = root.putObject("flags");
        flag(flags, Scenario.STATIC, "on");

        ArrayNode three = flag(flags, Scenario.THREE_CONDITIONS, "off").putObject("targeting").putArray("if");
        ArrayNode and = three.addObject().putArray("and");
        in(and, "role", Scenario.COHORT_ROLES);
        in(and, "city", Scenario.COHORT_CITIES);
        in(and, "category", Scenario.COHORT_CATEGORIES);
        three.add("on").add("off");

        ArrayNode fractional = flag(flags, Scenario.SPLIT, "off").putObject("targeting").putArray("fractional");
        fractional.addArray().add("on").add(50);
        fractional.addArray().add("off").add(50);

        ArrayNode lists = flag(flags, Scenario.LISTS, "off").putObject("targeting").putArray("if");
        in(lists, "targetingKey", Scenario.DENY);
        lists.add("off");
        in(lists, "targetingKey", Scenario.ALLOW);
        lists.add("on").add("off");

        ArrayNode five = flag(flags, Scenario.FIVE_RULES, "off").putObject("targeting").putArray("if");
        for (List<Object> rule : Scenario.FIVE) {
            @SuppressWarnings("unchecked")
            List<String> values = (List<String>) rule.get(1);
            in(five, (String) rule.get(0), values);
            five.add("on");
        }
        five.add("off");
        try {
            Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode flag(ObjectNode flags, String key, String defaultVariant) {
        ObjectNode flag = flags.putObject(key).put("state", "ENABLED").put("defaultVariant", defaultVariant);
        flag.putObject("variants").put("on", true).put("off", false);
        return flag;
    }

    /** {@code {"in": [{"var": attribute}, [values...]]}} */
    private static void in(ArrayNode into, String attribute, List<String> values) {
        ArrayNode in = into.addObject().putArray("in");
        in.addObject().put("var", attribute);
        values.forEach(in.addArray()::add);
    }

    @Override
    public String name() {
        return "flagd";
    }

    @Override
    public boolean evaluate(String flag, int context) {
        return provider.getBooleanEvaluation(flag, false, contexts[context]).getValue();
    }

    @Override
    public void close() {
        provider.shutdown();
    }
}
