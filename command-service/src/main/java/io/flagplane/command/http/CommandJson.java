package io.flagplane.command.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.avro.TargetList;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.domain.Names;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.SegmentRef;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads one command from JSON: {@code {"action": "kill", "environment": "production", "flag":
 * "charges.engine", "expectedVersion": 3, ...}}. The single-command endpoints build the same object
 * from their path and body, so a command means the same thing on its own and inside a change set.
 */
final class CommandJson {

    /** The actions a change set may hold, and what each needs beyond environment and flag. */
    static final Map<String, String> ACTIONS = Map.ofEntries(
            Map.entry("createFlag", "the flag definition: key, type, variants, offVariant, fallthrough, ..."),
            Map.entry("replaceFlag", "flag and the whole new definition"),
            Map.entry("enable", "flag"), Map.entry("disable", "flag"), Map.entry("kill", "flag"), Map.entry("revive", "flag"),
            Map.entry("archive", "flag"), Map.entry("restore", "flag"),
            Map.entry("setRollout", "flag, percentage, and optionally ruleId and variant"),
            Map.entry("allowList", "flag, add and/or remove, and optionally variant"),
            Map.entry("denyList", "flag, add and/or remove"),
            Map.entry("replaceRules", "flag and rules"),
            Map.entry("setMetadata", "flag, description, tags, owner"),
            Map.entry("killByTag", "tag"),
            Map.entry("createSegment", "key and the segment definition"),
            Map.entry("replaceSegment", "segment and the whole new definition"),
            Map.entry("archiveSegment", "segment"),
            Map.entry("createExperiment", "key, and flagKey with the experiment definition (primaryMetric, ...); or seed 003's"
                    + " variants with relative weights, which create the flag too"),
            Map.entry("updateExperiment", "experiment and the whole new definition (only a draft)"),
            Map.entry("launchExperiment", "experiment"), Map.entry("pauseExperiment", "experiment"),
            Map.entry("resumeExperiment", "experiment"), Map.entry("stopExperiment", "experiment, and optionally winner"),
            Map.entry("createPlan", "key, flagKeys (or tag) and steps (or preset with presetParameters), and optionally"
                    + " description, guardrails, rollbackAction, controlVariant, treatmentVariant, startAt"),
            Map.entry("updatePlan", "plan and the whole new definition (only a draft)"),
            Map.entry("startPlan", "plan (its first step's commands follow it in the change set)"),
            Map.entry("pausePlan", "plan, and optionally why"), Map.entry("resumePlan", "plan"),
            Map.entry("rollBackPlan", "plan, and optionally rollbackAction (kill, restore, previous_step) and why"),
            Map.entry("cancelPlan", "plan"));

    /** The fields of a flag definition, shared by createFlag and replaceFlag. */
    private static final Set<String> DEFINITION = Set.of("type", "description", "tags", "owner", "variants", "offVariant",
            "rules", "fallthrough", "allowList", "denyList", "metadata", "kind", "lifetimeDays", "prerequisites");
    private static final Set<String> SEGMENT_DEFINITION = Set.of("description", "included", "excluded", "rules");

    /** Besides action, environment and expectedVersion: the fields each action takes. */
    private static final Map<String, Set<String>> FIELDS = Map.ofEntries(
            Map.entry("createFlag", union(DEFINITION, Set.of("key", "enabled"))),
            Map.entry("replaceFlag", union(DEFINITION, Set.of("flag"))),
            Map.entry("enable", Set.of("flag")), Map.entry("disable", Set.of("flag")), Map.entry("kill", Set.of("flag")),
            Map.entry("revive", Set.of("flag")), Map.entry("archive", Set.of("flag")), Map.entry("restore", Set.of("flag")),
            Map.entry("setRollout", Set.of("flag", "percentage", "ruleId", "variant")),
            Map.entry("allowList", Set.of("flag", "add", "remove", "variant")),
            Map.entry("denyList", Set.of("flag", "add", "remove", "variant")), // variant: refused below with a clearer sentence
            Map.entry("replaceRules", Set.of("flag", "rules")),
            Map.entry("setMetadata", Set.of("flag", "description", "tags", "owner")),
            Map.entry("killByTag", Set.of("tag")),
            Map.entry("createSegment", union(SEGMENT_DEFINITION, Set.of("key"))),
            Map.entry("replaceSegment", union(SEGMENT_DEFINITION, Set.of("segment"))),
            Map.entry("archiveSegment", Set.of("segment")),
            Map.entry("createExperiment", union(ExperimentJson.DEFINITION, Set.of("key", "flagKey", "variants"))),
            Map.entry("updateExperiment", union(ExperimentJson.DEFINITION, Set.of("experiment"))),
            Map.entry("launchExperiment", Set.of("experiment")), Map.entry("pauseExperiment", Set.of("experiment")),
            Map.entry("resumeExperiment", Set.of("experiment")), Map.entry("stopExperiment", Set.of("experiment", "winner")),
            Map.entry("createPlan", union(PlanJson.DEFINITION, Set.of("key"))),
            Map.entry("updatePlan", union(PlanJson.DEFINITION, Set.of("plan"))),
            Map.entry("startPlan", Set.of("plan")), Map.entry("pausePlan", Set.of("plan", "why")),
            Map.entry("resumePlan", Set.of("plan")), Map.entry("rollBackPlan", Set.of("plan", "rollbackAction", "why")),
            Map.entry("cancelPlan", Set.of("plan")));

