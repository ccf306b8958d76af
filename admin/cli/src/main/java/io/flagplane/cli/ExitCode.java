package io.flagplane.cli;

/** The exit codes scripts can rely on (documented in {@code flagplane --help} and the README). */
public final class ExitCode {
    /** Done (and live on every evaluator, unless --no-wait). */
    public static final int OK = 0;
    /** The API refused the request (a 4xx): its code and sentence are on stderr. */
    public static final int REFUSED = 1;
    /** The command line itself is wrong (unknown verb, missing argument, bad option value). */
    public static final int USAGE = 2;
    /** The change was written but is not live on every evaluator within --wait-timeout. */
    public static final int NOT_LIVE = 3;
    /** A service cannot be reached (connection refused, timed out, unknown host). */
    public static final int UNREACHABLE = 4;
    /** A service failed (a 5xx, or an answer that is not Flagplane's). */
    public static final int SERVER_ERROR = 5;

    private ExitCode() {
    }

    static final String HELP = """
            Exit codes:
              0  done (and, unless --no-wait, live on every evaluator)
              1  refused by the API (4xx): its error code and sentence are printed on stderr
              2  usage error (unknown command, missing argument, bad option)
              3  written, but not live on every evaluator within --wait-timeout
              4  a service cannot be reached
              5  a service failed (5xx)""";
}
