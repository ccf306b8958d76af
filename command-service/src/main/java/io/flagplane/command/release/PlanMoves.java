package io.flagplane.command.release;

import static io.flagplane.command.release.ReleaseController.CONTROLLER;

import io.flagplane.avro.BreachAction;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.Guardrail;
import io.flagplane.avro.GuardrailReading;
import io.flagplane.avro.GuardrailVerdict;
import io.flagplane.avro.PlanStatus;
import io.flagplane.avro.PlanStep;
import io.flagplane.avro.ReleaseSignal;
import io.flagplane.avro.RollbackAction;
import io.flagplane.avro.RolloutPlanDefinition;
import io.flagplane.avro.RolloutPlanState;
import io.flagplane.command.domain.ReadModel;
import io.flagplane.command.http.PlanChangeSets;
import io.flagplane.command.log.CommandRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The release controller's gates: what is due for one plan at an instant, given the plan, its flags,
 * the latest guardrail verdict read for it and the clock's now. Reads, never writes: the move it
 * returns is a request built against the plan's version ({@link PlanChangeSets}), which the writer
 * decides again.
 */
final class PlanMoves {

    /**
     * One thing to do to a plan: {@code action} as metrics and logs name it (start, advance, complete,
     * await, pause, rollback, hold), the request to send (null for a breach that only holds the step),
     * and for a breach what it does and the verdict it answers.
     */
    record Move(String action, CommandRequest request, BreachAction breach, String signalId) {
    }

    private final ReadModel model;
    private final Duration freshFor;

    /** @param freshFor how long a verdict counts (three evaluation intervals) */
    PlanMoves(ReadModel model, Duration freshFor) {
        this.model = model;
        this.freshFor = freshFor;
    }

    /**
     * What is due for one plan at {@code now}, or null: {@code latest} is the latest verdict read for
     * it (any step), {@code actedOn} the id of the verdict whose breach was last acted on.
     */
    Move next(RolloutPlanState plan, ReleaseSignal latest, String actedOn, Instant now) {
        RolloutPlanDefinition definition = plan.getDefinition();
        if (plan.getStatus() == PlanStatus.DRAFT) {
            Instant startAt = definition.getStartAt();
            if (startAt == null || startAt.isAfter(now)) {
                return null;
            }
            return new Move("start", PlanChangeSets.start(plan, CONTROLLER, "release controller: rollout plan " + plan.getKey()
                    + " started at its startAt (" + startAt + ")"), null, null);
        }
        if (plan.getStatus() != PlanStatus.RUNNING || plan.getCurrentStep() < 0 || !flagsLive(plan)) {
            return null;   // a kill paused the plan in the kill's own change set; nothing moves while a flag is down
        }
        PlanStep step = definition.getSteps().get(plan.getCurrentStep());
        ReleaseSignal signal = fresh(latest, plan, now);
        Move breach = breach(plan, step, signal, actedOn);
        if (breach != null || (signal != null && breached(plan, signal) != null)) {
            return breach;   // a breach held (or already acted on) keeps the step where it is
        }
        Duration held = Duration.between(plan.getStepStartedAt(), now);
        Duration hold = Duration.ofSeconds(step.getHoldSeconds());
        if (held.compareTo(hold) < 0) {
            return null;
        }
        List<String> gates = new ArrayList<>();
        gates.add("held " + duration(held) + " (needs " + duration(hold) + ")");
        if (!definition.getGuardrails().isEmpty()) {
            if (signal == null) {
                return null;
            }
            for (Guardrail guardrail : definition.getGuardrails()) {
                GuardrailReading reading = reading(signal, guardrail.getName());
                if (reading == null || reading.getVerdict() != GuardrailVerdict.HEALTHY) {
                    return null;
                }
                gates.add(guardrail.getName() + ": " + reading.getSummary());
            }
        }
        if (step.getMinimumSample() > 0) {
            long exposed = signal == null ? 0 : signal.getExposedUsers().values().stream().mapToLong(Long::longValue).sum();
            if (exposed < step.getMinimumSample()) {
                return null;
            }
            gates.add(String.format(Locale.ROOT, "%,d exposed users (needs %,d)", exposed, step.getMinimumSample()));
        }
        String summary = String.join("; ", gates);
        boolean last = plan.getCurrentStep() == definition.getSteps().size() - 1;
        if (step.getManualApproval() && !plan.getStepApproved()) {
            if (plan.getAwaitingApproval()) {
                return null;
            }
            return new Move("await", PlanChangeSets.awaitApproval(plan, summary, CONTROLLER, "release controller: step "
                    + step.getName() + " passed its gates (" + summary + "); waiting for a person's go"), null, null);
        }
        if (last) {
            return new Move("complete", PlanChangeSets.complete(plan, "step " + step.getName() + ", the last, passed its gates: "
                    + summary, CONTROLLER, "release controller: last step " + step.getName() + " passed its gates (" + summary
                    + "); plan completed"), null, null);
        }
        String next = definition.getSteps().get(plan.getCurrentStep() + 1).getName();
        return new Move("advance", PlanChangeSets.advance(plan, CONTROLLER, "release controller: step " + step.getName()
                + " passed its gates (" + summary + "); starting step " + next), null, null);
    }

