package io.flagplane.projection.lifecycle;

import io.flagplane.avro.FlagKind;
import io.flagplane.avro.FlagState;
import io.flagplane.projection.telemetry.UsageEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * A flag's lifecycle status in one environment, with the reason in words. Pure: the flag, its
 * usage and the instant decide, so the same inputs always give the same answer.
 *
 * <p>In order, the first that holds wins:
 * <ol>
 *   <li><b>stale</b> (potentially stale): older than its kind's expected lifetime (release and
 *       experiment 40 days, operational 7, kill switch and permission never; {@code lifetimeDays}
 *       overrides) — the one that asks for action, so it wins over the others;</li>
 *   <li><b>new</b>: younger than 7 days and never evaluated;</li>
 *   <li><b>inactive</b>: not evaluated for 7 days (or never, at 7 days old or more);</li>
 *   <li><b>launched</b>: on, one variant served to everyone for the last 7 days, unchanged for 7 days;</li>
 *   <li><b>active</b>: everything else.</li>
 * </ol>
 * Archived flags have no status: they are out of the lifecycle.
 */
public final class Lifecycle {

    /** The window for new, inactive and launched. */
    public static final Duration WINDOW = Duration.ofDays(7);
    private static final long DAY_MS = 86_400_000L;

    public enum Status {
        NEW, ACTIVE, LAUNCHED, INACTIVE, STALE;

        /** As the API writes and reads it: {@code new}, {@code active}, … {@code stale}. */
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A status and why, e.g. {@code stale}: "release flag created 41 days ago; release flags are expected to live 40 days". */
    public record Verdict(Status status, String reason) {
    }

    private Lifecycle() {
    }

    /** The expected lifetime, or null for a flag meant to stay (kill switch, permission) without an override. */
    public static Duration lifetime(FlagState flag) {
        Integer override = flag.getDefinition().getLifetimeDays();
        if (override != null) {
            return Duration.ofDays(override);
        }
        return switch (flag.getDefinition().getKind()) {
            case RELEASE, EXPERIMENT -> Duration.ofDays(40);
            case OPERATIONAL -> Duration.ofDays(7);
            case KILL_SWITCH, PERMISSION -> null;
        };
    }

    /** The instant the flag becomes potentially stale, or null for never. */
    public static Instant staleFrom(FlagState flag) {
        Duration lifetime = lifetime(flag);
        return lifetime == null ? null : flag.getCreatedAt().plus(lifetime);
    }

    /** @param usage the flag's evaluations in the environment (every instance's share summed); null for none */
    public static Verdict of(FlagState flag, UsageEntry usage, Instant now) {
        String kind = noun(flag.getDefinition().getKind());
        long ageDays = days(Duration.between(flag.getCreatedAt(), now));
        Instant staleFrom = staleFrom(flag);
        if (staleFrom != null && now.isAfter(staleFrom)) {
            Integer override = flag.getDefinition().getLifetimeDays();
            String expected = override != null ? "its lifetime is set to " + plural(override, "day")
                    : kind + " flags are expected to live " + plural(days(lifetime(flag)), "day");
            return new Verdict(Status.STALE, kind + " flag created " + ago(ageDays) + "; " + expected
                    + " — remove it from the code, or set a longer lifetime");
        }
        long last = usage == null ? 0 : usage.lastEvaluatedMs();
        if (last == 0) {
            return ageDays < WINDOW.toDays()
                    ? new Verdict(Status.NEW, "created " + ago(ageDays) + " and not evaluated yet")
                    : new Verdict(Status.INACTIVE, "never evaluated in the " + plural(ageDays, "day") + " since it was created");
        }
        Instant lastEvaluated = Instant.ofEpochMilli(last);
        if (Duration.between(lastEvaluated, now).compareTo(WINDOW) >= 0) {
            return new Verdict(Status.INACTIVE, "last evaluated " + ago(days(Duration.between(lastEvaluated, now)))
                    + ", at " + lastEvaluated);
        }
        long today = Math.floorDiv(now.toEpochMilli(), DAY_MS);
        Map<String, Long> served = usage.variantsSince(today - WINDOW.toDays() + 1);
        served.values().removeIf(count -> count == 0);
        Duration unchanged = Duration.between(flag.getLastChange().getOccurredAt(), now);
        if (flag.getEnabled() && !flag.getKilled() && served.size() == 1 && !served.containsKey("")
                && unchanged.compareTo(WINDOW) >= 0) {
            return new Verdict(Status.LAUNCHED, "on and serving only variant '" + served.keySet().iterator().next()
                    + "' to everyone for the last 7 days, unchanged for " + plural(days(unchanged), "day")
                    + " — ready to be removed from the code");
        }
        long evaluations = served.values().stream().mapToLong(Long::longValue).sum();
        return new Verdict(Status.ACTIVE, "evaluated " + evaluations + " times in the last 7 days (" + served.size()
                + (served.size() == 1 ? " variant" : " variants") + "), last at " + lastEvaluated);
    }

    private static String noun(FlagKind kind) {
        return kind.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    private static long days(Duration duration) {
        return Math.max(0, duration.toDays());
    }

    private static String ago(long days) {
        return days == 0 ? "today" : plural(days, "day") + " ago";
    }

    private static String plural(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
