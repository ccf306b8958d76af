package io.flagplane.projection.experiments;

import io.flagplane.projection.experiments.UserFacts.Exposed;
import io.flagplane.projection.experiments.UserFacts.Tracked;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-user fold of the analysis, pure: a user's facts and one record (an exposure or a tracked
 * event) → new facts, and for each experiment whose count of this user changed, the contribution
 * before and after ({@link Delta}). No Kafka here; {@link ExperimentFoldProcessor} runs it.
 *
 * <p><b>Order-independent by construction.</b> The first exposure is the earliest instant (ties:
 * the smaller variant name); "mixed" is "more than one variant seen"; a user's metrics are computed
 * from the set of their events against the first exposure as it stands now, not as it stood when
 * each event arrived. So the same records give the same facts and contributions in any order, as
 * long as nothing was evicted in between: a tracked event stays in the buffer for {@code grace}
 * (measured from its arrival, the record timestamp) or, for as long as the exposure can still
 * move, while it sits inside an attribution window of an experiment the user was exposed to. A
 * tracked event that arrives before its exposure therefore counts if the exposure arrives within
 * the grace period. When the longest window has closed and the grace period passed, the exposure
 * is final: its first instant no longer moves, its events are let go, and a late event inside its
 * window is still added (a late exposure earlier than the first is counted as late, not applied).
 *
 * <p><b>Bounded.</b> At most {@code maxEvents} events per user (the oldest go first), {@code
 * maxExperiments} experiments and {@code maxVariants} variants per experiment; what a bound drops is
 * counted in the result.
 */
public final class UserFold {

    /**
     * @param grace          how long a tracked event waits for an exposure that arrives after it (and how
     *                       long after its windows close an exposure can still move)
     * @param maxEvents      tracked events kept per user
     * @param maxExperiments experiments remembered per user
     * @param maxVariants    variants remembered per user and experiment
     */
    public record Limits(Duration grace, int maxEvents, int maxExperiments, int maxVariants) {
        public static final Limits DEFAULT = new Limits(Duration.ofHours(1), 200, 32, 16);

        long graceMs() {
            return grace.toMillis();
        }
    }

    /** Finds a launched experiment's spec; null when this instance does not know it (yet). */
    public interface Specs {
        ExperimentSpec find(String flagKey, String experimentKey);
    }

    /** An exposure as the fold reads it. */
    public record Exposure(String experimentKey, String flagKey, String variant, long exposedAtMs) {
    }

    /**
     * One experiment's change for this user.
     *
     * @param before     what the user was counted with (null: not counted)
     * @param after      what they are counted with now (null: not counted)
     * @param exposureOf the variant of an exposure record to count (null: no exposure record)
     */
    public record Delta(String experimentKey, String flagKey, Contribution before, Contribution after, String exposureOf) {
    }

    /**
     * @param late       exposures older than the grace period, or earlier than a final first exposure
     * @param dropped    events, experiments or variants not kept for a bound
     * @param duplicate  a tracked event already in the buffer (same event id): nothing changed
     */
    public record Result(UserFacts facts, List<Delta> deltas, int late, int dropped, boolean duplicate) {
    }

    private final Limits limits;

    public UserFold(Limits limits) {
        this.limits = limits;
    }

    public Limits limits() {
        return limits;
    }

    /**
     * Counts what can now be counted (experiments whose spec became known), finalises exposures whose
     * windows and grace have passed, and lets go of events nothing can need any more. Changes no
     * contribution except one not counted before.
     */
    public Result tidy(UserFacts facts, Specs specs, long nowMs) {
        List<Delta> deltas = new ArrayList<>();
        List<Exposed> exposed = new ArrayList<>(facts.exposed().size());
        boolean changed = false;
        for (Exposed x : facts.exposed()) {
            ExperimentSpec spec = specs.find(x.flagKey(), x.experimentKey());
            Exposed next = x;
            if (spec != null) {
                if (x.counted() == null) {
                    next = next.with(compute(next, spec, facts.events()));
                    deltas.add(new Delta(x.experimentKey(), x.flagKey(), null, next.counted(), null));
                }
                if (!next.finalised() && nowMs - limits.graceMs() >= x.firstAtMs() + spec.longestWindowMs()) {
                    next = next.finalise();
                }
            }
            changed |= next != x;
            exposed.add(next);
        }
        List<Tracked> events = new ArrayList<>(facts.events().size());
        for (Tracked e : facts.events()) {
            if (e.arrivedAtMs() >= nowMs - limits.graceMs() || needed(e, exposed, specs)) {
                events.add(e);
            } else {
                changed = true;
            }
        }
        return new Result(changed ? new UserFacts(exposed, events) : facts, deltas, 0, 0, false);
    }

