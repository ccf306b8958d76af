package io.flagplane.command.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.Condition;
import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.PlanStep;
import io.flagplane.avro.Rule;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.avro.Serve;
import io.flagplane.avro.Split;
import io.flagplane.avro.Target;
import io.flagplane.avro.WeightedVariant;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.ModelWriter;
import io.flagplane.command.log.CommandResult;
import io.flagplane.contract.PlanRef;
import io.flagplane.fixtures.Events;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The seeds' presets: each yields an ordinary plan whose steps, applied one after the other as
 * the plan would, give each flag the audience the seed's phase names (checked on the flag
 * definitions the steps leave).
 */
class PlanPresetsTest {

    private static final String ENV = "production";
    private static final PlanRef PLAN = new PlanRef(ENV, "rollout");

    private final ModelWriter writer = new ModelWriter(() -> Instant.parse("2026-12-01T09:00:00Z"),
            Events.on(ENV, ENV).version(1).environmentCreated(),
            Events.on(ENV, "action_plan.customization").version(1).created(withRule("action_plan.customization"), false),
            Events.on(ENV, "charges.engine").version(1).created(tagged("charges.engine"), true),
            Events.on(ENV, "charges.ui").version(1).created(tagged("charges.ui"), true),
            Events.on(ENV, "referrer.fuzzy").version(1).created(tagged("referrer.fuzzy"), false),
            Events.on(ENV, "auto_compute.charges").version(1).created(tagged("auto_compute.charges"), true),
            Events.on(ENV, "checkout.new_flow").version(1).createdBoolean(false));

    private static FlagDefinition tagged(String key) {
        FlagDefinition d = Events.booleanFlag(key);
        d.setTags(List.of("charges"));
        return d;
    }

    /** A flag that already targets someone: the preset owns its targeting from the first step. */
    private static FlagDefinition withRule(String key) {
        FlagDefinition d = Events.booleanFlag(key);
        d.setRules(List.of(new Rule("staff", null, List.of(new Condition("email", "ends_with", List.of("@acme.com"))),
                Serve.newBuilder().setVariant("on").build())));
        return d;
    }

    private RolloutPlanState create(String json) throws Exception {
        Command command = PlanValidationTest.parse(writer.model(), json);
        writer.write(command);
        return (RolloutPlanState) writer.model().state(((Command.CreatePlan) command).plan());
    }

    private RolloutPlanState plan() {
        return (RolloutPlanState) writer.model().state(PLAN);
    }

    private FlagDefinition flag(String key) {
        return writer.model().flag(ENV, key).getDefinition();
    }

    private FlagState state(String key) {
        return writer.model().flag(ENV, key);
    }

    /** Applies the next step the way the plan would (start, or advance with a person's go where asked). */
    private void next() {
        RolloutPlanState plan = plan();
        Function<RolloutPlanState, io.flagplane.command.log.CommandRequest> move = plan.getCurrentStep() < 0
                ? p -> PlanChangeSets.start(p, Events.ALICE, "start") : p -> PlanChangeSets.advance(p, Events.ALICE, "next");
        if (plan.getCurrentStep() >= 0 && plan.getDefinition().getSteps().get(plan.getCurrentStep()).getManualApproval()) {
            writer.write(new Command.ApprovePlanStep(PLAN, Events.ALICE, plan.getCurrentStep(), true, "go", null));
        }
        CommandResult result = writer.submit(move.apply(plan())).join();
        assertThat(result).isNotNull();
    }

    private static Serve split(int onPercent) {
        return Serve.newBuilder().setSplit(new Split(List.of(new WeightedVariant("on", onPercent * 100),
                new WeightedVariant("off", 10_000 - onPercent * 100)), null)).build();
    }

    @Test
    void seed_001_goes_internal_then_10_and_50_percent_of_pro_and_enterprise_then_everyone() throws Exception {
        RolloutPlanState plan = create("{\"action\":\"createPlan\",\"key\":\"rollout\",\"flagKeys\":[\"action_plan.customization\"],"
                + "\"preset\":\"seed-001\",\"presetParameters\":{\"internalUsers\":[\"1\",\"2\",\"3\"],\"holdSeconds\":{\"beta\":3600}}}");

        assertThat(plan.getDefinition().getPreset()).isEqualTo("seed-001");
        assertThat(plan.getDefinition().getSteps()).extracting(PlanStep::getName).containsExactly("internal", "beta", "expanded", "general");
        assertThat(plan.getDefinition().getSteps()).extracting(PlanStep::getHoldSeconds)
                .as("seed 001's days 1-3, 4-10 (overridden), 11-17 and 48 h after GA").containsExactly(259_200L, 3_600L, 604_800L, 172_800L);
        assertThat(plan.getDefinition().getSteps().get(0).getCommandsJson()).contains("\"action\":\"allowList\"", "\"add\":[\"1\",\"2\",\"3\"]");

        next();
        assertThat(state("action_plan.customization").getEnabled()).isTrue();
        assertThat(flag("action_plan.customization").getRules()).as("the staff rule no longer reaches anyone").isEmpty();
        assertThat(flag("action_plan.customization").getFallthrough()).isEqualTo(split(0));
        assertThat(flag("action_plan.customization").getAllowList()).containsExactly(new Target("on", List.of("1", "2", "3")));

        next();
        Rule tiers = flag("action_plan.customization").getRules().get(0);
        assertThat(tiers.getId()).isEqualTo(PlanPresets.TIER_RULE);
        assertThat(tiers.getConditions()).containsExactly(new Condition("tier", "in", List.of("pro", "enterprise")));
        assertThat(tiers.getServe()).isEqualTo(split(10));

        next();
        assertThat(flag("action_plan.customization").getRules()).singleElement()
                .satisfies(r -> assertThat(r.getServe()).isEqualTo(split(50)));

        next();
        assertThat(flag("action_plan.customization").getRules()).isEmpty();
        assertThat(flag("action_plan.customization").getFallthrough()).isEqualTo(split(100));
        assertThat(flag("action_plan.customization").getAllowList()).as("the testers keep it").hasSize(1);
    }

