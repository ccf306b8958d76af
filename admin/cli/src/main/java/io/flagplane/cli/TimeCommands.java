package io.flagplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** History, time travel, export, evaluation and the evaluators: the projection's and the edge's read routes. */
final class TimeCommands {

    private TimeCommands() {
    }

    @Command(name = "history", description = "Every change of a flag, newest first, with a field-by-field diff.",
            footerHeading = "%nExamples:%n", footer = {"  flagplane history checkout.new_ui", "  flagplane history checkout.new_ui --limit 5 -o json"})
    static final class History extends Base {
        @Parameters(index = "0", paramLabel = "FLAG")
        String key;

        @Option(names = "--limit", description = "at most this many changes (default 20)")
        Integer limit = 20;

        @Option(names = "--since", description = "from this instant (ISO-8601)")
        String since;

        @Option(names = "--until", description = "up to this instant (ISO-8601)")
        String until;

        @Override
        void run() {
            JsonNode page = api().get(Api.Service.PROJECTION, flagPath(key) + "/history"
                    + Api.query("limit", limit, "since", since, "until", until));
            out().show(page, () -> {
                List<List<String>> rows = new ArrayList<>();
                for (JsonNode entry : page.path("entries")) {
                    List<String> fields = new ArrayList<>();
                    for (JsonNode d : entry.path("diff")) {
                        fields.add(d.path("field").asText() + ": " + brief(d.get("before")) + " → " + brief(d.get("after")));
                    }
                    rows.add(List.of("v" + entry.path("version").asLong(), entry.path("occurredAt").asText(),
                            entry.path("actor").path("id").asText(), entry.path("type").asText(),
                            String.join("; ", fields) + (entry.hasNonNull("reason") ? "  (" + entry.get("reason").asText() + ")" : "")));
                }
                out().table(List.of("VERSION", "AT", "ACTOR", "CHANGE", "DIFF"), rows);
            });
        }
    }

    static String brief(JsonNode value) {
        String text = value == null || value.isNull() ? "-" : value.isTextual() ? value.asText() : value.toString();
        return text.length() > 60 ? text.substring(0, 59) + "…" : text;
    }

    @Command(name = "as-of", description = "The flag as it was at an instant (or at a version).",
            footerHeading = "%nExamples:%n", footer = {"  flagplane as-of checkout.new_ui 2026-11-21T09:00:00Z",
            "  flagplane as-of checkout.new_ui --version 3"})
    static final class AsOf extends Base {
        @Parameters(index = "0", paramLabel = "FLAG")
        String key;

        @Parameters(index = "1", arity = "0..1", paramLabel = "INSTANT", description = "ISO-8601, e.g. 2026-11-21T09:00:00Z")
        String instant;

        @Option(names = "--version", description = "the flag at this version instead")
        Long version;

        // its --version shadows the inherited -V/--version, and picocli then leaves out the whole
        // inherited help mixin, --help with it: declared here again
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        boolean help;

        @Override
        void run() {
            if ((instant == null) == (version == null)) {
                throw CliException.usage("give an instant or --version N (one of them)");
            }
            JsonNode flag = api().get(Api.Service.PROJECTION, flagPath(key) + Api.query("asOf", instant, "version", version));
            out().show(flag, () -> {
                out().line(key + " " + (instant != null ? "as of " + instant : "at version " + version) + ": v"
                        + flag.path("version").asLong());
                out().line("  state   " + Describe.onOff(flag));
                out().line("  serves  " + Describe.targeting(flag));
            });
        }
    }

    @Command(name = "diff", description = "What changed in a flag between two versions (0 = before it existed).",
            footerHeading = "%nExamples:%n", footer = "  flagplane diff checkout.new_ui 3 7")
    static final class Diff extends Base {
        @Parameters(index = "0", paramLabel = "FLAG")
        String key;

        @Parameters(index = "1", paramLabel = "FROM")
        long from;

        @Parameters(index = "2", paramLabel = "TO")
        long to;

        @Override
        void run() {
            JsonNode diff = api().get(Api.Service.PROJECTION, flagPath(key) + "/diff" + Api.query("from", from, "to", to));
            out().show(diff, () -> {
                List<List<String>> rows = new ArrayList<>();
                for (JsonNode change : diff.path("changes")) {
                    rows.add(List.of(change.path("field").asText(), brief(change.get("before")), brief(change.get("after"))));
                }
                out().line(key + ": v" + from + " → v" + to);
                out().table(List.of("FIELD", "BEFORE", "AFTER"), rows);
            });
        }
    }

