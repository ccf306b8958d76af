package io.flagplane.contract;

import java.util.regex.Pattern;

/**
 * The key of a tracked event ({@code track()}), as every part of Flagplane reads it: an experiment's
 * metrics name one (the command-service checks them), and the evaluators' tracking API accepts the
 * same. The one copy of the pattern, so that a metric can never name an event nobody may send.
 */
public final class TrackedEvents {

    /** 1 to 128 letters, digits and {@code . _ : -}, starting with a letter or digit. */
    public static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    private TrackedEvents() {
    }
}
