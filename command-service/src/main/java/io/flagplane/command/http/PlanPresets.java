package io.flagplane.command.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.FlagType;
import io.flagplane.avro.Variant;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.Names;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The seeds' rollout plans, ready to use: each preset writes ordinary steps (change-set JSON) for
 * the plan's flags as they are, so what a preset plan does is visible, editable while a draft, and
 * decided like any other plan. A preset owns the targeting it rolls out: its steps replace the
 * flags' rules and set their fallthrough (a RESTORE rollback puts back what was there).
 *
 * <ul>
 * <li>{@code seed-001} (seed 001's {@code deploy internal / beta / expanded / general}):
 *   {@code internal} serves the rolled-out variant to the internal users only (allow list; rules
 *   cleared, fallthrough 0 %, flag enabled); {@code beta} to 10 % of the tiers pro and enterprise;
 *   {@code expanded} to 50 % of them; {@code general} to 100 % of everyone. Held 3, 7, 7 and 2 days
 *   (seed 001's days 1-3, 4-10, 11-17 and its 48 hours of post-GA monitoring). Parameters:
 *   {@code internalUsers} (required), {@code tiers}, {@code tierAttribute} ({@code tier}),
 *   {@code variant}, {@code holdSeconds}.</li>
 * <li>{@code seed-000-roles} (seed 000's four phases, a week each, a person's go at each):
 *   {@code pilot} admin; {@code finance} finance + admin; {@code broader-org} the UI also for ops
 *   and managers; {@code fuzzy-match} fuzzy matching for admins. The seed's flags are found among
 *   the plan's by name ({@code charges.engine} is seed 000's {@code charges_engine}), or named in
 *   {@code flags}; {@code auto_compute_charges}, on for everyone in every phase, is left as it is.
 *   Parameters: {@code roleAttribute} ({@code role}), {@code flags}, {@code holdSeconds}.</li>
 * <li>{@code seed-002-percent} (seed 002's 1 % → 10 % → 50 % → 100 % with go/no-go): the
 *   fallthrough (or {@code ruleId}'s rule) rolled out, a day each, a person's go at each unless
 *   {@code manualApproval} is false. Parameters: {@code variant}, {@code ruleId},
 *   {@code manualApproval}, {@code holdSeconds}.</li>
 * </ul>
 * {@code holdSeconds} overrides hold times by step name: {@code {"beta": 3600}}.
 */
final class PlanPresets {

    static final String SEED_001 = "seed-001";
    static final String SEED_000_ROLES = "seed-000-roles";
    static final String SEED_002_PERCENT = "seed-002-percent";
    static final List<String> NAMES = List.of(SEED_001, SEED_000_ROLES, SEED_002_PERCENT);

    /** The id of the rule seed 001's tiers step adds (its expanded step ramps it). */
    static final String TIER_RULE = "seed-001-tiers";
    static final String ROLE_RULE = "seed-000-roles";
    private static final long DAY = 86_400;

    private static final Map<String, Set<String>> PARAMETERS = Map.of(
            SEED_001, Set.of("internalUsers", "tiers", "tierAttribute", "variant", "holdSeconds"),
            SEED_000_ROLES, Set.of("roleAttribute", "flags", "holdSeconds"),
            SEED_002_PERCENT, Set.of("variant", "ruleId", "manualApproval", "holdSeconds"));

    /** Seed 000's flags, by the names the seed gives them. */
    private static final List<String> SEED_000_FLAGS = List.of("charges_engine", "charges_ui", "referrer_fuzzy",
            "auto_compute_charges");

    private PlanPresets() {
    }

    /** The preset's steps for these flags, as the {@code steps} of a plan definition. */
    static ArrayNode steps(String preset, JsonNode parameters, List<FlagState> flags) {
        Set<String> allowed = PARAMETERS.get(preset);
        if (allowed == null) {
            throw CommandException.invalid("preset", "preset '" + Json.abbreviate(preset) + "' is not one of " + NAMES);
        }
        if (!parameters.isObject()) {
            throw CommandException.invalid("presetParameters", "presetParameters must be an object");
        }
        Json.allowOnly(parameters, "presetParameters", allowed);
        List<Step> steps = switch (preset) {
            case SEED_001 -> seed001(parameters, flags);
            case SEED_000_ROLES -> seed000(parameters, flags);
            default -> seed002(parameters, flags);
        };
        Map<String, Long> holds = holds(parameters, steps);
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (Step step : steps) {
            out.addObject().put("name", step.name()).<ObjectNode>set("commands", step.commands())
                    .put("holdSeconds", holds.getOrDefault(step.name(), step.holdSeconds()))
                    .put("manualApproval", step.manualApproval());
        }
        return out;
    }

    private record Step(String name, long holdSeconds, boolean manualApproval, ArrayNode commands) {
        Step(String name, long holdSeconds, boolean manualApproval) {
            this(name, holdSeconds, manualApproval, Json.MAPPER.createArrayNode());
        }
    }

    /** The variant a flag rolls out, and the one the rest of its users keep (its off variant). */
    private record Arms(String on, String off) {
    }

    private static List<Step> seed001(JsonNode p, List<FlagState> flags) {
        List<String> users = Json.textList(p, "internalUsers", "presetParameters.internalUsers");
        if (users.isEmpty()) {
            throw CommandException.invalid("presetParameters.internalUsers", "seed 001's internal step serves the internal"
                    + " testers: give their user ids, e.g. \"internalUsers\": [\"1\", \"2\", \"3\"]");
        }
        List<String> tiers = Json.optionalTextList(p, "tiers", "presetParameters.tiers");
        tiers = tiers == null ? List.of("pro", "enterprise") : tiers;
        if (tiers.isEmpty()) {
            throw CommandException.invalid("presetParameters.tiers", "the beta and expanded steps need at least one tier");
        }
        String attribute = Json.optionalText(p, "tierAttribute", "presetParameters.tierAttribute", "tier");
        Step internal = new Step("internal", 3 * DAY, false);
        Step beta = new Step("beta", 7 * DAY, false);
        Step expanded = new Step("expanded", 7 * DAY, false);
        Step general = new Step("general", 2 * DAY, false);
        for (FlagState flag : flags) {
            Arms arms = arms(flag, Json.optionalText(p, "variant", "presetParameters.variant", null));
            String key = flag.getFlagKey();
            internal.commands().add(rules(key, Json.MAPPER.createArrayNode()));
            internal.commands().add(rollout(key, null, arms.on(), 0));
            internal.commands().addObject().put("action", "allowList").put("flag", key).put("variant", arms.on())
                    .set("add", strings(users));
            internal.commands().addObject().put("action", "enable").put("flag", key);
            ArrayNode tierRule = Json.MAPPER.createArrayNode();
            ObjectNode rule = tierRule.addObject().put("id", TIER_RULE).put("description", "seed 001: tiers " + String.join(", ", tiers));
            rule.putArray("conditions").addObject().put("attribute", attribute).put("operator", "in").set("values", strings(tiers));
            ArrayNode split = rule.putObject("serve").putArray("split");
            split.addObject().put("variant", arms.on()).put("weight", 10);
            split.addObject().put("variant", arms.off()).put("weight", 90);
            beta.commands().add(rules(key, tierRule));
            expanded.commands().add(rollout(key, TIER_RULE, arms.on(), 50));
            general.commands().add(rules(key, Json.MAPPER.createArrayNode()));
            general.commands().add(rollout(key, null, arms.on(), 100));
        }
        return List.of(internal, beta, expanded, general);
    }

    /** Seed 000's four phases: who gets each flag (empty: the flag is off), phase by phase. */
    private static List<Step> seed000(JsonNode p, List<FlagState> flags) {
        String attribute = Json.optionalText(p, "roleAttribute", "presetParameters.roleAttribute", "role");
        Map<String, FlagState> bySeedName = seed000Flags(p, flags);
        List<String> admin = List.of("admin");
        List<String> financeAdmin = List.of("finance", "admin");
        List<String> everyoneButFuzzy = List.of("finance", "ops", "manager", "admin");
        Map<String, List<List<String>>> phases = new LinkedHashMap<>();
        phases.put("charges_engine", List.of(admin, financeAdmin, financeAdmin, financeAdmin));
        phases.put("charges_ui", List.of(admin, financeAdmin, everyoneButFuzzy, everyoneButFuzzy));
        phases.put("referrer_fuzzy", List.of(List.of(), List.of(), List.of(), admin));
        List<Step> steps = List.of(new Step("pilot", 7 * DAY, true), new Step("finance", 7 * DAY, true),
                new Step("broader-org", 7 * DAY, true), new Step("fuzzy-match", 7 * DAY, true));
        for (Map.Entry<String, List<List<String>>> seedFlag : phases.entrySet()) {
            FlagState flag = bySeedName.get(seedFlag.getKey());
            if (flag == null) {
                continue;
            }
            Arms arms = arms(flag, null);
            for (int phase = 0; phase < steps.size(); phase++) {
                List<String> roles = seedFlag.getValue().get(phase);
                ArrayNode commands = steps.get(phase).commands();
                String key = flag.getFlagKey();
                if (roles.isEmpty()) {
                    commands.addObject().put("action", "disable").put("flag", key);
                    continue;
                }
                ArrayNode roleRule = Json.MAPPER.createArrayNode();
                ObjectNode rule = roleRule.addObject().put("id", ROLE_RULE).put("description", "seed 000 "
                        + steps.get(phase).name() + ": roles " + String.join(", ", roles));
                rule.putArray("conditions").addObject().put("attribute", attribute).put("operator", "in").set("values", strings(roles));
                rule.putObject("serve").put("variant", arms.on());
                commands.add(rules(key, roleRule));
                commands.add(rollout(key, null, arms.on(), 0));
                commands.addObject().put("action", "enable").put("flag", key);
            }
        }
        return steps;
    }

    /** Seed 000's flags among the plan's: named in {@code flags}, or found by name (charges.engine is charges_engine). */
    private static Map<String, FlagState> seed000Flags(JsonNode p, List<FlagState> flags) {
        Map<String, FlagState> found = new LinkedHashMap<>();
        JsonNode named = Json.present(p, "flags", "presetParameters.flags");
        if (named != null) {
            if (!named.isObject()) {
                throw CommandException.invalid("presetParameters.flags", "flags maps seed 000's flag names to the plan's flag keys:"
                        + " {\"charges_engine\": \"charges.engine\", ...}");
            }
            Json.allowOnly(named, "presetParameters.flags", Set.copyOf(SEED_000_FLAGS));
            for (Iterator<String> it = named.fieldNames(); it.hasNext(); ) {
                String seedName = it.next();
                String path = "presetParameters.flags." + seedName;
                String key = Json.requiredText(named, seedName, path);
                FlagState flag = flags.stream().filter(f -> f.getFlagKey().equals(key)).findFirst().orElseThrow(() ->
                        CommandException.invalid(path, "flag '" + Json.abbreviate(key) + "' is not one of the plan's flags"));
                found.put(seedName, flag);
            }
        } else {
            for (FlagState flag : flags) {
                String seedName = flag.getFlagKey().replace('.', '_');
                if (SEED_000_FLAGS.contains(seedName)) {
                    found.put(seedName, flag);
                }
            }
        }
        if (!found.containsKey("charges_engine") && !found.containsKey("charges_ui") && !found.containsKey("referrer_fuzzy")) {
            throw CommandException.invalid("presetParameters.flags", "none of the plan's flags is one of seed 000's phased flags"
                    + " (charges_engine, charges_ui, referrer_fuzzy): name them, e.g. \"flags\": {\"charges_engine\":"
                    + " \"charges.engine\"}, or use keys such as charges.engine");
        }
        return found;
    }

    private static List<Step> seed002(JsonNode p, List<FlagState> flags) {
        boolean manual = Json.optionalBoolean(p, "manualApproval", "presetParameters.manualApproval", true);
        String ruleId = Json.optionalText(p, "ruleId", "presetParameters.ruleId", null);
        List<Step> steps = new ArrayList<>();
        for (int percent : new int[] {1, 10, 50, 100}) {
            steps.add(new Step(percent + "-percent", DAY, manual));
        }
        for (FlagState flag : flags) {
            Arms arms = arms(flag, Json.optionalText(p, "variant", "presetParameters.variant", null));
            int[] percents = {1, 10, 50, 100};
            for (int i = 0; i < percents.length; i++) {
                steps.get(i).commands().add(rollout(flag.getFlagKey(), ruleId, arms.on(), percents[i]));
            }
            steps.get(0).commands().addObject().put("action", "enable").put("flag", flag.getFlagKey());
        }
        return steps;
    }

    private static Map<String, Long> holds(JsonNode p, List<Step> steps) {
        Map<String, Long> holds = new LinkedHashMap<>();
        JsonNode node = Json.present(p, "holdSeconds", "presetParameters.holdSeconds");
        if (node == null) {
            return holds;
        }
        if (!node.isObject()) {
            throw CommandException.invalid("presetParameters.holdSeconds", "holdSeconds maps step names to seconds: {\"beta\": 3600}");
        }
        Json.allowOnly(node, "presetParameters.holdSeconds", Set.copyOf(steps.stream().map(Step::name).toList()));
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> hold = it.next();
            if (!hold.getValue().isIntegralNumber() || !hold.getValue().canConvertToLong() || hold.getValue().longValue() < 0) {
                throw CommandException.invalid("presetParameters.holdSeconds." + hold.getKey(), "a hold is a whole number of"
                        + " seconds, 0 or more");
            }
            holds.put(hold.getKey(), hold.getValue().longValue());
        }
        return holds;
    }

    /** What a flag rolls out: {@code variant}, or a boolean flag's true variant; the rest keep its off variant. */
    private static Arms arms(FlagState flag, String variant) {
        FlagDefinition d = flag.getDefinition();
        String on = variant;
        if (on == null) {
            if (d.getType() != FlagType.BOOLEAN) {
                throw CommandException.invalid("presetParameters.variant", "flag '" + flag.getFlagKey() + "' is not boolean: name"
                        + " the variant the preset rolls out");
            }
            on = d.getVariants().stream().filter(v -> v.getValueJson().equals("true")).map(Variant::getKey).findFirst()
                    .orElseThrow(() -> CommandException.invalid("presetParameters.variant", "flag '" + flag.getFlagKey()
                            + "' has no true variant: name the variant the preset rolls out"));
        } else {
            Names.checkVariantKey(on, "presetParameters.variant");
        }
        String chosen = on;
        if (d.getVariants().stream().noneMatch(v -> v.getKey().equals(chosen))) {
            throw CommandException.invalid("presetParameters.variant", "flag '" + flag.getFlagKey() + "' has no variant '" + on + "'");
        }
        if (d.getOffVariant() == null || d.getOffVariant().equals(on)) {
            throw CommandException.invalid("presetParameters.variant", "flag '" + flag.getFlagKey() + "' needs an off variant other"
                    + " than '" + on + "' for the users a step does not reach yet");
        }
        return new Arms(on, d.getOffVariant());
    }

    private static ObjectNode rules(String flag, ArrayNode rules) {
        ObjectNode command = Json.MAPPER.createObjectNode().put("action", "replaceRules").put("flag", flag);
        command.set("rules", rules);
        return command;
    }

    private static ObjectNode rollout(String flag, String ruleId, String variant, int percent) {
        ObjectNode command = Json.MAPPER.createObjectNode().put("action", "setRollout").put("flag", flag);
        if (ruleId != null) {
            command.put("ruleId", ruleId);
        }
        return command.put("variant", variant).put("percentage", percent);
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        values.forEach(out::add);
        return out;
    }
}
