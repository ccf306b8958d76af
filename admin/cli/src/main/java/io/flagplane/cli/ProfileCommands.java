package io.flagplane.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code flagplane profile …}: named connections in the CLI's config file. */
@Command(name = "profile", description = {"Named connections (URLs, token, environment) in the CLI's config file.",
        "$FLAGPLANE_CLI_CONFIG, else $${XDG_CONFIG_HOME:-~/.config}/flagplane/cli.json."},
        subcommands = {ProfileCommands.Add.class, ProfileCommands.ListProfiles.class, ProfileCommands.Use.class,
                ProfileCommands.Remove.class, ProfileCommands.Show.class},
        footerHeading = "%nExamples:%n", footer = {
        "  flagplane profile add prod --command-url https://flags.example.com --projection-url https://flags-read.example.com \\",
        "      --edge-url https://edge.example.com --token-file ~/.flagplane-prod-token --environment production",
        "  flagplane profile use prod", "  flagplane profile list", "  flagplane profile show     (what this run would use, and from where)"})
final class ProfileCommands implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "say which: add, list, use, remove or show");
    }

    static Profiles load(Base command) {
        return Profiles.load(Profiles.location(command.cli().env()));
    }

    @Command(name = "add", description = "Add (or replace) a profile; the first one becomes current. Uses the global --command-url, "
            + "--projection-url, --edge-url, --token, --token-file and -e given with it.",
            footerHeading = "%nExamples:%n", footer = {"  flagplane profile add prod --command-url https://flags.example.com --projection-url https://flags-read.example.com \\", "      --edge-url https://edge.example.com --token-file ~/.flagplane-prod-token -e production"})
    static final class Add extends Base {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--use", description = "make it the current profile")
        boolean use;

        @Override
        void run() {
            FlagplaneCli c = cli();
            Profiles profiles = load(this);
            profiles.put(name, new Profiles.Profile(c.commandUrl, c.projectionUrl, c.edgeUrl, c.token, c.tokenFile, c.environment));
            if (use) {
                profiles.use(name);
            }
            profiles.save();
            out().line("profile " + name + " saved in " + profiles.file() + (name.equals(profiles.current()) ? " (current)" : ""));
        }
    }

    @Command(name = "list", description = "The profiles; * marks the current one.",
            footerHeading = "%nExamples:%n", footer = "  flagplane profile list")
    static final class ListProfiles extends Base {
        @Override
        void run() {
            Profiles profiles = load(this);
            List<List<String>> rows = new ArrayList<>();
            for (Map.Entry<String, Profiles.Profile> e : profiles.ordered().entrySet()) {
                Profiles.Profile p = e.getValue();
                rows.add(List.of((e.getKey().equals(profiles.current()) ? "* " : "  ") + e.getKey(), v(p.commandUrl()), v(p.projectionUrl()),
                        v(p.edgeUrl()), p.token() != null ? "(token)" : v(p.tokenFile()), v(p.environment())));
            }
            out().table(List.of("PROFILE", "COMMAND", "PROJECTION", "EDGE", "TOKEN", "ENVIRONMENT"), rows);
        }

        private static String v(String s) {
            return s == null ? "-" : s;
        }
    }

    @Command(name = "use", description = "Make a profile the current one.",
            footerHeading = "%nExamples:%n", footer = "  flagplane profile use prod")
    static final class Use extends Base {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        void run() {
            Profiles profiles = load(this);
            profiles.use(name);
            profiles.save();
            out().line("now using profile " + name);
        }
    }

    @Command(name = "remove", description = "Remove a profile.",
            footerHeading = "%nExamples:%n", footer = "  flagplane profile remove staging")
    static final class Remove extends Base {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        void run() {
            Profiles profiles = load(this);
            if (!profiles.remove(name)) {
                throw CliException.usage("no profile named '" + name + "' in " + profiles.file());
            }
            profiles.save();
            out().line("removed profile " + name);
        }
    }

    @Command(name = "show", description = "Where this run would connect, as whom, and where each came from.",
            footerHeading = "%nExamples:%n", footer = {"  flagplane profile show", "  flagplane profile show --profile prod"})
    static final class Show extends Base {
        @Override
        void run() {
            Connection c = api().connection();
            ObjectNode node = Api.body().put("profile", c.profile()).put("commandUrl", c.commandUrl())
                    .put("projectionUrl", c.projectionUrl()).put("edgeUrl", c.edgeUrl()).put("environment", c.environment())
                    .put("token", c.token() == null ? null : "(set)").put("tokenFrom", c.tokenSource());
            out().show(node, () -> {
                out().line("profile      " + (c.profile() == null ? "(none)" : c.profile()));
                out().line("command      " + c.commandUrl());
                out().line("projection   " + c.projectionUrl());
                out().line("edge         " + c.edgeUrl());
                out().line("environment  " + c.environment());
                out().line("token        " + (c.token() == null ? "none" : "from " + c.tokenSource()));
            });
        }
    }
}
