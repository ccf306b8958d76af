package io.flagplane.projection.experiments;

import java.util.List;

/**
 * What the analysis keeps about one user ({@code environment/targetingKey}): each experiment they
 * were exposed to, and their recent tracked events. Immutable: the fold makes a new one.
 *
 * @param exposed in the order first seen
 * @param events  ordered by (occurredAt, eventId), one per event id
 */
public record UserFacts(List<Exposed> exposed, List<Tracked> events) {

    public static final UserFacts EMPTY = new UserFacts(List.of(), List.of());

    public UserFacts {
        exposed = List.copyOf(exposed);
        events = List.copyOf(events);
    }

    public boolean isEmpty() {
        return exposed.isEmpty() && events.isEmpty();
    }

    public Exposed exposure(String experimentKey) {
        for (Exposed x : exposed) {
            if (x.experimentKey().equals(experimentKey)) {
                return x;
            }
        }
        return null;
    }

    /**
     * A user's exposure to one experiment: the first one (earliest instant; on a tie the smaller
     * variant name, so the order records arrive in does not matter), every variant served (more
     * than one: mixed), whether it is final (its windows closed and the grace period passed, so its
     * first exposure can no longer move), and the contribution it was last counted with (null
     * while the experiment's definition is not known here yet).
     *
     * @param variants distinct, sorted
     */
    public record Exposed(String experimentKey, String flagKey, long firstAtMs, String firstVariant, List<String> variants,
                          boolean finalised, Contribution counted) {

        public Exposed {
            variants = List.copyOf(variants);
        }

        public boolean mixed() {
            return variants.size() > 1;
        }

        Exposed with(Contribution contribution) {
            return new Exposed(experimentKey, flagKey, firstAtMs, firstVariant, variants, finalised, contribution);
        }

        Exposed finalise() {
            return new Exposed(experimentKey, flagKey, firstAtMs, firstVariant, variants, true, counted);
        }
    }

    /**
     * A tracked event as the analysis needs it.
     *
     * @param units      the value in {@link Units}; 0 without one
     * @param arrivedAtMs the record's timestamp: how long it stays in the buffer is measured from it
     */
    public record Tracked(long occurredAtMs, String eventId, String eventKey, long units, long arrivedAtMs) {

        int compareTo(Tracked other) {
            int c = Long.compare(occurredAtMs, other.occurredAtMs);
            return c != 0 ? c : eventId.compareTo(other.eventId);
        }
    }
}
