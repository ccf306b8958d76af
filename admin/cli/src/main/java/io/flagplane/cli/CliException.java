package io.flagplane.cli;

/** A failure the user sees as one sentence on stderr and an {@link ExitCode}. */
public class CliException extends RuntimeException {

    private final int exitCode;

    public CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }

    /** The command line is wrong (exit 2). */
    public static CliException usage(String message) {
        return new CliException(ExitCode.USAGE, message);
    }

    /** The request cannot be made as asked, decided by the CLI before any write (exit 1). */
    public static CliException refused(String message) {
        return new CliException(ExitCode.REFUSED, message);
    }
}
