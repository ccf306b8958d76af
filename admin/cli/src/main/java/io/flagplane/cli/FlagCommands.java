package io.flagplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code flagplane flags …}: the command API's flag routes. */
@Command(name = "flags", description = "Create, read and change flags (the command-service's /flags routes).",
        subcommands = {FlagCommands.Create.class, FlagCommands.Get.class, FlagCommands.ListFlags.class,
                FlagCommands.Kill.class, FlagCommands.Revive.class, FlagCommands.Enable.class, FlagCommands.Disable.class,
                FlagCommands.Archive.class, FlagCommands.Rollout.class, FlagCommands.Allow.class, FlagCommands.Deny.class,
                FlagCommands.Rules.class},
        footerHeading = "%nExamples:%n", footer = {"  flagplane flags create checkout.new_ui --type boolean --enabled",
        "  flagplane flags create -f flag.json", "  flagplane flags kill checkout.new_ui --reason 'error rate above 5%%'",
        "  flagplane flags rollout checkout.new_ui 25", "  flagplane flags rules checkout.new_ui -f rules.json"})
final class FlagCommands implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "say which: create, get, list, kill, revive, enable, "
                + "disable, archive, rollout, allow, deny or rules");
    }

    static JsonNode readJson(Path file, String what) {
        try {
            return Api.JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw CliException.usage(what + " " + file + " cannot be read as JSON: " + e.getMessage());
        }
    }

    @Command(name = "create", sortOptions = false, description = "Create a flag, from options or from a JSON body (-f).",
            footerHeading = "%nExamples:%n", footer = {"  flagplane flags create checkout.new_ui --type boolean --enabled",
            "  flagplane flags create -f flag.json     (the POST /flags body, as in the README)"})
    static final class Create extends Base {
        @Parameters(index = "0", arity = "0..1", paramLabel = "FLAG")
        String key;

        @Option(names = {"-f", "--file"}, description = "the request body as JSON")
        Path file;

        @Option(names = "--type", description = "boolean (default), string, number or json")
        String type;

        @Option(names = "--enabled", description = "create it on (default off)")
        boolean enabled;

        @Option(names = "--description")
        String description;

        @Option(names = "--tag", description = "a tag (repeatable)")
        List<String> tags = new ArrayList<>();

        @Option(names = "--reason")
        String reason;

        @Override
        void run() {
            ObjectNode body;
            if (file != null) {
                JsonNode read = readJson(file, "--file");
                if (!read.isObject()) {
                    throw CliException.usage("--file " + file + " must hold a JSON object (the POST /flags body)");
                }
                body = (ObjectNode) read;
                if (key != null) {
                    body.put("key", key);
                }
            } else {
                if (key == null) {
                    throw CliException.usage("give the flag key, or a body with -f");
                }
                body = Api.body().put("key", key).put("type", type == null ? "boolean" : type).put("enabled", enabled);
                if (description != null) {
                    body.put("description", description);
                }
                if (!tags.isEmpty()) {
                    ArrayNode t = body.putArray("tags");
                    tags.forEach(t::add);
                }
            }
            if (reason != null) {
                body.put("reason", reason);
            }
            JsonNode answer = api().post(Api.Service.COMMAND, env() + "/flags", body);
            cli().changed(answer, "created " + answer.path("key").asText() + " (" + Describe.onOff(answer.path("flag")) + ")");
        }
    }

    @Command(name = "get", description = "A flag as the command-service holds it.",
            footerHeading = "%nExamples:%n", footer = "  flagplane flags get checkout.new_ui -o json")
    static final class Get extends Base {
        @Parameters(index = "0", paramLabel = "FLAG")
        String key;

        @Override
        void run() {
            JsonNode flag = flag(key);
            out().show(flag, () -> {
                out().line(key + " (" + api().environment() + ", v" + flag.path("version").asLong() + ", " + flag.path("type").asText()
                        + ", " + flag.path("kind").asText() + ")");
                out().line("  state   " + Describe.onOff(flag));
                out().line("  serves  " + Describe.targeting(flag));
                if (!flag.path("description").asText().isEmpty()) {
                    out().line("  about   " + flag.path("description").asText());
                }
                List<String> tags = new ArrayList<>();
                flag.path("tags").forEach(t -> tags.add(t.asText()));
                if (!tags.isEmpty()) {
                    out().line("  tags    " + String.join(", ", tags));
                }
                if (flag.hasNonNull("plan")) {
                    out().line("  plan    " + flag.get("plan").asText());
                }
                out().line("  changed " + flag.path("lastChange").path("at").asText() + " by "
                        + flag.path("lastChange").path("actor").path("id").asText() + " (" + flag.path("lastChange").path("type").asText() + ")");
            });
        }
    }

    @Command(name = "list", description = "The environment's flags.",
            footerHeading = "%nExamples:%n", footer = {"  flagplane flags list", "  flagplane flags list --tag checkout -e staging"})
    static final class ListFlags extends Base {
        @Option(names = "--tag", description = "only flags carrying this tag")
        String tag;

        @Override
        void run() {
            JsonNode answer = api().get(Api.Service.COMMAND, env() + "/flags");
            out().show(answer, () -> {
                List<List<String>> rows = new ArrayList<>();
                for (JsonNode flag : answer.path("flags")) {
                    List<String> tags = new ArrayList<>();
                    flag.path("tags").forEach(t -> tags.add(t.asText()));
                    if (tag != null && !tags.contains(tag)) {
                        continue;
                    }
                    String state = flag.path("archived").asBoolean() ? "archived" : flag.path("killed").asBoolean() ? "KILLED"
                            : flag.path("enabled").asBoolean() ? "on" : "off";
                    rows.add(List.of(flag.path("key").asText(), state, flag.path("type").asText(), "v" + flag.path("version").asLong(),
                            Describe.serve(flag.path("fallthrough")), String.join(",", tags)));
                }
                out().table(List.of("FLAG", "STATE", "TYPE", "VERSION", "FALLTHROUGH", "TAGS"), rows);
            });
        }
    }

    /** kill / revive / enable / disable / archive: one POST with a reason. */
    abstract static class Lifecycle extends Base {
        @Parameters(index = "0", paramLabel = "FLAG")
        String key;

        @Option(names = "--reason", description = "why, for the audit log")
        String reason;

        abstract String route();

        abstract String done();

        @Override
        void run() {
            JsonNode answer = api().post(Api.Service.COMMAND, flagPath(key) + "/" + route(), reason(reason));
            cli().changed(answer, done() + " " + key);
        }
    }

    @Command(name = "kill", description = "The fast path: the flag serves its off variant everywhere, now. Never blocked by a plan or a policy.",
            footerHeading = "%nExamples:%n", footer = "  flagplane flags kill checkout.new_ui --reason 'error rate above 5%%'")
    static final class Kill extends Lifecycle {
        String route() {
            return "kill";
        }

        String done() {
            return "killed";
        }
    }

    @Command(name = "revive", description = "Undo a kill.", footerHeading = "%nExamples:%n", footer = "  flagplane flags revive checkout.new_ui")
    static final class Revive extends Lifecycle {
        String route() {
            return "revive";
        }

        String done() {
            return "revived";
        }
    }

    @Command(name = "enable", description = "Turn the flag on.", footerHeading = "%nExamples:%n", footer = "  flagplane flags enable checkout.new_ui")
    static final class Enable extends Lifecycle {
        String route() {
            return "enable";
        }

        String done() {
            return "enabled";
        }
    }

    @Command(name = "disable", description = "Turn the flag off.", footerHeading = "%nExamples:%n", footer = "  flagplane flags disable checkout.new_ui")
    static final class Disable extends Lifecycle {
        String route() {
            return "disable";
        }

        String done() {
            return "disabled";
        }
    }

    @Command(name = "archive", description = "Archive the flag.", footerHeading = "%nExamples:%n", footer = "  flagplane flags archive checkout.old_ui")
    static final class Archive extends Lifecycle {
        String route() {
            return "archive";
        }

        String done() {
            return "archived";
        }
    }

    @Command(name = "rollout", description = "Set the percentage of the fallthrough (or of one rule) served the rolled-out variant.",
            footerHeading = "%nExamples:%n", footer = {"  flagplane flags rollout checkout.new_ui 25",
            "  flagplane flags rollout checkout.new_ui 50 --rule seed-001-tiers"})
    static final class Rollout extends Base {
        @Parameters(index = "0", paramLabel = "FLAG")
        String key;

        @Parameters(index = "1", paramLabel = "PERCENT", description = "0 to 100")
        double percentage;

        @Option(names = "--rule", description = "the rule's id (default: the fallthrough)")
        String rule;

        @Option(names = "--variant", description = "the variant rolled out (default: a boolean flag's true variant)")
        String variant;

        @Option(names = "--reason")
        String reason;

        @Override
        void run() {
            ObjectNode body = reason(reason).put("percentage", percentage);
            if (rule != null) {
                body.put("ruleId", rule);
            }
            if (variant != null) {
                body.put("variant", variant);
            }
            JsonNode answer = api().patch(Api.Service.COMMAND, flagPath(key) + "/rollout", body);
            cli().changed(answer, "rolled out " + key + " to " + Describe.percent(percentage) + (rule == null ? "" : " of rule " + rule));
        }
    }

    /** allow / deny: add and remove keys. */
    abstract static class Lists extends Base {
        @Parameters(index = "0", paramLabel = "FLAG")
        String key;

        @Parameters(index = "1..*", arity = "0..*", paramLabel = "KEY", description = "targeting keys to add")
        List<String> add = new ArrayList<>();

        @Option(names = "--remove", paramLabel = "KEY", description = "a key to remove (repeatable)")
        List<String> remove = new ArrayList<>();

        @Option(names = "--reason")
        String reason;

        abstract String route();

        ObjectNode body() {
            ObjectNode body = reason(reason);
            if (!add.isEmpty()) {
                ArrayNode a = body.putArray("add");
                add.forEach(a::add);
            }
            if (!remove.isEmpty()) {
                ArrayNode r = body.putArray("remove");
                remove.forEach(r::add);
            }
            return body;
        }

        @Override
        void run() {
            if (add.isEmpty() && remove.isEmpty()) {
                throw CliException.usage("give keys to add, or --remove KEY");
            }
            JsonNode answer = api().post(Api.Service.COMMAND, flagPath(key) + "/" + route(), body());
            cli().changed(answer, route() + " of " + key + ":" + (add.isEmpty() ? "" : " added " + String.join(", ", add))
                    + (remove.isEmpty() ? "" : " removed " + String.join(", ", remove)));
        }
    }

    @Command(name = "allow", description = "Add (or --remove) keys on the allow list of a variant.",
            footerHeading = "%nExamples:%n", footer = {"  flagplane flags allow checkout.new_ui user-1 user-2",
            "  flagplane flags allow checkout.new_ui --remove user-2"})
    static final class Allow extends Lists {
        @Option(names = "--variant", description = "the variant the keys get (default: a boolean flag's true variant)")
        String variant;

        String route() {
            return "allow-list";
        }

        @Override
        ObjectNode body() {
            ObjectNode body = super.body();
            if (variant != null) {
                body.put("variant", variant);
            }
            return body;
        }
    }

    @Command(name = "deny", description = "Add (or --remove) keys on the deny list.",
            footerHeading = "%nExamples:%n", footer = "  flagplane flags deny checkout.new_ui user-9")
    static final class Deny extends Lists {
        String route() {
            return "deny-list";
        }
    }

    @Command(name = "rules", description = "Replace the flag's rules with those in a JSON file (an array of rules, or {\"rules\": […]}).",
            footerHeading = "%nExamples:%n", footer = "  flagplane flags rules checkout.new_ui -f rules.json")
    static final class Rules extends Base {
        @Parameters(index = "0", paramLabel = "FLAG")
        String key;

        @Option(names = {"-f", "--file"}, required = true, description = "the rules as JSON")
        Path file;

        @Option(names = "--reason")
        String reason;

        @Override
        void run() {
            JsonNode read = readJson(file, "--file");
            if (!read.isArray() && !read.isObject()) {
                throw CliException.usage("--file " + file + " must hold the rules: a JSON array, or {\"rules\": […]}");
            }
            ObjectNode body = read.isArray() ? reason(reason) : (ObjectNode) read;
            if (read.isArray()) {
                body.set("rules", read);
            } else if (reason != null) {
                body.put("reason", reason);
            }
            JsonNode answer = api().put(Api.Service.COMMAND, flagPath(key) + "/rules", body);
            cli().changed(answer, "replaced the rules of " + key + " (" + answer.path("flag").path("rules").size() + " rules)");
        }
    }
}
