package io.flagplane.contract;

import io.flagplane.avro.ChangeInfo;
import io.flagplane.avro.DefinitionReplaced;
import io.flagplane.avro.Experiment;
import io.flagplane.avro.FlagArchived;
import io.flagplane.avro.FlagCreated;
import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.FlagDisabled;
import io.flagplane.avro.FlagEnabled;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagKilled;
import io.flagplane.avro.FlagPlanSet;
import io.flagplane.avro.FlagRestored;
import io.flagplane.avro.FlagRevived;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.MetadataChanged;
import io.flagplane.avro.RolloutChanged;
import io.flagplane.avro.Rule;
import io.flagplane.avro.RulesChanged;
import io.flagplane.avro.Serve;
import io.flagplane.avro.Target;
import io.flagplane.avro.TargetList;
import io.flagplane.avro.TargetsChanged;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What each event means for a flag: the one fold from {@code FlagEvent}s to {@code FlagState},
 * shared by the command-service (its consistent view) and the projection (the {@code flag-state}
 * topic), so the two can never disagree.
 *
 * <p>Pure and deterministic: the same events give byte-identical states (no clock, no
 * randomness). Version-gated: an event at or below the current version changes nothing, so a
 * duplicated or replayed event can never move a flag backwards.
 */
public final class FlagStateFold {

    static {
        AvroContract.trustGeneratedClasses();
    }

    /** What folding one event did. */
    public enum Outcome {
        /** The event moved the flag to its version. */
        APPLIED,
        /** The event was at or below the flag's version: a duplicate or a replay. Nothing changed. */
        STALE,
        /** The event cannot apply: a non-creation event for an unknown flag, or a second creation. */
        REJECTED
    }

    /**
     * The outcome and the state after it (the unchanged input unless APPLIED). {@code detail}
     * explains a STALE or REJECTED outcome, and is set on an APPLIED one that skipped versions
     * (which the single writer never produces; the fold moves forward anyway).
     */
    public record Result(Outcome outcome, FlagState state, String detail) {
    }

    private FlagStateFold() {
    }

    public static Result apply(FlagState current, FlagEvent event) {
        Object payload = event.getPayload();
        if (current == null) {
            if (payload instanceof FlagCreated created) {
                FlagState state = FlagState.newBuilder()
                        .setEnvironment(event.getEnvironment())
                        .setFlagKey(event.getFlagKey())
                        .setVersion(event.getVersion())
                        .setDefinition(FlagDefinition.newBuilder(created.getDefinition()).build())
                        .setEnabled(created.getEnabled())
                        .setKilled(false)
                        .setArchived(false)
                        .setCreatedAt(event.getOccurredAt())
                        .setLastChange(changeInfo(event))
                        .build();
                return new Result(Outcome.APPLIED, state, null);
            }
            return new Result(Outcome.REJECTED, null, typeOf(event) + " for flag " + event.getFlagKey()
                    + " that was never created");
        }
        if (event.getVersion() <= current.getVersion()) {
            return new Result(Outcome.STALE, current, "event version " + event.getVersion()
                    + " is not above the flag's version " + current.getVersion());
        }
        if (payload instanceof FlagCreated) {
            return new Result(Outcome.REJECTED, current, "flag " + event.getFlagKey() + " already exists");
        }
        // the new state shares every part the event does not change with the old one (no deep copy:
        // the fold runs once per event in every projection); a changed part is replaced, never
        // edited in place, so neither state ever sees the other's changes
        FlagDefinition definition = current.getDefinition();
        boolean enabled = current.getEnabled();
        boolean killed = current.getKilled();
        boolean archived = current.getArchived();
        List<Experiment> experiments = current.getExperiments();
        String plan = current.getPlan();
        if (ExperimentFold.handles(payload)) {
            Optional<ExperimentFold.Change> change = ExperimentFold.apply(experiments, definition, event);
            if (change.isEmpty()) {
                return new Result(Outcome.REJECTED, current, typeOf(event) + " names an experiment flag " + event.getFlagKey()
                        + " does not carry (or creates one it already carries)");
            }
            experiments = change.get().experiments();
            definition = change.get().definition();
        } else if (payload instanceof FlagPlanSet planSet) {
            plan = planSet.getPlanKey();
        } else if (payload instanceof DefinitionReplaced replaced) {
            definition = FlagDefinition.newBuilder(replaced.getDefinition()).build();
        } else if (payload instanceof FlagEnabled) {
            enabled = true;
        } else if (payload instanceof FlagDisabled) {
            enabled = false;
        } else if (payload instanceof FlagKilled) {
            killed = true;
        } else if (payload instanceof FlagRevived) {
            killed = false;
        } else if (payload instanceof FlagArchived) {
            archived = true;
        } else if (payload instanceof FlagRestored) {
            archived = false;
        } else if (payload instanceof RolloutChanged rollout) {
            definition = shallowCopy(definition);
            applyRollout(definition, rollout);
        } else if (payload instanceof TargetsChanged targets) {
            definition = shallowCopy(definition);
            applyTargets(definition, targets);
        } else if (payload instanceof RulesChanged rules) {
            definition = shallowCopy(definition);
            definition.setRules(new ArrayList<>(rules.getRules()));
        } else if (payload instanceof MetadataChanged metadata) {
            definition = shallowCopy(definition);
            definition.setDescription(metadata.getDescription());
            definition.setTags(new ArrayList<>(metadata.getTags()));
            definition.setOwner(metadata.getOwner());
        } else {
            return new Result(Outcome.REJECTED, current, "unknown event type " + typeOf(event));
        }
        FlagState next = new FlagState(current.getEnvironment(), current.getFlagKey(), event.getVersion(), definition, enabled,
                killed, archived, current.getCreatedAt(), changeInfo(event), experiments, plan);
        String gap = event.getVersion() == current.getVersion() + 1 ? null
                : "version gap: the flag was at " + current.getVersion() + ", the event is " + event.getVersion();
        return new Result(Outcome.APPLIED, next, gap);
    }

