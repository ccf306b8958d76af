package io.flagplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code flagplane experiments …}: the command-service's experiment routes and the projection's results. */
@Command(name = "experiments", description = "Experiments: list, get, create, launch, pause, resume, stop, results.",
        subcommands = {ExperimentCommands.ListExperiments.class, ExperimentCommands.Get.class, ExperimentCommands.Create.class,
                ExperimentCommands.Launch.class, ExperimentCommands.Pause.class, ExperimentCommands.Resume.class,
                ExperimentCommands.Stop.class, ExperimentCommands.Results.class},
        footerHeading = "%nExamples:%n", footer = {"  flagplane experiments create -f experiment.json",
        "  flagplane experiments launch pricing-display-test --reason 'upfront fees convert better'",
        "  flagplane experiments results pricing-display-test", "  flagplane experiments stop pricing-display-test --winner upfront-fees"})
final class ExperimentCommands implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "say which: list, get, create, launch, pause, resume, stop or results");
    }

    static String path(Base command, String key) {
        return command.env() + "/experiments/" + Api.enc(key);
    }

    @Command(name = "list", description = "The environment's experiments.",
            footerHeading = "%nExamples:%n", footer = {"  flagplane experiments list", "  flagplane experiments list --status running"})
    static final class ListExperiments extends Base {
        @Option(names = "--status", description = "draft, running, paused or stopped")
        String status;

        @Override
        void run() {
            JsonNode answer = api().get(Api.Service.COMMAND, env() + "/experiments" + Api.query("status", status));
            out().show(answer, () -> {
                List<List<String>> rows = new ArrayList<>();
                for (JsonNode e : answer.path("experiments")) {
                    rows.add(List.of(e.path("key").asText(), e.path("status").asText(), e.path("flagKey").asText(),
                            e.path("definition").path("primaryMetric").path("eventKey").asText("-"),
                            e.path("launchedAt").asText("-"), e.path("winner").asText("-")));
                }
                out().table(List.of("EXPERIMENT", "STATUS", "FLAG", "PRIMARY METRIC", "LAUNCHED", "WINNER"), rows);
            });
        }
    }

    @Command(name = "get", description = "An experiment's definition and status.",
            footerHeading = "%nExamples:%n", footer = "  flagplane experiments get pricing-display-test")
    static final class Get extends Base {
        @Parameters(index = "0", paramLabel = "EXPERIMENT")
        String key;

        @Override
        void run() {
            JsonNode e = api().get(Api.Service.COMMAND, path(this, key));
            out().show(e, () -> {
                out().line(key + ": " + e.path("status").asText() + " on " + e.path("flagKey").asText() + " (v"
                        + e.path("flagVersion").asLong() + ")");
                List<List<String>> rows = new ArrayList<>();
                for (JsonNode arm : e.path("arms")) {
                    rows.add(List.of(arm.path("variant").asText(), Describe.percent(arm.path("weight").asDouble())));
                }
                out().table(List.of("VARIANT", "WEIGHT"), rows);
            });
        }
    }

    @Command(name = "create", description = "Draft an experiment from a JSON body (README \"Experiments\").",
            footerHeading = "%nExamples:%n", footer = "  flagplane experiments create -f experiment.json")
    static final class Create extends Base {
        @Option(names = {"-f", "--file"}, required = true)
        Path file;

        @Override
        void run() {
            JsonNode answer = api().post(Api.Service.COMMAND, env() + "/experiments", FlagCommands.readJson(file, "--file"));
            cli().changed(answer, "drafted experiment " + answer.path("experiment").path("key").asText(answer.path("key").asText()));
        }
    }

    abstract static class Move extends Base {
        @Parameters(index = "0", paramLabel = "EXPERIMENT")
        String key;

        @Option(names = "--reason", description = "why, for the audit log")
        String reason;

        abstract String route();

        ObjectNode body() {
            return reason(reason);
        }

        @Override
        void run() {
            JsonNode answer = api().post(Api.Service.COMMAND, path(this, key) + "/" + route(), body());
            cli().changed(answer, route().replace("stop", "stopp") + "ed experiment " + key
                    + (answer.path("experiment").has("status") ? " (" + answer.path("experiment").path("status").asText() + ")" : ""));
        }
    }

    @Command(name = "launch", description = "DRAFT → RUNNING: the arms are fixed and exposures are measured.",
            footerHeading = "%nExamples:%n", footer = "  flagplane experiments launch pricing-display-test --reason 'fees upfront convert better?'")
    static final class Launch extends Move {
        String route() {
            return "launch";
        }
    }

    @Command(name = "pause", description = "RUNNING → PAUSED.",
            footerHeading = "%nExamples:%n", footer = "  flagplane experiments pause pricing-display-test --reason 'tracking outage'")
    static final class Pause extends Move {
        String route() {
            return "pause";
        }
    }

    @Command(name = "resume", description = "PAUSED → RUNNING.",
            footerHeading = "%nExamples:%n", footer = "  flagplane experiments resume pricing-display-test")
    static final class Resume extends Move {
        String route() {
            return "resume";
        }
    }

    @Command(name = "stop", description = "→ STOPPED (final); with --winner the flag serves the winner.",
            footerHeading = "%nExamples:%n", footer = {"  flagplane experiments stop pricing-display-test --winner upfront-fees", "  flagplane experiments stop pricing-display-test --reason 'enough data'"})
    static final class Stop extends Move {
        @Option(names = "--winner", description = "the variant everyone gets from now on")
        String winner;

        String route() {
            return "stop";
        }

        @Override
        ObjectNode body() {
            ObjectNode body = reason(reason);
            if (winner != null) {
                body.put("winner", winner);
            }
            return body;
        }
    }

    @Command(name = "results", description = {"Results per variant as a table: users, and per metric the rate or mean, the",
            "difference to the control with its interval and p-value (fixed-horizon and always-valid); the sample-ratio check."},
            footerHeading = "%nExamples:%n", footer = {"  flagplane experiments results pricing-display-test",
            "  flagplane experiments results pricing-display-test -o json"})
    static final class Results extends Base {
        @Parameters(index = "0", paramLabel = "EXPERIMENT")
        String key;

        @Override
        void run() {
            JsonNode r = api().get(Api.Service.PROJECTION, path(this, key) + "/results");
            out().show(r, () -> print(r));
        }

        private void print(JsonNode r) {
            out().line(r.path("experiment").asText() + " on " + r.path("flag").asText() + ": " + r.path("status").asText() + ", "
                    + r.path("users").asLong() + " users, " + r.path("exposures").asLong() + " exposures, "
                    + r.path("mixedUsers").asLong() + " mixed (excluded), confidence " + r.path("confidence").asDouble());
            JsonNode srm = r.path("sampleRatio");
            if (srm.path("mismatch").asBoolean()) {
                out().line("WARNING: sample ratio mismatch (p = " + fmt(srm.path("pValue").asDouble()) + " < "
                        + srm.path("threshold").asDouble() + "): the split is not what was asked; do not trust the figures");
            }
            if (!r.path("enoughData").asBoolean(true)) {
                out().line("not enough data yet" + (r.hasNonNull("enoughDataReason") ? ": " + r.get("enoughDataReason").asText() : ""));
            }
            for (JsonNode metric : r.path("metrics")) {
                out().line("");
                out().line((metric.path("primary").asBoolean() ? "primary " : "") + metric.path("kind").asText() + " metric "
                        + metric.path("eventKey").asText());
                List<List<String>> rows = new ArrayList<>();
                for (JsonNode v : metric.path("variants")) {
                    String variant = v.path("variant").asText();
                    JsonNode cmp = null;
                    for (JsonNode c : metric.path("comparisons")) {
                        if (c.path("variant").asText().equals(variant)) {
                            cmp = c;
                        }
                    }
                    String figure = v.has("rate") ? pct(v.path("rate").asDouble())
                            : v.has("mean") ? fmt(v.path("mean").asDouble()) : "-";
                    List<String> row = new ArrayList<>(List.of(variant, String.valueOf(v.path("users").asLong()),
                            v.has("conversions") ? String.valueOf(v.path("conversions").asLong()) : "-", figure));
                    if (cmp == null) {
                        row.addAll(List.of("(control)", "", "", "", ""));
                    } else {
                        JsonNode fh = cmp.path("fixedHorizon");
                        JsonNode av = cmp.path("alwaysValid");
                        row.add(signed(fh.path("difference").asDouble(), v.has("rate")) + " " + ci(fh.path("differenceCi"), v.has("rate")));
                        row.add(fh.has("relativeLift") ? signedPct(fh.path("relativeLift").asDouble()) : "-");
                        row.add(fmt(fh.path("pValue").asDouble()) + (fh.path("significant").asBoolean() ? " *" : ""));
                        row.add(ci(av.path("differenceCi"), v.has("rate")));
                        row.add(fmt(av.path("pValue").asDouble()) + (av.path("significant").asBoolean() ? " *" : ""));
                    }
                    rows.add(row);
                }
                out().table(List.of("VARIANT", "USERS", "CONVERSIONS", "RATE/MEAN", "DIFFERENCE (CI)", "LIFT", "P", "ALWAYS-VALID CI",
                        "ALWAYS-VALID P"), rows);
            }
            out().line("* significant at the experiment's confidence");
        }

        static String fmt(double value) {
            return Math.abs(value) < 0.001 && value != 0 ? String.format(Locale.ROOT, "%.2g", value) : String.format(Locale.ROOT, "%.3f", value);
        }

        static String pct(double rate) {
            return String.format(Locale.ROOT, "%.2f %%", rate * 100);
        }

        static String signedPct(double rate) {
            return String.format(Locale.ROOT, "%+.1f %%", rate * 100);
        }

        static String signed(double value, boolean rate) {
            return rate ? String.format(Locale.ROOT, "%+.2f pp", value * 100) : String.format(Locale.ROOT, "%+.3f", value);
        }

        static String ci(JsonNode interval, boolean rate) {
            if (!interval.isArray() || interval.size() != 2) {
                return "-";
            }
            double lo = interval.get(0).asDouble();
            double hi = interval.get(1).asDouble();
            return rate ? String.format(Locale.ROOT, "[%+.2f, %+.2f]", lo * 100, hi * 100)
                    : String.format(Locale.ROOT, "[%+.3f, %+.3f]", lo, hi);
        }
    }
}
