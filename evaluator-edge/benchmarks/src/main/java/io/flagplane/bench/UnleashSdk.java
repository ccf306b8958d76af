package io.flagplane.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.getunleash.DefaultUnleash;
import io.getunleash.Unleash;
import io.getunleash.UnleashContext;
import io.getunleash.repository.ToggleBootstrapFileProvider;
import io.getunleash.util.UnleashConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The Unleash Java client (its native yggdrasil engine through JNI), bootstrapped from a file with
 * polling and metrics off and a fresh backup file (a stale backup would silently win). Allow
 * list = {@code userWithId}; deny list = a {@code userId NOT_IN} constraint; rules = strategies
 * with constraints (strategies OR, constraints AND); the split = {@code flexibleRollout} 50 %.
 */
public final class UnleashSdk implements BenchmarkSdk {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Unleash unleash;
    private final UnleashContext[] contexts;

    public UnleashSdk(List<Scenario.Person> people, Path dir) {
        Path file = dir.resolve("unleash-features.json");
        write(file);
        UnleashConfig config = UnleashConfig.builder()
                .appName("flagplane-benchmark")
                .instanceId("benchmark")
                .unleashAPI("http://127.0.0.1:1")
                .toggleBootstrapProvider(new ToggleBootstrapFileProvider(file.toString()))
                .backupFile(dir.resolve("unleash-backup-" + System.nanoTime() + ".json").toString())
                .disablePolling()
                .disableMetrics()
                .fetchTogglesInterval(0)
                .build();
        this.unleash = new DefaultUnleash(config);
        this.contexts = new UnleashContext[people.size()];
        for (int i = 0; i < contexts.length; i++) {
            Scenario.Person p = people.get(i);
            contexts[i] = UnleashContext.builder().userId(p.key()).addProperty("role", p.role()).addProperty("city", p.city())
                    .addProperty("category", p.category()).addProperty("tier", p.tier()).addProperty("country", p.country())
                    .build();
        }
    }

    private static void write(Path file) {
        ObjectNode root = JSON.createObjectNode().put("version", 2);
        ArrayNode features = root.putArray("features");
        strategy(feature(features, Scenario.STATIC), "default");

        ArrayNode cohort = strategy(feature(features, Scenario.THREE_CONDITIONS), "default").putArray("constraints");
        constraint(cohort, "role", "IN", Scenario.COHORT_ROLES);
        constraint(cohort, "city", "IN", Scenario.COHORT_CITIES);
        constraint(cohort, "category", "IN", Scenario.COHORT_CATEGORIES);

        strategy(feature(features, Scenario.SPLIT), "flexibleRollout").putObject("parameters")
                .put("rollout", "50").put("stickiness", "userId").put("groupId", Scenario.SPLIT);

        ObjectNode allow = strategy(feature(features, Scenario.LISTS), "userWithId");
        allow.putObject("parameters").put("userIds", String.join(",", Scenario.ALLOW));
        constraint(allow.putArray("constraints"), "userId", "NOT_IN", Scenario.DENY);

        ArrayNode five = feature(features, Scenario.FIVE_RULES);
        for (List<Object> rule : Scenario.FIVE) {
            @SuppressWarnings("unchecked")
            List<String> values = (List<String>) rule.get(1);
            constraint(strategy(five, "default").putArray("constraints"), (String) rule.get(0), "IN", values);
        }
        try {
            Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ArrayNode feature(ArrayNode features, String name) {
        ObjectNode feature = features.addObject().put("name", name).put("enabled", true).put("type", "release")
                .put("project", "default");
        return feature.putArray("strategies");
    }

    private static ObjectNode strategy(ArrayNode strategies, String name) {
        ObjectNode strategy = strategies.addObject().put("name", name);
        strategy.putObject("parameters");
        return strategy;
    }

    private static void constraint(ArrayNode constraints, String context, String operator, List<String> values) {
        ObjectNode c = constraints.addObject().put("contextName", context).put("operator", operator)
                .put("caseInsensitive", false).put("inverted", false);
        values.forEach(c.putArray("values")::add);
    }

    @Override
    public String name() {
        return "unleash";
    }

    @Override
    public boolean evaluate(String flag, int context) {
        return unleash.isEnabled(flag, contexts[context]);
    }

    @Override
    public void close() {
        unleash.shutdown();
    }
}
