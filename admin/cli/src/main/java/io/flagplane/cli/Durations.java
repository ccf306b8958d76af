package io.flagplane.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, {@code 3d} — and back, for people. */
public final class Durations implements CommandLine.ITypeConverter<Duration> {

    private static final Pattern SHAPE = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    public static Duration parse(String value) {
        Matcher m = SHAPE.matcher(value.trim());
        if (!m.matches()) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a duration like 500ms, 10s, 2m, 1h or 3d");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** {@code 31 ms}, {@code 10 s}, {@code 2 min}, {@code 3 h}, {@code 2 d 4 h}. */
    public static String human(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 60_000) {
            return (ms % 1000 == 0 ? String.valueOf(ms / 1000) : String.format(java.util.Locale.ROOT, "%.1f", ms / 1000.0)) + " s";
        }
        if (ms < 3_600_000) {
            return (ms / 60_000) + " min";
        }
        if (ms < 86_400_000) {
            return (ms / 3_600_000) + " h";
        }
        long days = ms / 86_400_000;
        long hours = (ms % 86_400_000) / 3_600_000;
        return days + " d" + (hours == 0 ? "" : " " + hours + " h");
    }
}