    /** An exposure to a launched experiment whose spec is {@code spec} (null: not known here yet). */
    public Result expose(UserFacts facts, Exposure e, ExperimentSpec spec, long arrivedAtMs) {
        int late = e.exposedAtMs() < arrivedAtMs - limits.graceMs() ? 1 : 0;
        int dropped = 0;
        Exposed x = facts.exposure(e.experimentKey());
        List<Exposed> exposed = new ArrayList<>(facts.exposed());
        Exposed next;
        int pos;
        if (x == null) {
            if (facts.exposed().size() >= limits.maxExperiments()) {
                return new Result(facts, List.of(), late, 1, false);
            }
            next = new Exposed(e.experimentKey(), e.flagKey(), e.exposedAtMs(), e.variant(), List.of(e.variant()), false, null);
            exposed.add(next);
            pos = exposed.size() - 1;
        } else {
            pos = facts.exposed().indexOf(x);
            List<String> variants = x.variants();
            if (!variants.contains(e.variant())) {
                if (variants.size() >= limits.maxVariants()) {
                    dropped++;
                } else {
                    List<String> more = new ArrayList<>(variants);
                    more.add(e.variant());
                    more.sort(null);
                    variants = more;
                }
            }
            long first = x.firstAtMs();
            String firstVariant = x.firstVariant();
            boolean earlier = e.exposedAtMs() < first || e.exposedAtMs() == first && e.variant().compareTo(firstVariant) < 0;
            if (earlier && x.finalised()) {
                late = 1;   // its windows are closed and its events gone: the first exposure no longer moves
            } else if (earlier) {
                first = e.exposedAtMs();
                firstVariant = e.variant();
            }
            next = new Exposed(x.experimentKey(), x.flagKey(), first, firstVariant, variants, x.finalised(), x.counted());
            exposed.set(pos, next);
        }
        Contribution before = next.counted();
        if (spec != null) {
            next = next.with(next.finalised() ? frozen(next) : compute(next, spec, facts.events()));
            exposed.set(pos, next);
        }
        Delta delta = new Delta(e.experimentKey(), e.flagKey(), before, next.counted(), e.variant());
        return new Result(new UserFacts(exposed, facts.events()), List.of(delta), late, dropped, false);
    }

    /** A tracked event; {@code event.arrivedAtMs()} is its record timestamp. */
    public Result track(UserFacts facts, Tracked event, Specs specs) {
        List<Tracked> events = new ArrayList<>(facts.events().size() + 1);
        int at = facts.events().size();
        for (int i = 0; i < facts.events().size(); i++) {
            Tracked e = facts.events().get(i);
            if (e.eventId().equals(event.eventId())) {
                return new Result(facts, List.of(), 0, 0, true);
            }
            if (at == facts.events().size() && event.compareTo(e) < 0) {
                at = i;
            }
        }
        events.addAll(facts.events());
        events.add(at, event);
        int dropped = 0;
        while (events.size() > limits.maxEvents()) {
            events.remove(0);   // the oldest event goes: the set kept is "the latest N", whatever the arrival order
            dropped++;
        }
        List<Delta> deltas = new ArrayList<>();
        List<Exposed> exposed = new ArrayList<>(facts.exposed());
        for (int i = 0; i < exposed.size(); i++) {
            Exposed x = exposed.get(i);
            ExperimentSpec spec = specs.find(x.flagKey(), x.experimentKey());
            if (spec == null || !spec.reads(event.eventKey())) {
                continue;
            }
            Contribution after = x.finalised() ? late(x, spec, event) : compute(x, spec, events);
            if (!after.equals(x.counted())) {
                deltas.add(new Delta(x.experimentKey(), x.flagKey(), x.counted(), after, null));
                exposed.set(i, x.with(after));
            }
        }
        return new Result(new UserFacts(exposed, events), deltas, 0, dropped, false);
    }

    /** The user's contribution from their events, against their first exposure as it stands. */
    static Contribution compute(Exposed x, ExperimentSpec spec, List<Tracked> events) {
        if (x.mixed()) {
            return Contribution.mixed(x.firstVariant());
        }
        int m = spec.metrics().size();
        long[] counts = new long[m];
        long[] sums = new long[m];
        for (Tracked e : events) {
            if (e.occurredAtMs() < x.firstAtMs()) {
                continue;
            }
            for (int i = 0; i < m; i++) {
                ExperimentSpec.Metric metric = spec.metrics().get(i);
                if (metric.eventKey().equals(e.eventKey()) && e.occurredAtMs() - x.firstAtMs() <= metric.windowMs()) {
                    counts[i]++;
                    sums[i] = Units.add(sums[i], e.units());
                }
            }
        }
        return new Contribution(x.firstVariant(), false, counts, sums);
    }

    /** A final exposure: what it was counted with, unless it has turned mixed since. */
    private static Contribution frozen(Exposed x) {
        if (x.mixed()) {
            return Contribution.mixed(x.firstVariant());
        }
        return x.counted();
    }

    /** A final exposure and an event that arrived after its buffer was let go: added when inside a window. */
    private static Contribution late(Exposed x, ExperimentSpec spec, Tracked e) {
        Contribution c = x.counted();
        if (c == null || c.mixed() || e.occurredAtMs() < x.firstAtMs()) {
            return c;
        }
        for (int i = 0; i < spec.metrics().size(); i++) {
            ExperimentSpec.Metric metric = spec.metrics().get(i);
            if (metric.eventKey().equals(e.eventKey()) && e.occurredAtMs() - x.firstAtMs() <= metric.windowMs()) {
                c = c.plusEvent(i, e.units());
            }
        }
        return c;
    }

    /** Whether an event may still change a contribution: inside a window of an exposure that can still move. */
    private static boolean needed(Tracked e, List<Exposed> exposed, Specs specs) {
        for (Exposed x : exposed) {
            if (x.finalised() || e.occurredAtMs() < x.firstAtMs()) {
                continue;
            }
            ExperimentSpec spec = specs.find(x.flagKey(), x.experimentKey());
            if (spec == null) {
                return true;   // not known yet: keep what it may need
            }
            for (ExperimentSpec.Metric metric : spec.metrics()) {
                if (metric.eventKey().equals(e.eventKey()) && e.occurredAtMs() - x.firstAtMs() <= metric.windowMs()) {
                    return true;
                }
            }
        }
        return false;
    }
}
