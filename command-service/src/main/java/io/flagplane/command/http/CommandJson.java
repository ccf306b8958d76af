package io.flagplane.command.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.avro.TargetList;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.Names;
import io.flagplane.command.domain.Target;
import java.util.List;
import java.util.Map;

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
            Map.entry("archiveSegment", "segment"));

    private CommandJson() {
    }

    static Command parse(JsonNode node) {
        String action = Json.requiredText(node, "action", "action");
        String environment = Json.requiredText(node, "environment", "environment");
        Names.checkEnvironment(environment);
        Long expected = Json.optionalVersion(node, "expectedVersion", "expectedVersion");
        return switch (action) {
            case "createFlag" -> {
                String key = Json.requiredText(node, "key", "key");
                Names.checkFlagKey(key, "key");
                yield new Command.CreateFlag(Target.flag(environment, key), DefinitionJson.flag(node, key),
                        Json.optionalBoolean(node, "enabled", "enabled", false));
            }
            case "replaceFlag" -> {
                Target flag = flag(environment, node);
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
                if (!node.has("rules")) {
                    throw CommandException.invalid("rules", "rules is required (an empty array removes every rule)");
                }
                yield new Command.ReplaceRules(flag(environment, node), DefinitionJson.rules(node.get("rules"), "rules"), expected);
            }
            case "setMetadata" -> new Command.SetMetadata(flag(environment, node),
                    Json.optionalText(node, "description", "description", ""), Json.textList(node, "tags", "tags"),
                    Json.optionalText(node, "owner", "owner", null), expected);
            case "killByTag" -> {
                String tag = Json.requiredText(node, "tag", "tag");
                Names.checkTag(tag, "tag");
                yield new Command.KillByTag(environment, tag);
            }
            case "createSegment" -> {
                String key = Json.requiredText(node, "key", "key");
                Names.checkSegmentKey(key, "key");
                yield new Command.CreateSegment(Target.segment(environment, key), DefinitionJson.segment(node));
            }
            case "replaceSegment" -> new Command.ReplaceSegment(segment(environment, node), DefinitionJson.segment(node), expected);
            case "archiveSegment" -> new Command.ArchiveSegment(segment(environment, node), expected);
            default -> throw CommandException.invalid("action", "action '" + action + "' is not one of "
                    + ACTIONS.keySet().stream().sorted().toList());
        };
    }

    private static Target flag(String environment, JsonNode node) {
        String key = Json.requiredText(node, "flag", "flag");
        Names.checkFlagKey(key, "flag");
        return Target.flag(environment, key);
    }

    private static Target segment(String environment, JsonNode node) {
        String key = Json.requiredText(node, "segment", "segment");
        Names.checkSegmentKey(key, "segment");
        return Target.segment(environment, key);
    }
}
