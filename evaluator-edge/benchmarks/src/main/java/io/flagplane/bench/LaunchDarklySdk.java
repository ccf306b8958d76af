package io.flagplane.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.launchdarkly.sdk.LDContext;
import com.launchdarkly.sdk.server.Components;
import com.launchdarkly.sdk.server.LDClient;
import com.launchdarkly.sdk.server.LDConfig;
import com.launchdarkly.sdk.server.integrations.FileData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The LaunchDarkly Java server SDK, offline from its file data source (not {@code offline(true)},
 * which would replace the file source and serve defaults). The flags are LaunchDarkly's data
 * model: individual targets for the lists, clauses for rules, a percentage rollout for the split.
 */
public final class LaunchDarklySdk implements BenchmarkSdk {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final LDClient client;
    private final LDContext[] contexts;

    public LaunchDarklySdk(List<Scenario.Person> people, Path dir) {
        this(write(dir.resolve("launchdarkly-flags.json")), contexts(people));
    }

    private LaunchDarklySdk(Path file, LDContext[] contexts) {
        LDConfig config = new LDConfig.Builder()
                .dataSource(FileData.dataSource().filePaths(file).autoUpdate(false))
                .events(Components.noEvents())
                .diagnosticOptOut(true)
                .startWait(Duration.ofSeconds(10))
                .build();
        this.client = new LDClient("sdk-offline-benchmark", config);
        if (!client.isInitialized()) {
            throw new IllegalStateException("LaunchDarkly did not initialise from " + file);
        }
        this.contexts = contexts;
    }

    /** The real-world shapes of issue 17 ({@link RealWorldScenario}), in LaunchDarkly's data model. */
    public static LaunchDarklySdk realWorld(List<RealWorldScenario.Person> people, Path dir) {
        LDContext[] contexts = new LDContext[people.size()];
        for (int i = 0; i < contexts.length; i++) {
            RealWorldScenario.Person p = people.get(i);
            contexts[i] = LDContext.builder(p.key()).set("country", p.country()).set("role", p.role()).set("tier", p.tier())
                    .build();
        }
        return new LaunchDarklySdk(write(dir.resolve("launchdarkly-real-world.json"), RealWorldScenario.SHAPES), contexts);
    }

    private static LDContext[] contexts(List<Scenario.Person> people) {
        LDContext[] contexts = new LDContext[people.size()];
        for (int i = 0; i < contexts.length; i++) {
            Scenario.Person p = people.get(i);
            contexts[i] = LDContext.builder(p.key()).set("role", p.role()).set("city", p.city())
                    .set("category", p.category()).set("tier", p.tier()).set("country", p.country()).build();
        }
        return contexts;
    }

    /**
     * Shapes as LaunchDarkly flags: rules of {@code in} clauses serving variation 0 ({@code true}),
     * the deny list as the first target (variation 1) and the allow list as the second (variation 0),
     * so a denied key is off as in Flagplane, and the split as a fallthrough rollout.
     */
    private static Path write(Path file, List<RealWorldScenario.Shape> shapes) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode flags = root.putObject("flags");
        for (RealWorldScenario.Shape shape : shapes) {
            ObjectNode flag = flag(flags, shape.key());
            if (shape.split()) {
                ArrayNode split = flag.putObject("fallthrough").putObject("rollout").putArray("variations");
                split.addObject().put("variation", 0).put("weight", 50_000);
                split.addObject().put("variation", 1).put("weight", 50_000);
            } else {
                flag.putObject("fallthrough").put("variation", shape.fallthrough() ? 0 : 1);
            }
            if (!shape.deny().isEmpty() || !shape.allow().isEmpty()) {
                ArrayNode targets = flag.putArray("targets");
                shape.deny().forEach(targets.addObject().put("variation", 1).putArray("values")::add);
                shape.allow().forEach(targets.addObject().put("variation", 0).putArray("values")::add);
            }
            ArrayNode rules = flag.putArray("rules");
            for (int r = 0; r < shape.rules().size(); r++) {
                ArrayNode clauses = rules.addObject().put("id", "rule-" + (r + 1)).put("variation", 0).putArray("clauses");
                for (RealWorldScenario.In in : shape.rules().get(r)) {
                    clause(clauses, in.attribute(), in.values());
                }
            }
        }
        root.putObject("segments");
        return save(file, root);
    }

    private static Path save(Path file, ObjectNode root) {
        try {
            Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private static Path write(Path file) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode flags = root.putObject("flags");
        flag(flags, Scenario.STATIC).putObject("fallthrough").put("variation", 0);

        ObjectNode three = flag(flags, Scenario.THREE_CONDITIONS);
        three.putObject("fallthrough").put("variation", 1);
        ObjectNode cohort = three.putArray("rules").addObject().put("id", "cohort").put("variation", 0);
        ArrayNode clauses = cohort.putArray("clauses");
        clause(clauses, "role", Scenario.COHORT_ROLES);
        clause(clauses, "city", Scenario.COHORT_CITIES);
        clause(clauses, "category", Scenario.COHORT_CATEGORIES);

        ArrayNode split = flag(flags, Scenario.SPLIT).putObject("fallthrough").putObject("rollout").putArray("variations");
        split.addObject().put("variation", 0).put("weight", 50_000);
        split.addObject().put("variation", 1).put("weight", 50_000);

        ObjectNode lists = flag(flags, Scenario.LISTS);
        lists.putObject("fallthrough").put("variation", 1);
        ArrayNode targets = lists.putArray("targets");
        Scenario.DENY.forEach(targets.addObject().put("variation", 1).putArray("values")::add);
        Scenario.ALLOW.forEach(targets.addObject().put("variation", 0).putArray("values")::add);

        ObjectNode five = flag(flags, Scenario.FIVE_RULES);
        five.putObject("fallthrough").put("variation", 1);
        ArrayNode rules = five.putArray("rules");
        for (int i = 0; i < Scenario.FIVE.size(); i++) {
            @SuppressWarnings("unchecked")
            List<String> values = (List<String>) Scenario.FIVE.get(i).get(1);
            clause(rules.addObject().put("id", "rule-" + (i + 1)).put("variation", 0).putArray("clauses"),
                    (String) Scenario.FIVE.get(i).get(0), values);
        }
        root.putObject("segments");
        return save(file, root);
    }

    private static ObjectNode flag(ObjectNode flags, String key) {
        ObjectNode flag = flags.putObject(key);
        flag.put("key", key).put("version", 1).put("on", true).put("offVariation", 1).put("salt", "bench");
        flag.putArray("variations").add(true).add(false);
        return flag;
    }

    private static void clause(ArrayNode clauses, String attribute, List<String> values) {
        ObjectNode clause = clauses.addObject().put("contextKind", "user").put("attribute", attribute).put("op", "in")
                .put("negate", false);
        values.forEach(clause.putArray("values")::add);
    }

    @Override
    public String name() {
        return "launchdarkly";
    }

    @Override
    public boolean evaluate(String flag, int context) {
        return client.boolVariation(flag, contexts[context], false);
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
