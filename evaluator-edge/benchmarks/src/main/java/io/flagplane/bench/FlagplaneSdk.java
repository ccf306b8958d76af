package io.flagplane.bench;

import io.flagplane.avro.ActorKind;
import io.flagplane.avro.ChangeInfo;
import io.flagplane.avro.Condition;
import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.FlagType;
import io.flagplane.avro.Prerequisite;
import io.flagplane.avro.Rule;
import io.flagplane.avro.Serve;
import io.flagplane.avro.Split;
import io.flagplane.avro.Target;
import io.flagplane.avro.Variant;
import io.flagplane.avro.WeightedVariant;
import io.flagplane.contract.AvroContract;
import io.flagplane.contract.FlagRef;
import io.flagplane.evaluation.Evaluation;
import io.flagplane.evaluation.EvaluationContext;
import io.flagplane.evaluation.Evaluator;
import io.flagplane.mapping.FlagStateMapper;
import io.flagplane.ruleset.RulesetStore;
import io.flagplane.ruleset.RulesetView;
import io.flagplane.ruleset.UsageCounters;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Flagplane: the five flags written as the wire contract's {@code FlagState} (what arrives on
 * {@code flag-state}), prepared by the same mapper the edge node and the SDK use, held in a
 * {@link RulesetStore}, and evaluated by the engine against the snapshot's view. With
 * {@code countUsage}, each evaluation is also counted beside its flag for the evaluator report, as
 * the SDK and the edge node do when reporting is on.
 */
public final class FlagplaneSdk implements BenchmarkSdk {

    /**
     * Flagplane's own extra flags, not in the peers' set ({@link Scenario#FLAGS}): a flag with one
     * prerequisite, on {@value Scenario#STATIC} (always met: the cost of checking it) and on
     * {@value Scenario#SPLIT} (met for half the contexts: the off variant with PREREQUISITE_FAILED
     * for the other half). Each serves on when its prerequisite does.
     */
    public static final String PREREQUISITE_ON_STATIC = "bench.prerequisite_static";
    public static final String PREREQUISITE_ON_SPLIT = "bench.prerequisite_split";

    static {
        AvroContract.trustGeneratedClasses();
    }

    private final RulesetView view;
    private final EvaluationContext[] contexts;
    private final boolean countUsage;

    public FlagplaneSdk(List<Scenario.Person> people) {
        this(people, false);
    }

    public FlagplaneSdk(List<Scenario.Person> people, boolean countUsage) {
        this(states(), contexts(people), countUsage);
    }

    /** Any flags, as {@code flag-state} carries them, evaluated by the engine for these contexts. */
    FlagplaneSdk(List<FlagState> states, EvaluationContext[] contexts, boolean countUsage) {
        this.countUsage = countUsage;
        RulesetStore store = countUsage ? new RulesetStore(UsageCounters.enabled(), Clock.systemUTC()) : new RulesetStore();
        List<RulesetStore.Update> updates = new ArrayList<>();
        for (FlagState state : states) {
            updates.add(new RulesetStore.Update(new FlagRef("production", state.getFlagKey()), FlagStateMapper.toFlag(state)));
        }
        store.apply(updates);
        this.view = store.current().view("production");
        this.contexts = contexts;
    }

    private static EvaluationContext[] contexts(List<Scenario.Person> people) {
        EvaluationContext[] contexts = new EvaluationContext[people.size()];
        for (int i = 0; i < contexts.length; i++) {
            Scenario.Person p = people.get(i);
            Map<String, Object> attributes = new HashMap<>();
            attributes.put("role", p.role());
            attributes.put("city", p.city());
            attributes.put("category", p.category());
            attributes.put("tier", p.tier());
            attributes.put("country", p.country());
            contexts[i] = EvaluationContext.of(p.key(), attributes);
        }
        return contexts;
    }

