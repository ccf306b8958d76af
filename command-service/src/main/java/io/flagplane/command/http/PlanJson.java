package io.flagplane.command.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.avro.BreachAction;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.Guardrail;
import io.flagplane.avro.GuardrailKind;
import io.flagplane.avro.PlanStep;
import io.flagplane.avro.RollbackAction;
import io.flagplane.avro.RolloutPlanDefinition;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.domain.Names;
import io.flagplane.command.domain.ReadModel;
import io.flagplane.contract.AvroContract;
import io.flagplane.contract.PlanRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads rollout-plan commands from request JSON. A plan's definition is {@code description},
 * {@code flagKeys} (or {@code tag}), {@code steps} (or {@code preset} with {@code presetParameters}),
 * {@code guardrails}, {@code rollbackAction}, {@code controlVariant}, {@code treatmentVariant} and
 * {@code startAt}; each step is {@code name}, {@code commands} (change-set commands, their
 * environment defaulting to the plan's), {@code holdSeconds}, {@code manualApproval} and
 * {@code minimumSample}.
 *
 * <p>Two things need the flags as they are, so they are done once, where a request comes in,
 * before the command is read ({@link #resolve}): a {@code tag} becomes the tag's live flags in
 * {@code flagKeys}, and a {@code preset} becomes its steps. What a plan, a change set or a change
 * request then holds is explicit (a reviewer sees every command a step will apply), and reading it
 * again later (a change request applied next week) means the same thing.
 */
final class PlanJson {

    static {
        AvroContract.trustGeneratedClasses();   // Avro builders resolve defaults through the generated classes
    }

    /** The fields of a plan definition, shared by createPlan and updatePlan. */
    static final Set<String> DEFINITION = Set.of("description", "flagKeys", "tag", "preset", "steps", "guardrails",
            "rollbackAction", "controlVariant", "treatmentVariant", "startAt");
    private static final Set<String> STEP_FIELDS = Set.of("name", "commands", "holdSeconds", "manualApproval", "minimumSample");
    private static final Set<String> GUARDRAIL_FIELDS = Set.of("name", "kind", "eventKey", "perEventKey", "limit", "higherIsWorse",
            "windowSeconds", "minimumSample", "prometheusUrl", "query", "onBreach");

    private PlanJson() {
    }

    /**
     * Makes a createPlan or updatePlan command explicit against the flags as they are: a {@code tag}
     * without {@code flagKeys} becomes the tag's live flags (by key), and a {@code preset} without
     * {@code steps} becomes the preset's steps for those flags ({@code presetParameters} are used up).
     * Any other command is left as it is.
     */
    static void resolve(ReadModel model, ObjectNode node) {
        String action = node.path("action").isTextual() ? node.get("action").textValue() : null;
        if (!"createPlan".equals(action) && !"updatePlan".equals(action)) {
            return;
        }
        String environment = Json.requiredText(node, "environment", "environment");
        Names.checkEnvironment(environment);
        if (Json.present(node, "flagKeys", "flagKeys") == null && Json.present(node, "tag", "tag") != null) {
            String tag = Json.requiredText(node, "tag", "tag");
            Names.checkTag(tag, "tag");
            List<String> tagged = model.flags(environment).stream()
                    .filter(f -> !f.getArchived() && f.getDefinition().getTags().contains(tag)).map(FlagState::getFlagKey).toList();
            if (tagged.isEmpty()) {
                throw new CommandException(ErrorCode.NO_MATCHING_FLAGS, "tag", "no live flag in environment '" + environment
                        + "' has the tag '" + tag + "'");
            }
            tagged.forEach(node.putArray("flagKeys")::add);
        }
        JsonNode parameters = Json.present(node, "presetParameters", "presetParameters");
        boolean fromPreset = Json.present(node, "preset", "preset") != null && Json.present(node, "steps", "steps") == null;
        if (!fromPreset) {
            if (parameters != null) {
                throw CommandException.invalid("presetParameters", "presetParameters go with a preset whose steps the service"
                        + " writes: give preset and presetParameters and leave steps out (with steps, preset is only a label)");
            }
            return;
        }
        String preset = Json.requiredText(node, "preset", "preset");
        List<String> keys = Json.optionalTextList(node, "flagKeys", "flagKeys");
        if (keys == null || keys.isEmpty()) {
            throw CommandException.invalid("flagKeys", "a preset needs the plan's flags: flagKeys, or a tag");
        }
        List<FlagState> flags = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            Names.checkFlagKey(keys.get(i), "flagKeys[" + i + "]");
            FlagState flag = model.flag(environment, keys.get(i));
            if (flag == null || flag.getArchived()) {
                throw new CommandException(ErrorCode.FLAG_NOT_FOUND, "flagKeys[" + i + "]", "flag '" + keys.get(i) + "' does"
                        + " not exist in environment '" + environment + "'" + (flag == null ? "" : " (it is archived)"));
            }
            flags.add(flag);
        }
        node.set("steps", PlanPresets.steps(preset, parameters == null ? Json.MAPPER.createObjectNode() : parameters, flags));
        node.remove("presetParameters");
    }

    static Command.CreatePlan create(JsonNode node, String environment) {
        String key = Json.requiredText(node, "key", "key");
        Names.checkPlanKey(key, "key");
        Definition definition = definition(node, environment);
        return new Command.CreatePlan(new PlanRef(environment, key), definition.definition(), definition.stepCommands());
    }

    static Command.UpdatePlan update(JsonNode node, String environment, Long expected) {
        Definition definition = definition(node, environment);
        return new Command.UpdatePlan(plan(node, environment), definition.definition(), definition.stepCommands(), expected);
    }

    static PlanRef plan(JsonNode node, String environment) {
        String key = Json.requiredText(node, "plan", "plan");
        Names.checkPlanKey(key, "plan");
        return new PlanRef(environment, key);
    }

    static RollbackAction rollbackAction(JsonNode node, RollbackAction fallback) {
        return ExperimentJson.symbol(node, "rollbackAction", "", RollbackAction.class, fallback);
    }

    /** A definition and each step's commands, parsed from the JSON the step keeps. */
    record Definition(RolloutPlanDefinition definition, List<List<Command>> stepCommands) {
    }

    static Definition definition(JsonNode node, String environment) {
        List<String> flagKeys = Json.optionalTextList(node, "flagKeys", "flagKeys");
        if (flagKeys == null) {
            throw CommandException.invalid("flagKeys", "flagKeys is required: the flags the plan changes and measures (or give"
                    + " a tag, which the service resolves to the tag's live flags)");
        }
        String preset = Json.optionalText(node, "preset", "preset", null);
        if (preset != null && !PlanPresets.NAMES.contains(preset)) {
            throw CommandException.invalid("preset", "preset '" + Json.abbreviate(preset) + "' is not one of " + PlanPresets.NAMES);
        }
        JsonNode steps = Json.present(node, "steps", "steps");
        if (steps == null || !steps.isArray()) {
            throw CommandException.invalid("steps", "steps is required: an array of {\"name\", \"commands\", \"holdSeconds\", ...}"
                    + " (or give a preset: " + PlanPresets.NAMES + ")");
        }
        List<PlanStep> planSteps = new ArrayList<>();
        List<List<Command>> stepCommands = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            String path = "steps[" + i + "]";
            JsonNode step = steps.get(i);
            if (!step.isObject()) {
                throw CommandException.invalid(path, path + " must be an object with \"name\" and \"commands\"");
            }
            Json.allowOnly(step, path, STEP_FIELDS);
            JsonNode commands = Json.present(step, "commands", path + ".commands");
            if (commands == null || !commands.isArray()) {
                throw CommandException.invalid(path + ".commands", path + ".commands is required: an array of change-set"
                        + " commands such as {\"action\": \"setRollout\", \"flag\": \"...\", \"percentage\": 10}");
            }
            List<Command> parsed = new ArrayList<>();
            for (int c = 0; c < commands.size(); c++) {
                String at = path + ".commands[" + c + "]";
                if (!commands.get(c).isObject()) {
                    throw CommandException.invalid(at, "each command is an object with an \"action\"");
                }
                ObjectNode command = (ObjectNode) commands.get(c);
                if (!command.has("environment")) {
                    command.put("environment", environment);
                }
                try {
                    parsed.add(CommandJson.parse(command));
                } catch (CommandException e) {
                    throw e.under(at);
                }
            }
            planSteps.add(PlanStep.newBuilder()
                    .setName(Json.requiredText(step, "name", path + ".name"))
                    .setCommandsJson(commands.toString())
                    .setHoldSeconds(whole(step, "holdSeconds", path, 0))
                    .setManualApproval(Json.optionalBoolean(step, "manualApproval", path + ".manualApproval", false))
                    .setMinimumSample(whole(step, "minimumSample", path, 0))
                    .build());
            stepCommands.add(parsed);
        }
        RolloutPlanDefinition definition = RolloutPlanDefinition.newBuilder()
                .setDescription(Json.optionalText(node, "description", "description", ""))
                .setFlagKeys(flagKeys)
                .setTag(Json.optionalText(node, "tag", "tag", null))
                .setPreset(preset)
                .setSteps(planSteps)
                .setGuardrails(guardrails(node))
                .setRollbackAction(rollbackAction(node, RollbackAction.RESTORE))
                .setControlVariant(Json.optionalText(node, "controlVariant", "controlVariant", null))
                .setTreatmentVariant(Json.optionalText(node, "treatmentVariant", "treatmentVariant", null))
                .setStartAt(ExperimentJson.instant(node, "startAt"))
                .build();
        return new Definition(definition, stepCommands);
    }

    private static List<Guardrail> guardrails(JsonNode node) {
        JsonNode list = Json.present(node, "guardrails", "guardrails");
        if (list == null) {
            return List.of();
        }
        if (!list.isArray()) {
            throw CommandException.invalid("guardrails", "guardrails must be an array of {\"name\", \"kind\", ...}");
        }
        List<Guardrail> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String path = "guardrails[" + i + "]";
            JsonNode g = list.get(i);
            if (!g.isObject()) {
                throw CommandException.invalid(path, path + " must be an object: {\"name\": \"error-rate\", \"kind\": \"threshold\","
                        + " \"eventKey\": \"http_error\", \"limit\": 0.05}");
            }
            Json.allowOnly(g, path, GUARDRAIL_FIELDS);
            GuardrailKind kind = ExperimentJson.symbol(g, "kind", path, GuardrailKind.class, null);
            if (kind == null) {
                throw CommandException.invalid(path + ".kind", path + ".kind is required: threshold, regression, no_traffic,"
                        + " sample_ratio or prometheus");
            }
            Guardrail.Builder guardrail = Guardrail.newBuilder()
                    .setName(Json.requiredText(g, "name", path + ".name"))
                    .setKind(kind)
                    .setEventKey(Json.optionalText(g, "eventKey", path + ".eventKey", null))
                    .setPerEventKey(Json.optionalText(g, "perEventKey", path + ".perEventKey", null))
                    .setHigherIsWorse(Json.optionalBoolean(g, "higherIsWorse", path + ".higherIsWorse", true))
                    .setMinimumSample(whole(g, "minimumSample", path, 0))
                    .setPrometheusUrl(Json.optionalText(g, "prometheusUrl", path + ".prometheusUrl", null))
                    .setQuery(Json.optionalText(g, "query", path + ".query", null))
                    .setOnBreach(ExperimentJson.symbol(g, "onBreach", path, BreachAction.class, BreachAction.ROLLBACK));
            JsonNode limit = Json.present(g, "limit", path + ".limit");
            if (limit != null) {
                if (!limit.isNumber()) {
                    throw CommandException.invalid(path + ".limit", path + ".limit must be a number");
                }
                guardrail.setLimit(limit.doubleValue());
            }
            long window = whole(g, "windowSeconds", path, 600);
            if (window > Integer.MAX_VALUE || window < Integer.MIN_VALUE) {
                throw CommandException.invalid(path + ".windowSeconds", path + ".windowSeconds is a number of seconds up to a day");
            }
            guardrail.setWindowSeconds((int) window);
            out.add(guardrail.build());
        }
        return out;
    }

    /** A whole number ({@code 3600}, not {@code 3600.5} or {@code "3600"}), or the fallback when absent. */
    private static long whole(JsonNode node, String field, String path, long fallback) {
        String at = Json.path(path, field);
        JsonNode value = Json.present(node, field, at);
        if (value == null) {
            return fallback;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw CommandException.invalid(at, at + " must be a whole number, not " + Json.abbreviate(value.toString()));
        }
        return value.longValue();
    }
}
