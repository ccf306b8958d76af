package io.flagplane.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code flagplane completion bash}: picocli's generated completion script. Only bash's: zsh
 * runs that same script through {@code bashcompinit}, and is told how rather than handed the
 * bash script under zsh's name.
 */
@Command(name = "completion", description = {"Print the bash completion script.",
        "zsh runs the same script: autoload -U +X bashcompinit && bashcompinit, then source it."},
        footerHeading = "%nExamples:%n", footer = {"  source <(flagplane completion bash)",
        "  flagplane completion bash > /etc/bash_completion.d/flagplane",
        "  autoload -U +X compinit && compinit && autoload -U +X bashcompinit && bashcompinit \\",
        "    && source <(flagplane completion bash)      (in ~/.zshrc)"})
final class CompletionCommand implements Runnable {

    /** What {@code completion zsh} says instead of printing a script. */
    static final String ZSH = "there is no zsh script; zsh runs the bash one: put autoload -U +X compinit && compinit && "
            + "autoload -U +X bashcompinit && bashcompinit && source <(flagplane completion bash) in ~/.zshrc";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SHELL", description = "bash (the default and the only one)")
    String shell = "bash";

    @Override
    public void run() {
        if (shell.equals("zsh")) {
            throw new CommandLine.ParameterException(spec.commandLine(), ZSH);
        }
        if (!shell.equals("bash")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "completion is generated for bash (zsh uses it through "
                    + "bashcompinit), not " + shell);
        }
        CommandLine root = spec.root().commandLine();
        spec.commandLine().getOut().print(AutoComplete.bash("flagplane", root));
        spec.commandLine().getOut().flush();
    }
}
