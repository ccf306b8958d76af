package io.flagplane.projection.http;

import io.flagplane.projection.lifecycle.Lifecycle;
import io.flagplane.projection.query.Names;
import io.flagplane.projection.query.QueryException;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The query parameters of the telemetry routes, read strictly: anything else is a 400 naming the parameter. */
final class TelemetryInput {

    /** Whole milliseconds or seconds: {@code 5s}, {@code 500ms}, {@code 5} (seconds). */
    private static final Pattern WAIT = Pattern.compile("([0-9]{1,7})(ms|s)?");

    private TelemetryInput() {
    }

    /** The {@code wait} parameter, zero when absent; at most {@code max}. */
    static Duration wait(Context ctx, Duration max) {
        String text = RequestInput.text(ctx, "wait");
        if (text == null) {
            return Duration.ZERO;
        }
        Matcher m = WAIT.matcher(text);
        if (!m.matches()) {
            throw QueryException.badParameter("wait", "\"wait\" is a duration such as 5s or 500ms, at most " + seconds(max)
                    + ", not '" + Names.abbreviate(text) + "'");
        }
        long amount = Long.parseLong(m.group(1));
        Duration wait = "ms".equals(m.group(2)) ? Duration.ofMillis(amount) : Duration.ofSeconds(amount);
        if (wait.compareTo(max) > 0) {
            throw QueryException.badParameter("wait", "\"wait\" may be at most " + seconds(max) + ", not '" + Names.abbreviate(text)
                    + "'");
        }
        return wait;
    }

    /** The {@code status} filter, null when absent. */
    static Lifecycle.Status status(Context ctx) {
        String text = RequestInput.text(ctx, "status");
        if (text == null) {
            return null;
        }
        String wire = text.toLowerCase(Locale.ROOT).equals("potentially_stale") ? "stale" : text;
        for (Lifecycle.Status status : Lifecycle.Status.values()) {
            if (status.wire().equals(wire)) {
                return status;
            }
        }
        throw QueryException.badParameter("status", "\"status\" is one of " + Arrays.stream(Lifecycle.Status.values())
                .map(Lifecycle.Status::wire).collect(Collectors.joining(", ")) + ", not '" + Names.abbreviate(text) + "'");
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
