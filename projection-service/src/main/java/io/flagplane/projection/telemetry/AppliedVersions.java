package io.flagplane.projection.telemetry;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The last few versions of one flag one node applied, oldest first, each with the instant the
 * node's ruleset started serving it. A node that skipped a version (a burst of changes coalesced,
 * or a compacted topic that only held the newest) has still applied it once it applied a later one.
 */
public record AppliedVersions(List<Applied> versions) {

    /** One applied version; {@code atMs} is the evaluator's clock. */
    public record Applied(long version, long atMs) {
    }

    public AppliedVersions {
        versions = List.copyOf(versions);
    }

    public static AppliedVersions empty() {
        return new AppliedVersions(List.of());
    }

    /** True when this version is already kept (a repeated report). */
    public boolean has(long version) {
        return versions.stream().anyMatch(a -> a.version() == version);
    }

    /** With {@code version} added in order, keeping only the newest {@code keep}. */
    public AppliedVersions with(long version, long atMs, int keep) {
        if (has(version)) {
            return this;
        }
        List<Applied> next = new ArrayList<>(versions);
        next.add(new Applied(version, atMs));
        next.sort(Comparator.comparingLong(Applied::version));
        while (next.size() > keep) {
            next.remove(0);
        }
        return new AppliedVersions(next);
    }

    /**
     * How this node stands on {@code version}: the first kept version at or above it (when it
     * started serving {@code version} or something newer), or null when it has not got there.
     * When even the oldest kept version is above {@code version}, the node applied it at or before
     * that one's instant; {@link Progress#exact()} says which.
     */
    public Progress progress(long version) {
        for (Applied applied : versions) {
            if (applied.version() >= version) {
                // not the oldest kept: the one before it is below version, so this is when version arrived
                return new Progress(applied.version(), applied.atMs(), applied.version() == version || applied != versions.get(0));
            }
        }
        return null;
    }

    /** The newest version kept, or 0. */
    public long newest() {
        return versions.isEmpty() ? 0 : versions.get(versions.size() - 1).version();
    }

    /** @param exact false when the node applied the version at some point up to {@code atMs}, not exactly then */
    public record Progress(long version, long atMs, boolean exact) {
    }
}
