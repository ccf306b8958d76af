package io.flagplane.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;

/** One in-process run of the CLI: what it printed on stdout and stderr, and its exit code. */
record Run(int exit, String out, String err) {

    static Run of(Map<String, String> env, Path workingDir, String... args) {
        CommandLine cl = FlagplaneCli.commandLine(env, workingDir);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Override
    public String toString() {
        return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