    @Command(name = "export", description = "The environment's whole ruleset (or every environment's, --all) as JSON, now or as of an instant.",
            footerHeading = "%nExamples:%n", footer = {"  flagplane export > production.json",
            "  flagplane export --as-of 2026-11-21T09:00:00Z --all"})
    static final class Export extends Base {
        @Option(names = "--as-of", description = "ISO-8601 instant (default now)")
        String asOf;

        @Option(names = "--all", description = "every environment")
        boolean all;

        @Override
        void run() {
            JsonNode export = all ? api().get(Api.Service.PROJECTION, "/api/v1/export" + Api.query("asOf", asOf))
                    : api().get(Api.Service.PROJECTION, env() + "/export" + Api.query("asOf", asOf));
            out().printJson(export);
        }
    }

    @Command(name = "evaluate", description = {"What a context is served: now, by an edge node (OFREP), or as of an instant, by the projection.",
            "Attributes are NAME=VALUE (true/false/numbers are sent as such)."},
            footerHeading = "%nExamples:%n", footer = {"  flagplane evaluate checkout.new_ui user-1 tier=pro",
            "  flagplane evaluate checkout.new_ui user-1 --as-of 2026-11-21T09:00:00Z"})
    static final class Evaluate extends Base {
        @Parameters(index = "0", paramLabel = "FLAG")
        String key;

        @Parameters(index = "1", paramLabel = "TARGETING_KEY")
        String targetingKey;

        @Parameters(index = "2..*", arity = "0..*", paramLabel = "NAME=VALUE")
        Map<String, String> attributes;

        @Option(names = "--as-of", description = "ISO-8601 instant: ask the projection what was served then")
        String asOf;

        @Override
        void run() {
            ObjectNode body = Api.body();
            ObjectNode context = body.putObject("context").put("targetingKey", targetingKey);
            if (attributes != null) {
                attributes.forEach((name, value) -> {
                    if (value.equals("true") || value.equals("false")) {
                        context.put(name, Boolean.parseBoolean(value));
                    } else if (value.matches("-?\\d+(\\.\\d+)?")) {
                        context.put(name, new java.math.BigDecimal(value));
                    } else {
                        context.put(name, value);
                    }
                });
            }
            JsonNode answer = asOf == null
                    ? api().post(Api.Service.EDGE, "/ofrep/v1/evaluate/flags/" + Api.enc(key), body)
                    : api().post(Api.Service.PROJECTION, flagPath(key) + "/evaluate" + Api.query("asOf", asOf), body);
            out().show(answer, () -> {
                long version = answer.has("flagVersion") ? answer.get("flagVersion").asLong()
                        : answer.path("metadata").path("flagVersion").asLong();
                out().line(key + " for " + targetingKey + (asOf == null ? "" : " as of " + asOf) + ": "
                        + (answer.has("value") ? answer.get("value").toString() : "(the caller's default)")
                        + (answer.hasNonNull("variant") ? " (variant " + answer.get("variant").asText() + ")" : "")
                        + ", reason " + answer.path("reason").asText() + ", v" + version);
            });
        }
    }

    @Command(name = "evaluators", description = "Every evaluator (edge nodes, SDKs) with its liveness and status.",
            footerHeading = "%nExamples:%n", footer = {"  flagplane evaluators", "  flagplane evaluators --environment-only -e staging"})
    static final class Evaluators extends Base {
        @Option(names = "--environment-only", description = "only those serving the environment (-e)")
        boolean environmentOnly;

        @Override
        void run() {
            JsonNode answer = api().get(Api.Service.PROJECTION, environmentOnly ? env() + "/evaluators" : "/api/v1/evaluators");
            out().show(answer, () -> {
                List<List<String>> rows = new ArrayList<>();
                for (JsonNode e : answer.path("evaluators")) {
                    List<String> envs = new ArrayList<>();
                    e.path("environments").forEach(x -> envs.add(x.asText()));
                    rows.add(List.of(e.path("nodeId").asText(), e.path("kind").asText(), e.path("host").asText(),
                            e.path("liveness").asText(), e.path("status").asText(), String.join(",", envs),
                            e.path("lastSeen").asText(), e.path("softwareVersion").asText()));
                }
                out().table(List.of("NODE", "KIND", "HOST", "LIVENESS", "STATUS", "ENVIRONMENTS", "LAST SEEN", "VERSION"), rows);
                JsonNode counts = answer.path("counts");
                out().line(counts.path("live").asLong() + " live, " + counts.path("stale").asLong() + " stale, "
                        + counts.path("gone").asLong() + " gone");
            });
        }
    }

}
