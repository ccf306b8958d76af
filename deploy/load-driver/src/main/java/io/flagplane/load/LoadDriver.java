package io.flagplane.load;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code flagplane-load}: the load drivers behind BENCHMARKS.md's service figures. */
@Command(name = "flagplane-load", mixinStandardHelpOptions = true, subcommands = {CommandLoad.class, RebuildBenchmark.class, PropagationBenchmark.class, ColdStartBenchmark.class,
        EdgeServe.class},
        description = "Load drivers for Flagplane's services, over real HTTP against a running stack.")
public final class LoadDriver {

    private LoadDriver() {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(LoadDriver.class).execute(args));
    }
}