    private static final Map<String, Command.Kind> EXPERIMENT_STEPS = Map.of("launchExperiment", Command.Kind.LAUNCH_EXPERIMENT,
            "pauseExperiment", Command.Kind.PAUSE_EXPERIMENT, "resumeExperiment", Command.Kind.RESUME_EXPERIMENT,
            "stopExperiment", Command.Kind.STOP_EXPERIMENT);

    private CommandJson() {
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        all.addAll(Set.of("action", "environment", "expectedVersion"));
        return Set.copyOf(all);
    }

    /**
     * A JSON array of commands as a change request or a plan step keeps it (each with its
     * environment); a problem is named by its path, {@code [i].field}.
     */
    static List<Command> parseArray(String json) {
        JsonNode commands;
        try {
            commands = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new CommandException(ErrorCode.MALFORMED_REQUEST, null, "not JSON: " + e.getMessage());
        }
        if (commands == null || !commands.isArray()) {
            throw CommandException.invalid(null, "not a JSON array of commands");
        }
        List<Command> parsed = new ArrayList<>();
        for (int i = 0; i < commands.size(); i++) {
            try {
                parsed.add(parse(commands.get(i)));
            } catch (CommandException e) {
                throw e.under("[" + i + "]");
            }
        }
        return parsed;
    }