    @Test
    void seed_000_moves_through_its_four_role_phases_on_the_tags_flags_each_with_a_persons_go() throws Exception {
        RolloutPlanState plan = create("{\"action\":\"createPlan\",\"key\":\"rollout\",\"tag\":\"charges\",\"preset\":\"seed-000-roles\"}");

        assertThat(plan.getDefinition().getSteps()).extracting(PlanStep::getName)
                .containsExactly("pilot", "finance", "broader-org", "fuzzy-match");
        assertThat(plan.getDefinition().getSteps()).allSatisfy(s -> {
            assertThat(s.getManualApproval()).isTrue();
            assertThat(s.getHoldSeconds()).isEqualTo(7 * 86_400L);
        });
        assertThat(String.join("", plan.getDefinition().getSteps().stream().map(PlanStep::getCommandsJson).toList()))
                .as("seed 000's auto_compute_charges is on for all in every phase and left alone").doesNotContain("auto_compute.charges");

        next();
        assertThat(roles("charges.engine")).containsExactly("admin");
        assertThat(roles("charges.ui")).containsExactly("admin");
        assertThat(state("referrer.fuzzy").getEnabled()).isFalse();
        assertThat(flag("charges.engine").getFallthrough()).as("nobody else").isEqualTo(split(0));
        next();
        assertThat(roles("charges.engine")).containsExactly("finance", "admin");
        assertThat(roles("charges.ui")).containsExactly("finance", "admin");
        next();
        assertThat(roles("charges.engine")).containsExactly("finance", "admin");
        assertThat(roles("charges.ui")).containsExactly("finance", "ops", "manager", "admin");
        assertThat(state("referrer.fuzzy").getEnabled()).isFalse();
        next();
        assertThat(roles("referrer.fuzzy")).containsExactly("admin");
        assertThat(state("referrer.fuzzy").getEnabled()).isTrue();
        assertThat(state("auto_compute.charges").getVersion()).isEqualTo(1 + 1);   // only the plan marker
    }

    private List<String> roles(String key) {
        Rule rule = flag(key).getRules().get(0);
        assertThat(rule.getId()).isEqualTo(PlanPresets.ROLE_RULE);
        assertThat(rule.getServe().getVariant()).isEqualTo("on");
        assertThat(rule.getConditions().get(0).getAttribute()).isEqualTo("role");
        return rule.getConditions().get(0).getValues();
    }

    @Test
    void seed_002_ramps_1_10_50_100_percent_with_a_go_at_each_unless_told_otherwise() throws Exception {
        RolloutPlanState plan = create("{\"action\":\"createPlan\",\"key\":\"rollout\",\"flagKeys\":[\"checkout.new_flow\"],"
                + "\"preset\":\"seed-002-percent\"}");

        assertThat(plan.getDefinition().getSteps()).extracting(s -> s.getName() + " " + s.getManualApproval())
                .containsExactly("1-percent true", "10-percent true", "50-percent true", "100-percent true");
        for (int percent : new int[] {1, 10, 50, 100}) {
            next();
            assertThat(flag("checkout.new_flow").getFallthrough()).isEqualTo(split(percent));
        }
        assertThat(state("checkout.new_flow").getEnabled()).isTrue();

        RolloutPlanState auto = create("{\"action\":\"createPlan\",\"key\":\"auto\",\"flagKeys\":[\"action_plan.customization\"],"
                + "\"preset\":\"seed-002-percent\",\"presetParameters\":{\"manualApproval\":false}}");
        assertThat(auto.getDefinition().getSteps()).noneMatch(PlanStep::getManualApproval);
    }

    @Test
    void a_preset_plan_reads_back_as_explicit_steps_and_saves_again_as_it_is() throws Exception {
        RolloutPlanState plan = create("{\"action\":\"createPlan\",\"key\":\"rollout\",\"flagKeys\":[\"checkout.new_flow\"],"
                + "\"preset\":\"seed-002-percent\"}");
        com.fasterxml.jackson.databind.node.ObjectNode definition = io.flagplane.contract.json.StateJson.planDefinition(plan.getDefinition());
        definition.put("action", "updatePlan").put("plan", "rollout");

        Command update = PlanValidationTest.parse(writer.model(), definition.toString());

        assertThat(((Command.UpdatePlan) update).definition()).as("GET's definition is the body an edit takes back")
                .isEqualTo(plan.getDefinition());
        assertThat(writer.write(update)).as("saving it unchanged writes nothing").isEmpty();
    }
}