    /** The latest verdict, when it is for the plan's current step and fresh; null otherwise. */
    private ReleaseSignal fresh(ReleaseSignal signal, RolloutPlanState plan, Instant now) {
        if (signal == null || signal.getStep() != plan.getCurrentStep() || plan.getStepStartedAt() == null
                || signal.getStepStartedAt().toEpochMilli() != plan.getStepStartedAt().toEpochMilli()) {
            return null;
        }
        return Duration.between(signal.getEvaluatedAt(), now).compareTo(freshFor) > 0 ? null : signal;
    }

    /** The first breached reading of one of the plan's guardrails, or null. */
    private static GuardrailReading breached(RolloutPlanState plan, ReleaseSignal signal) {
        for (GuardrailReading reading : signal.getReadings()) {
            if (reading.getVerdict() == GuardrailVerdict.BREACHED && guardrail(plan, reading.getGuardrail()) != null) {
                return reading;
            }
        }
        return null;
    }

    /** What a breach in a fresh verdict calls for, once per verdict; null when there is none (or it was acted on). */
    private Move breach(RolloutPlanState plan, PlanStep step, ReleaseSignal signal, String actedOn) {
        if (signal == null) {
            return null;
        }
        GuardrailReading reading = breached(plan, signal);
        if (reading == null || signal.getSignalId().equals(actedOn)) {
            return null;
        }
        Guardrail guardrail = guardrail(plan, reading.getGuardrail());
        String breach = "step " + step.getName() + ": " + guardrail.getName() + ": " + summaryOf(reading);
        return switch (guardrail.getOnBreach()) {
            case ROLLBACK -> {
                RollbackAction action = plan.getDefinition().getRollbackAction();
                String why = breach + "; rolled back (" + action + ")";
                yield new Move("rollback", PlanChangeSets.rollBack(model, plan, action, guardrail.getName(), why, CONTROLLER,
                        "release controller: " + why), BreachAction.ROLLBACK, signal.getSignalId());
            }
            case PAUSE -> {
                String why = breach + "; paused";
                yield new Move("pause", PlanChangeSets.pause(plan, why, CONTROLLER, "release controller: " + why),
                        BreachAction.PAUSE, signal.getSignalId());
            }
            case HOLD -> new Move("hold", null, BreachAction.HOLD, signal.getSignalId());
        };
    }

    /** The reading's own words; figures and limit when it has none. */
    private static String summaryOf(GuardrailReading reading) {
        if (reading.getSummary() != null && !reading.getSummary().isBlank()) {
            return reading.getSummary();
        }
        return reading.getKind().name().toLowerCase(Locale.ROOT) + " " + reading.getObserved() + " over the limit " + reading.getLimit()
                + " (sample " + reading.getSample() + ")";
    }

    private static Guardrail guardrail(RolloutPlanState plan, String name) {
        for (Guardrail guardrail : plan.getDefinition().getGuardrails()) {
            if (guardrail.getName().equals(name)) {
                return guardrail;
            }
        }
        return null;
    }

    private static GuardrailReading reading(ReleaseSignal signal, String guardrail) {
        for (GuardrailReading reading : signal.getReadings()) {
            if (reading.getGuardrail().equals(guardrail)) {
                return reading;
            }
        }
        return null;
    }

    private boolean flagsLive(RolloutPlanState plan) {
        for (String key : plan.getDefinition().getFlagKeys()) {
            FlagState flag = model.flag(plan.getEnvironment(), key);
            if (flag == null || flag.getArchived() || flag.getKilled()) {
                return false;
            }
        }
        return true;
    }

    /** A duration as people read it: {@code 3 d}, {@code 72 h 5 min}, {@code 10 min}, {@code 45 s} (two largest units). */
    static String duration(Duration d) {
        long s = Math.max(0, d.getSeconds());
        long[] sizes = {86_400, 3_600, 60, 1};
        String[] units = {"d", "h", "min", "s"};
        for (int i = 0; i < sizes.length; i++) {
            long n = s / sizes[i];
            if (n > 0) {
                long rest = i + 1 < sizes.length ? (s % sizes[i]) / sizes[i + 1] : 0;
                return n + " " + units[i] + (rest > 0 ? " " + rest + " " + units[i + 1] : "");
            }
        }
        return "0 s";
    }
}