    static Command parse(JsonNode node) {
        String action = Json.requiredText(node, "action", "action");
        Set<String> fields = FIELDS.get(action);
        if (fields == null) {
            throw CommandException.invalid("action", "action '" + Json.abbreviate(action) + "' is not one of "
                    + ACTIONS.keySet().stream().sorted().toList());
        }
        Json.allowOnly(node, "", union(fields, Set.of()));
        String environment = Json.requiredText(node, "environment", "environment");
        Names.checkEnvironment(environment);
        Long expected = Json.optionalVersion(node, "expectedVersion", "expectedVersion");
        return switch (action) {
            case "createFlag" -> {
                String key = Json.requiredText(node, "key", "key");
                Names.checkFlagKey(key, "key");
                yield new Command.CreateFlag(new FlagRef(environment, key), DefinitionJson.flag(node, key),
                        Json.optionalBoolean(node, "enabled", "enabled", false));
            }
            case "replaceFlag" -> {
                FlagRef flag = flag(environment, node);
                yield new Command.ReplaceDefinition(flag, DefinitionJson.flag(node, flag.key()), expected);
            }
            case "enable" -> new Command.Enable(flag(environment, node), expected);
            case "disable" -> new Command.Disable(flag(environment, node), expected);
            case "kill" -> new Command.Kill(flag(environment, node), expected);
            case "revive" -> new Command.Revive(flag(environment, node), expected);
            case "archive" -> new Command.Archive(flag(environment, node), expected);
            case "restore" -> new Command.Restore(flag(environment, node), expected);
            case "setRollout" -> new Command.SetRollout(flag(environment, node),
                    Json.optionalText(node, "ruleId", "ruleId", null), Json.optionalText(node, "variant", "variant", null),
                    Json.basisPoints(node.get("percentage"), "percentage"), expected);
            case "allowList", "denyList" -> {
                List<String> add = Json.textList(node, "add", "add");
                List<String> remove = Json.textList(node, "remove", "remove");
                if (add.isEmpty() && remove.isEmpty()) {
                    throw CommandException.invalid("add", "give keys to \"add\" and/or \"remove\"");
                }
                boolean deny = action.equals("denyList");
                if (deny && node.has("variant")) {
                    throw CommandException.invalid("variant", "the deny list has no variant: denied keys get the off variant");
                }
                yield new Command.ChangeTargets(flag(environment, node), deny ? TargetList.DENY : TargetList.ALLOW,
                        Json.optionalText(node, "variant", "variant", null), add, remove, expected);
            }
            case "replaceRules" -> {
                if (Json.present(node, "rules", "rules") == null) {
                    throw CommandException.invalid("rules", "rules is required (an empty array removes every rule)");
                }
                yield new Command.ReplaceRules(flag(environment, node), DefinitionJson.rules(node.get("rules"), "rules"), expected);
            }
            case "setMetadata" -> {
                // fields left out keep their value: an empty body must not wipe tags (kill-by-tag relies on them)
                String description = Json.optionalText(node, "description", "description", null);
                List<String> tags = Json.optionalTextList(node, "tags", "tags");
                String owner = Json.optionalText(node, "owner", "owner", null);
                if (description == null && tags == null && owner == null) {
                    throw CommandException.invalid("description", "give at least one of description, tags, owner"
                            + " (fields left out keep their value; \"owner\": \"\" removes the owner)");
                }
                yield new Command.SetMetadata(flag(environment, node), description, tags, owner, expected);
            }
            case "killByTag" -> {
                String tag = Json.requiredText(node, "tag", "tag");
                Names.checkTag(tag, "tag");
                yield new Command.KillByTag(environment, tag);
            }
            case "createSegment" -> {
                String key = Json.requiredText(node, "key", "key");
                Names.checkSegmentKey(key, "key");
                yield new Command.CreateSegment(new SegmentRef(environment, key), DefinitionJson.segment(node));
            }
            case "replaceSegment" -> new Command.ReplaceSegment(segment(environment, node), DefinitionJson.segment(node), expected);
            case "archiveSegment" -> new Command.ArchiveSegment(segment(environment, node), expected);
            case "createExperiment" -> ExperimentJson.create(node, environment);
            case "updateExperiment" -> new Command.UpdateExperiment(environment, experiment(node),
                    ExperimentJson.definition(node, false), expected);
            case "launchExperiment", "pauseExperiment", "resumeExperiment", "stopExperiment" -> new Command.ExperimentStep(
                    EXPERIMENT_STEPS.get(action), environment, experiment(node), Json.optionalText(node, "winner", "winner", null),
                    expected);
            case "createPlan" -> PlanJson.create(node, environment);
            case "updatePlan" -> PlanJson.update(node, environment, expected);
            case "startPlan" -> new Command.StartPlan(PlanJson.plan(node, environment), expected, null);
            case "pausePlan" -> new Command.PausePlan(PlanJson.plan(node, environment), Json.optionalText(node, "why", "why", null),
                    expected);
            case "resumePlan" -> new Command.ResumePlan(PlanJson.plan(node, environment), expected);
            case "rollBackPlan" -> new Command.RollBackPlan(PlanJson.plan(node, environment), PlanJson.rollbackAction(node, null),
                    null, Json.optionalText(node, "why", "why", null), expected, null);
            case "cancelPlan" -> new Command.CancelPlan(PlanJson.plan(node, environment), expected);
            default -> throw new IllegalStateException("action '" + action + "' has fields but no parser");
        };
    }

    /**
     * A held change set's {@code "commands"} (a scheduled change's): a non-empty array of at most
     * {@code max} command objects, each read as {@link #parse} reads one, its environment the path's
     * unless it names one; problems are named under {@code commands[i]}.
     */
    static List<Command> parseAll(JsonNode commands, String environment, int max) {
        if (commands == null || !commands.isArray() || commands.isEmpty()) {
            throw CommandException.invalid("commands", "\"commands\" must be a non-empty array of commands, each an object"
                    + " with an \"action\"");
        }
        if (commands.size() > max) {
            throw CommandException.invalid("commands", "at most " + max + " commands");
        }
        List<Command> parsed = new ArrayList<>();
        for (int i = 0; i < commands.size(); i++) {
            if (!commands.get(i).isObject()) {
                throw CommandException.invalid("commands[" + i + "]", "each command is an object with an \"action\"");
            }
            ObjectNode command = (ObjectNode) commands.get(i);
            if (!command.has("environment")) {
                command.put("environment", environment);
            }
            try {
                parsed.add(parse(command));
            } catch (CommandException e) {
                throw e.under("commands[" + i + "]");
            }
        }
        return parsed;
    }

    private static FlagRef flag(String environment, JsonNode node) {
        String key = Json.requiredText(node, "flag", "flag");
        Names.checkFlagKey(key, "flag");
        return new FlagRef(environment, key);
    }

    private static String experiment(JsonNode node) {
        String key = Json.requiredText(node, "experiment", "experiment");
        Names.checkExperimentKey(key, "experiment");
        return key;
    }

    private static SegmentRef segment(String environment, JsonNode node) {
        String key = Json.requiredText(node, "segment", "segment");
        Names.checkSegmentKey(key, "segment");
        return new SegmentRef(environment, key);
    }
}
