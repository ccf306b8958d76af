package io.flagplane.projection.guardrails;

import io.flagplane.projection.guardrails.Cell.Field;
import io.flagplane.projection.guardrails.PlanUserFacts.Plan;
import io.flagplane.projection.guardrails.PlanUserFacts.Seen;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-user fold of the guardrail measurement, pure: a user's facts and one record (a plan
 * exposure or a tracked event) → new facts, and the changes to the plan's cells ({@link Delta}),
 * each a +1 or −1 of a user figure at the bucket of an instant, or +1 event. No Kafka here;
 * {@link MeasureProcessor} runs it.
 *
 * <p><b>Attribution.</b> A user's variant at an instant is the variant of their latest plan exposure
 * at or before it; a tracked event counts for every plan the user was exposed to, on the variant they
 * were on when it occurred. An event from before the user's first exposure to any of their plans is not
 * counted (it happened outside the plan). A user's events that arrive before their first plan exposure
 * are held ({@link #hold}) and counted when it arrives; once a user has a plan, events are counted
 * when they are folded and never re-attributed (an event that arrives before the exposure that moved
 * its user to another variant counts on the variant before). User figures (exposed, first exposed, active,
 * users with an event) are latest-instant histograms, which do not depend on arrival order.
 *
 * <p><b>Bounded.</b> At most {@value #MAX_PLANS} plans per user (the one seen least recently goes,
 * taking its figures out of the cells), {@value #MAX_TIMELINE} exposures per plan (the oldest go; the
 * first exposure is kept apart), and {@value #MAX_EVENT_KEYS} (variant, event key) slots per plan (the
 * least recent goes).
 */
final class PlanUserFold {

    static final int MAX_PLANS = 8;
    static final int MAX_TIMELINE = 8;
    static final int MAX_EVENT_KEYS = 32;

    /** Events held per user for a first exposure. */
    static final int MAX_PENDING = 64;

    /** One change to a plan's cells: {@code by} added to {@code field} of the cell of {@code variant} at {@code atMs}. */
    record Delta(String planKey, long atMs, String variant, Field field, String eventKey, long by) {
    }

    /**
     * @param attributed   for a tracked event, the plans it was counted for (0: the user's plans do not cover it)
     * @param unattributed tracked events that will never count: one from before the user's exposures, or held
     *                     events from before the first exposure that arrived
     * @param dropped      plans, event-key slots or held events let go for a bound
     */
    record Result(PlanUserFacts facts, List<Delta> deltas, int attributed, int unattributed, int dropped) {
    }

    Result expose(PlanUserFacts facts, String planKey, String variant, long atMs) {
        Result exposed = exposeOnly(facts, planKey, variant, atMs);
        if (facts.pending().isEmpty()) {
            return exposed;
        }
        // the user's first exposure: the events that waited for it count now, those from before it never will
        PlanUserFacts now = new PlanUserFacts(exposed.facts().plans(), List.of());
        List<Delta> deltas = new ArrayList<>(exposed.deltas());
        int dropped = exposed.dropped();
        int attributed = 0;
        for (PlanUserFacts.Pending e : facts.pending()) {
            Result tracked = track(now, e.eventKey(), e.atMs());
            now = tracked.facts();
            deltas.addAll(tracked.deltas());
            dropped += tracked.dropped();
            attributed += tracked.attributed() > 0 ? 1 : 0;
        }
        return new Result(now, deltas, attributed, facts.pending().size() - attributed, dropped);
    }

    /**
     * Holds a tracked event of a user without a plan yet, for their first exposure; at most
     * {@value #MAX_PENDING} (the oldest arrival goes, counted as dropped).
     */
    Result hold(PlanUserFacts facts, String eventKey, long atMs, long arrivedAtMs) {
        List<PlanUserFacts.Pending> pending = new ArrayList<>(facts.pending());
        pending.add(new PlanUserFacts.Pending(eventKey, atMs, arrivedAtMs));
        int dropped = 0;
        while (pending.size() > MAX_PENDING) {
            pending.remove(0);
            dropped++;
        }
        return new Result(new PlanUserFacts(facts.plans(), pending), List.of(), 0, 0, dropped);
    }

    private Result exposeOnly(PlanUserFacts facts, String planKey, String variant, long atMs) {
        List<Delta> deltas = new ArrayList<>();
        List<Plan> plans = new ArrayList<>(facts.plans());
        int dropped = 0;
        Plan p = facts.plan(planKey);
        int at;
        if (p == null) {
            if (plans.size() >= MAX_PLANS) {
                Plan evicted = plans.stream().min(Comparator.comparingLong(Plan::lastSeenMs)).orElseThrow();
                plans.remove(evicted);
                forget(evicted, deltas);
                dropped++;
            }
            p = new Plan(planKey, atMs, variant, List.of(), Map.of(), Map.of());
            deltas.add(new Delta(planKey, atMs, variant, Field.FIRST_EXPOSED, null, 1));
            plans.add(p);
            at = plans.size() - 1;
        } else {
            at = plans.indexOf(p);
            if (atMs < p.firstAtMs() || atMs == p.firstAtMs() && variant.compareTo(p.firstVariant()) < 0) {
                deltas.add(new Delta(planKey, p.firstAtMs(), p.firstVariant(), Field.FIRST_EXPOSED, null, -1));
                deltas.add(new Delta(planKey, atMs, variant, Field.FIRST_EXPOSED, null, 1));
                p = new Plan(planKey, atMs, variant, p.timeline(), p.active(), p.latest());
            }
        }
        Seen seen = new Seen(atMs, variant);
        if (!p.timeline().contains(seen)) {
            Seen before = p.latestExposure();
            List<Seen> timeline = new ArrayList<>(p.timeline());
            timeline.add(seen);
            timeline.sort(Comparator.comparingLong(Seen::atMs).thenComparing(Seen::variant));
            while (timeline.size() > MAX_TIMELINE) {
                timeline.remove(0);
            }
            Seen after = timeline.get(timeline.size() - 1);
            if (!after.equals(before)) {
                if (before != null) {
                    deltas.add(new Delta(planKey, before.atMs(), before.variant(), Field.EXPOSED, null, -1));
                }
                deltas.add(new Delta(planKey, after.atMs(), after.variant(), Field.EXPOSED, null, 1));
            }
            Map<String, Long> active = new HashMap<>(p.active());
            activate(planKey, active, variant, atMs, deltas);
            p = new Plan(planKey, p.firstAtMs(), p.firstVariant(), timeline, active, p.latest());
        }
        if (deltas.isEmpty()) {
            return new Result(facts, List.of(), 0, 0, 0);   // a repeated exposure: nothing moves
        }
        plans.set(at, p);
        return new Result(new PlanUserFacts(plans, facts.pending()), deltas, 0, 0, dropped);
    }

    Result track(PlanUserFacts facts, String eventKey, long atMs) {
        List<Delta> deltas = new ArrayList<>();
        List<Plan> plans = new ArrayList<>(facts.plans());
        int attributed = 0;
        int dropped = 0;
        for (int i = 0; i < plans.size(); i++) {
            Plan p = plans.get(i);
            String variant = variantAt(p, atMs);
            if (variant == null) {
                continue;
            }
            attributed++;
            String planKey = p.planKey();
            deltas.add(new Delta(planKey, atMs, variant, Field.EVENTS, eventKey, 1));
            Map<String, Long> latest = new HashMap<>(p.latest());
            String slot = PlanUserFacts.eventSlot(variant, eventKey);
            Long previous = latest.get(slot);
            if (previous == null || atMs > previous) {
                if (previous != null) {
                    deltas.add(new Delta(planKey, previous, variant, Field.USERS, eventKey, -1));
                }
                deltas.add(new Delta(planKey, atMs, variant, Field.USERS, eventKey, 1));
                latest.put(slot, atMs);
                while (latest.size() > MAX_EVENT_KEYS) {
                    Map.Entry<String, Long> oldest = latest.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow();
                    latest.remove(oldest.getKey());
                    deltas.add(new Delta(planKey, oldest.getValue(), PlanUserFacts.slotVariant(oldest.getKey()), Field.USERS,
                            PlanUserFacts.slotEventKey(oldest.getKey()), -1));
                    dropped++;
                }
            }
            Map<String, Long> active = new HashMap<>(p.active());
            activate(planKey, active, variant, atMs, deltas);
            plans.set(i, new Plan(planKey, p.firstAtMs(), p.firstVariant(), p.timeline(), active, latest));
        }
        if (attributed == 0) {
            return new Result(facts, List.of(), 0, 1, 0);
        }
        return new Result(new PlanUserFacts(plans, facts.pending()), deltas, attributed, 0, dropped);
    }

    /**
     * Lets go of the plans a user has not been seen on since {@code horizonMs} (their cells are past
     * every window by then, so nothing is taken out of them) and of held events that arrived before
     * {@code graceFromMs}. The same facts when nothing goes.
     */
    PlanUserFacts forgetBefore(PlanUserFacts facts, long horizonMs, long graceFromMs) {
        List<Plan> kept = facts.plans().stream().filter(p -> p.lastSeenMs() >= horizonMs).toList();
        List<PlanUserFacts.Pending> pending = facts.pending().stream().filter(e -> e.arrivedAtMs() >= graceFromMs).toList();
        return kept.size() == facts.plans().size() && pending.size() == facts.pending().size() ? facts
                : new PlanUserFacts(kept, pending);
    }

    /** The variant the user was on at {@code atMs}: their latest exposure at or before it; null before the first. */
    static String variantAt(Plan p, long atMs) {
        if (atMs < p.firstAtMs()) {
            return null;
        }
        String variant = null;
        for (Seen s : p.timeline()) {
            if (s.atMs() <= atMs) {
                variant = s.variant();
            } else {
                break;
            }
        }
        // older exposures than those kept: the first one is all that is known of that time
        return variant != null ? variant : p.firstVariant();
    }

    private static void activate(String planKey, Map<String, Long> active, String variant, long atMs, List<Delta> deltas) {
        Long previous = active.get(variant);
        if (previous == null || atMs > previous) {
            if (previous != null) {
                deltas.add(new Delta(planKey, previous, variant, Field.ACTIVE, null, -1));
            }
            deltas.add(new Delta(planKey, atMs, variant, Field.ACTIVE, null, 1));
            active.put(variant, atMs);
        }
    }

    /** Every figure a plan's user counts in, taken out (the plan is let go for a bound). */
    private static void forget(Plan p, List<Delta> deltas) {
        String planKey = p.planKey();
        deltas.add(new Delta(planKey, p.firstAtMs(), p.firstVariant(), Field.FIRST_EXPOSED, null, -1));
        Seen latest = p.latestExposure();
        if (latest != null) {
            deltas.add(new Delta(planKey, latest.atMs(), latest.variant(), Field.EXPOSED, null, -1));
        }
        p.active().forEach((variant, at) -> deltas.add(new Delta(planKey, at, variant, Field.ACTIVE, null, -1)));
        p.latest().forEach((slot, at) -> deltas.add(new Delta(planKey, at, PlanUserFacts.slotVariant(slot), Field.USERS,
                PlanUserFacts.slotEventKey(slot), -1)));
    }
}
