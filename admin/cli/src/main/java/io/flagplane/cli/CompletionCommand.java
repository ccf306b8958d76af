package io.flagplane.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code flagplane completion bash}: picocli's generated completion script (bash; zsh loads it with bashcompinit). */
@Command(name = "completion", description = "Print a shell completion script (bash, or zsh with bashcompinit).",
        footerHeading = "%nExamples:%n", footer = {"  source <(flagplane completion bash)",
        "  flagplane completion bash > /etc/bash_completion.d/flagplane"})
final class CompletionCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SHELL", description = "bash (default) or zsh")
    String shell = "bash";

    @Override
    public void run() {
        if (!shell.equals("bash") && !shell.equals("zsh")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "completion is generated for bash and zsh, not " + shell);
        }
        CommandLine root = spec.root().commandLine();
        spec.commandLine().getOut().print(AutoComplete.bash("flagplane", root));
        spec.commandLine().getOut().flush();
    }
}
