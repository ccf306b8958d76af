package io.flagplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code flagplane}: seed 001's verbs ({@code init}, {@code status}, {@code add-user},
 * {@code deploy}, {@code rollback}) and the rest of the public API, over HTTP only.
 */
@Command(name = "flagplane", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT, version = "flagplane 0.1.0",
        usageHelpWidth = 110, sortOptions = false,
        description = {"Drive Flagplane from a terminal: a client of the command-service, the projection-service and",
                "the edge nodes' public HTTP APIs. Every change waits until it is live on every evaluator and says so."},
        subcommands = {
                SeedCommands.Init.class, SeedCommands.Status.class, SeedCommands.AddUser.class, SeedCommands.Deploy.class,
                SeedCommands.Rollback.class,
                FlagCommands.class, TimeCommands.History.class, TimeCommands.AsOf.class, TimeCommands.Diff.class,
                TimeCommands.Export.class, TimeCommands.Evaluate.class,
                PlanCommands.class, ExperimentCommands.class, ChangeRequestCommands.class, TimeCommands.Evaluators.class,
                WatchCommand.class, ProfileCommands.class, CompletionCommand.class},
        footerHeading = "%n",
        footer = {"Examples:",
                "  flagplane init checkout.new_ui                 create the flag (disabled) for a seed-001 rollout",
                "  flagplane add-user checkout.new_ui 1 2 3       internal testers (the allow list)",
                "  flagplane deploy checkout.new_ui internal      then beta, expanded, general",
                "  flagplane status checkout.new_ui               state, plan step, guardrails, propagation",
                "  flagplane rollback checkout.new_ui             the plan's rollback (a kill when there is none)",
                "  flagplane flags kill checkout.new_ui --reason 'error rate above 5%%'",
                "  flagplane watch                                every change, live, one line each",
                "",
                "Where it connects, first match wins:",
                "  1. the options --command-url, --projection-url, --edge-url, --token / --token-file, -e;",
                "  2. the environment: FLAGPLANE_CLI_COMMAND_URL, FLAGPLANE_CLI_PROJECTION_URL, FLAGPLANE_CLI_EDGE_URL,",
                "     FLAGPLANE_CLI_TOKEN, FLAGPLANE_CLI_TOKEN_FILE, FLAGPLANE_CLI_ENVIRONMENT;",
                "  3. the profile: --profile, else FLAGPLANE_CLI_PROFILE, else the config file's current one (the file is",
                "     $FLAGPLANE_CLI_CONFIG, else $${XDG_CONFIG_HOME:-~/.config}/flagplane/cli.json; see flagplane profile);",
                "  4. the local stack: localhost:8080 / :8082 / :8083, environment production, and as the token the",
                "     file .flagplane/admin-token in the current directory, if it exists (./flagplane-local writes it).",
                "",
                ExitCode.HELP})
public final class FlagplaneCli implements Runnable {

    /** The output format. */
    public enum Format { table, json }

    @Option(names = "--profile", scope = ScopeType.INHERIT, description = "the profile to use (default: the config file's current one)")
    String profile;

    @Option(names = "--command-url", scope = ScopeType.INHERIT, paramLabel = "URL", description = "the command-service (default http://localhost:8080)")
    String commandUrl;

    @Option(names = "--projection-url", scope = ScopeType.INHERIT, paramLabel = "URL", description = "the projection-service (default http://localhost:8082)")
    String projectionUrl;

    @Option(names = "--edge-url", scope = ScopeType.INHERIT, paramLabel = "URL", description = "an edge node (default http://localhost:8083)")
    String edgeUrl;

    @Option(names = "--token", scope = ScopeType.INHERIT, description = "the bearer token (a personal or service token, or a JWT)")
    String token;

    @Option(names = "--token-file", scope = ScopeType.INHERIT, paramLabel = "FILE", description = "a file holding the bearer token")
    String tokenFile;

    @Option(names = {"-e", "--environment"}, scope = ScopeType.INHERIT, paramLabel = "ENV", description = "the environment (default production)")
    String environment;

