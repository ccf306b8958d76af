package io.flagplane.projection.guardrails;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;
import java.util.Map;

/**
 * What the guardrails keep about one user ({@code environment/targetingKey}): for each rollout plan
 * they were exposed to, when and to which variant, and the latest moment they were active on each
 * variant and sent each event key; and, while the user has no plan yet, the tracked events that
 * arrived before their first exposure may (they are counted when it comes, if they happened after it).
 * Immutable: the fold makes a new one. JSON in the store.
 *
 * @param plans   in the order first seen
 * @param pending tracked events held for a first exposure, oldest arrival first (empty once the user has a plan)
 */
public record PlanUserFacts(List<Plan> plans, List<Pending> pending) {

    public static final PlanUserFacts EMPTY = new PlanUserFacts(List.of(), List.of());

    public PlanUserFacts {
        plans = List.copyOf(plans);
        pending = pending == null ? List.of() : List.copyOf(pending);
    }

    public PlanUserFacts(List<Plan> plans) {
        this(plans, List.of());
    }

    @JsonIgnore
    public boolean isEmpty() {
        return plans.isEmpty() && pending.isEmpty();
    }

    /** A tracked event held until the user's first plan exposure arrives (or the grace period ends). */
    public record Pending(String eventKey, long atMs, long arrivedAtMs) {
    }

    public Plan plan(String planKey) {
        for (Plan p : plans) {
            if (p.planKey().equals(planKey)) {
                return p;
            }
        }
        return null;
    }

    /**
     * A user's exposures to one plan.
     *
     * @param planKey      {@code environment/plan:key}
     * @param firstAtMs    the earliest exposure (it never moves later; an earlier one arriving late moves it)
     * @param firstVariant the variant of the earliest exposure
     * @param timeline     the latest exposures, oldest first (each a distinct instant and variant), at most a few
     * @param active       per variant, the latest instant the user was exposed to it or sent an event attributed to it
     * @param latest       per {@link #eventSlot}, the latest instant the user sent that event key on that variant
     */
    public record Plan(String planKey, long firstAtMs, String firstVariant, List<Seen> timeline, Map<String, Long> active,
                       Map<String, Long> latest) {

        public Plan {
            timeline = List.copyOf(timeline);
            active = Map.copyOf(active);
            latest = Map.copyOf(latest);
        }

        /** The latest exposure, or null with none kept. */
        Seen latestExposure() {
            return timeline.isEmpty() ? null : timeline.get(timeline.size() - 1);
        }

        /** The latest instant of any exposure or attributed event. */
        long lastSeenMs() {
            long last = firstAtMs;
            for (long at : active.values()) {
                last = Math.max(last, at);
            }
            Seen latest = latestExposure();
            return latest == null ? last : Math.max(last, latest.atMs());
        }
    }

    /** One exposure: when, and to which variant. */
    public record Seen(long atMs, String variant) {
    }

    /** The key of one (variant, event key) in {@link Plan#latest}. */
    static String eventSlot(String variant, String eventKey) {
        return variant + GuardrailStores.SEPARATOR + eventKey;
    }

    static String slotVariant(String slot) {
        return slot.substring(0, slot.indexOf(GuardrailStores.SEPARATOR));
    }

    static String slotEventKey(String slot) {
        return slot.substring(slot.indexOf(GuardrailStores.SEPARATOR) + 1);
    }
}