    static List<FlagState> states() {
        List<Rule> fiveRules = new ArrayList<>();
        for (int i = 0; i < Scenario.FIVE.size(); i++) {
            @SuppressWarnings("unchecked")
            List<String> values = (List<String>) Scenario.FIVE.get(i).get(1);
            fiveRules.add(new Rule("rule-" + (i + 1), null,
                    List.of(new Condition((String) Scenario.FIVE.get(i).get(0), "in", values)), on()));
        }
        return List.of(
                state(PREREQUISITE_ON_STATIC, withPrerequisite(Scenario.STATIC)),
                state(PREREQUISITE_ON_SPLIT, withPrerequisite(Scenario.SPLIT)),
                state(Scenario.STATIC, definition(List.of(), on(), List.of(), List.of())),
                state(Scenario.THREE_CONDITIONS, definition(List.of(new Rule("cohort", null, List.of(
                        new Condition("role", "in", Scenario.COHORT_ROLES),
                        new Condition("city", "in", Scenario.COHORT_CITIES),
                        new Condition("category", "in", Scenario.COHORT_CATEGORIES)), on())), off(), List.of(), List.of())),
                state(Scenario.SPLIT, definition(List.of(), Serve.newBuilder().setSplit(new Split(List.of(
                        new WeightedVariant("on", 5_000), new WeightedVariant("off", 5_000)), null)).build(), List.of(), List.of())),
                state(Scenario.LISTS, definition(List.of(), off(), List.of(new Target("on", Scenario.ALLOW)), Scenario.DENY)),
                state(Scenario.FIVE_RULES, definition(fiveRules, off(), List.of(), List.of())));
    }

    private static FlagDefinition withPrerequisite(String prerequisite) {
        FlagDefinition definition = definition(List.of(), on(), List.of(), List.of());
        definition.setPrerequisites(List.of(new Prerequisite(prerequisite, List.of("on"))));
        return definition;
    }

    /**
     * Checks the prerequisite flags before they are measured: each serves what its prerequisite
     * serves, on every context, and the split's half are served off for the prerequisite's sake.
     */
    public void requirePrerequisiteAnswers() {
        int failed = 0;
        for (int i = 0; i < contexts.length; i++) {
            for (String[] pair : new String[][] {{PREREQUISITE_ON_STATIC, Scenario.STATIC}, {PREREQUISITE_ON_SPLIT, Scenario.SPLIT}}) {
                Evaluation<Boolean> result = Evaluator.evaluate(view, pair[0], io.flagplane.evaluation.FlagType.BOOLEAN,
                        Boolean.TRUE, contexts[i]);
                if (result.value() != evaluate(pair[1], i)) {
                    throw new IllegalStateException(pair[0] + " served " + result + " to context " + i + ", but "
                            + pair[1] + " serves " + evaluate(pair[1], i));
                }
                failed += result.reason() == io.flagplane.evaluation.Reason.PREREQUISITE_FAILED ? 1 : 0;
            }
        }
        if (failed < contexts.length * 45 / 100 || failed > contexts.length * 55 / 100) {
            throw new IllegalStateException(failed + " of " + contexts.length + " evaluations failed their prerequisite, expected about half");
        }
    }

    private static Serve on() {
        return Serve.newBuilder().setVariant("on").build();
    }

    private static Serve off() {
        return Serve.newBuilder().setVariant("off").build();
    }

    static FlagDefinition definition(List<Rule> rules, Serve fallthrough, List<Target> allow, List<String> deny) {
        return FlagDefinition.newBuilder().setType(FlagType.BOOLEAN)
                .setVariants(List.of(new Variant("on", "true", null), new Variant("off", "false", null)))
                .setOffVariant("off").setRules(rules).setFallthrough(fallthrough)
                .setAllowList(allow).setDenyList(deny).setSalt("bench").build();
    }

    static FlagState state(String key, FlagDefinition definition) {
        return FlagState.newBuilder().setEnvironment("production").setFlagKey(key).setVersion(1).setDefinition(definition)
                .setEnabled(true).setKilled(false).setArchived(false).setCreatedAt(Instant.EPOCH)
                .setLastChange(new ChangeInfo("e", "FlagCreated", Instant.EPOCH,
                        new io.flagplane.avro.Actor("bench", ActorKind.SYSTEM), null, null))
                .build();
    }

    @Override
    public String name() {
        return countUsage ? "flagplane (usage counted)" : "flagplane";
    }

    @Override
    public boolean evaluate(String flag, int context) {
        Evaluation<Boolean> result = Evaluator.evaluate(view, flag, io.flagplane.evaluation.FlagType.BOOLEAN, Boolean.FALSE,
                contexts[context]);   // counted by the view itself when the store counts usage
        return result.value();
    }

    @Override
    public void close() {
    }
}