    /**
     * A new definition holding the same parts. Every field is listed (the all-arguments
     * constructor), so a field added to the schema breaks this line rather than being dropped.
     */
    private static FlagDefinition shallowCopy(FlagDefinition d) {
        return new FlagDefinition(d.getType(), d.getDescription(), d.getTags(), d.getOwner(), d.getVariants(), d.getOffVariant(),
                d.getRules(), d.getFallthrough(), d.getAllowList(), d.getDenyList(), d.getSalt(), d.getKind(), d.getLifetimeDays(), d.getMetadata(), d.getPrerequisites());
    }

    /** The payload's record name, e.g. {@code FlagKilled}. */
    public static String typeOf(FlagEvent event) {
        return event.getPayload().getClass().getSimpleName();
    }

    /** The metadata of the event that produced a state, as every fold records it. */
    public static ChangeInfo changeInfoOf(FlagEvent event) {
        return changeInfo(event);
    }

    private static ChangeInfo changeInfo(FlagEvent event) {
        return new ChangeInfo(event.getEventId(), typeOf(event), event.getOccurredAt(), event.getActor(),
                event.getReason(), event.getChangeSetId());
    }

    private static void applyRollout(FlagDefinition definition, RolloutChanged rollout) {
        Serve serve = Serve.newBuilder().setVariant(null).setSplit(rollout.getSplit()).build();
        if (rollout.getRuleId() == null) {
            definition.setFallthrough(serve);
            return;
        }
        List<Rule> rules = new ArrayList<>(definition.getRules());
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i).getId().equals(rollout.getRuleId())) {
                rules.set(i, Rule.newBuilder(rules.get(i)).setServe(serve).build());
            }
        }
        definition.setRules(rules);
    }

    /** Applies a target change to a definition in place (the caller owns the copy). */
    public static void applyTargets(FlagDefinition definition, TargetsChanged change) {
        if (change.getList() == TargetList.DENY) {
            Set<String> keys = new LinkedHashSet<>(definition.getDenyList());
            keys.removeAll(change.getRemoved());
            keys.addAll(change.getAdded());
            definition.setDenyList(new ArrayList<>(keys));
            return;
        }
        // a key is allowed for at most one variant: adding it to one takes it off the others
        List<Target> targets = new ArrayList<>();
        boolean found = false;
        for (Target target : definition.getAllowList()) {
            Set<String> keys = new LinkedHashSet<>(target.getKeys());
            keys.removeAll(change.getAdded());
            if (target.getVariant().equals(change.getVariant())) {
                found = true;
                keys.removeAll(change.getRemoved());
                keys.addAll(change.getAdded());
            }
            if (!keys.isEmpty()) {
                targets.add(new Target(target.getVariant(), new ArrayList<>(keys)));
            }
        }
        if (!found && !change.getAdded().isEmpty()) {
            targets.add(new Target(change.getVariant(), new ArrayList<>(new LinkedHashSet<>(change.getAdded()))));
        }
        definition.setAllowList(targets);
    }
}