    @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, paramLabel = "FORMAT",
            description = "table (for people, the default) or json (the API's own JSON, for scripts)")
    Format output;

    @Option(names = "--no-wait", scope = ScopeType.INHERIT, description = "do not wait for a change to be live on every evaluator")
    boolean noWait;

    @Option(names = "--wait-timeout", scope = ScopeType.INHERIT, paramLabel = "DURATION", converter = Durations.class,
            description = "how long to wait for a change to be live on every evaluator (default 30s); exit 3 when it is not")
    Duration waitTimeout;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Map<String, String> env;
    private final Path workingDir;
    private Api api;
    private Out out;

    public FlagplaneCli(Map<String, String> env, Path workingDir) {
        this.env = env;
        this.workingDir = workingDir;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "say what to do: a command (flagplane --help lists them)");
    }

    Map<String, String> env() {
        return env;
    }

    Path workingDir() {
        return workingDir;
    }

    /** The connection, resolved once from options, environment and profile. */
    Api api() {
        if (api == null) {
            api = new Api(Connection.resolve(new Connection.Options(profile, commandUrl, projectionUrl, edgeUrl, token, tokenFile,
                    environment), env, workingDir));
        }
        return api;
    }

    Out out() {
        if (out == null) {
            CommandLine cl = spec.commandLine();
            out = new Out(cl.getOut(), cl.getErr(), output == Format.json);
        }
        return out;
    }

    boolean waits() {
        return !noWait;
    }

    Duration waitTimeout() {
        return waitTimeout == null ? Duration.ofSeconds(30) : waitTimeout;
    }

    /** The CLI found from any command's spec. */
    static FlagplaneCli of(CommandLine.Model.CommandSpec spec) {
        return (FlagplaneCli) spec.root().userObject();
    }

    /**
     * Reports a change: {@code <done> (vN) — live on N of N nodes in X ms}, having waited for
     * propagation unless --no-wait. Exits 3 (through the exception) when not live in time.
     */
    void changed(JsonNode answer, String done) {
        List<Propagation.Target> targets = Propagation.targets(answer);
        Propagation.Outcome outcome = null;
        if (waits() && !targets.isEmpty()) {
            outcome = Propagation.await(api(), targets, waitTimeout());
        }
        Out o = out();
        if (o.json()) {
            o.printJson(Propagation.withLive(answer, outcome));
        } else {
            StringBuilder line = new StringBuilder(done);
            boolean flagAnswer = answer.path("kind").asText().equals("flag");
            if (flagAnswer && !answer.path("changed").asBoolean(true)) {
                line.append(" — already so (v").append(answer.path("version").asLong()).append("); nothing written");
            } else if (targets.size() == 1) {
                line.append(" (v").append(targets.get(0).version()).append(")");
            } else if (flagAnswer) {
                line.append(" (v").append(answer.path("version").asLong()).append(")");
            }
            if (outcome != null) {
                for (int i = 0; i < targets.size(); i++) {
                    Propagation.Target t = targets.get(i);
                    String live = Propagation.describe(outcome.answers().get(i), outcome.waited());
                    line.append(targets.size() == 1 ? " — " + live : (i == 0 ? " — " : "; ") + t.flag() + " v" + t.version() + " " + live);
                }
            } else if (!targets.isEmpty() && !waits()) {
                line.append(" — not waiting for the evaluators (--no-wait)");
            }
            o.line(line.toString());
        }
        if (outcome != null && !outcome.complete()) {
            throw new CliException(ExitCode.NOT_LIVE, "not live on every evaluator within " + Durations.human(waitTimeout())
                    + " (--wait-timeout); the change is written");
        }
    }

    /** A picocli command line wired for this environment and working directory, with the CLI's exit codes. */
    public static CommandLine commandLine(Map<String, String> env, Path workingDir) {
        CommandLine cl = new CommandLine(new FlagplaneCli(env, workingDir));
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (e instanceof CliException cli) {
                err.println("flagplane: " + cli.getMessage());
                err.flush();
                return cli.exitCode();
            }
            if (e instanceof CommandLine.ParameterException pe) {
                throw pe;
            }
            err.println("flagplane: unexpected failure: " + e);
            err.flush();
            return ExitCode.SERVER_ERROR;
        });
        cl.setParameterExceptionHandler((e, args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("flagplane: " + e.getMessage());
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
                err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            }
            err.flush();
            return ExitCode.USAGE;
        });
        return cl;
    }

    public static void main(String[] args) {
        int code = commandLine(System.getenv(), Path.of("").toAbsolutePath()).execute(args);
        System.exit(code);
    }
}
