package io.flagplane.command.domain;

import io.flagplane.avro.DefinitionReplaced;
import io.flagplane.avro.FlagArchived;
import io.flagplane.avro.FlagCreated;
import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.FlagDisabled;
import io.flagplane.avro.FlagEnabled;
import io.flagplane.avro.FlagKilled;
import io.flagplane.avro.FlagRestored;
import io.flagplane.avro.FlagRevived;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.FlagType;
import io.flagplane.avro.MetadataChanged;
import io.flagplane.avro.RolloutChanged;
import io.flagplane.avro.Rule;
import io.flagplane.avro.RulesChanged;
import io.flagplane.avro.SegmentState;
import io.flagplane.avro.Serve;
import io.flagplane.avro.Split;
import io.flagplane.avro.TargetList;
import io.flagplane.avro.TargetsChanged;
import io.flagplane.avro.Variant;
import io.flagplane.avro.WeightedVariant;
import io.flagplane.contract.FlagRef;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Decides what a flag command becomes, given the flags (and the segments their rules name) as they
 * are. Pure: no I/O, no clock. Refuses with a {@link CommandException}; otherwise returns one
 * decision per flag, whose payload is null when the flag is already as asked (enabling an enabled
 * flag writes nothing). Kill by tag decides over every live flag with the tag.
 *
 * <p>Archived flags take no changes but a restore (and a kill, which is then a no-op: a kill is
 * never refused). A flag's prerequisites follow {@link PrerequisiteRules}: they name live flags
 * and their variants, never close a cycle, and a flag live flags depend on is not archived.
 *
 * <p>Experiments are flag-aggregate commands (they live on the flag and are versioned with it), but
 * their rules are {@link ExperimentRules}': this class hands experiment commands over, and asks it
 * whether a flag change is one a running experiment forbids.
 */
public final class FlagDecider {

    private FlagDecider() {
    }

    /** The checks of a flag command that do not depend on the current state. */
    static void precheck(Command command) {
        Predicate<String> anySegment = key -> true;
        if (command instanceof Command.CreateFlag create) {
            DefinitionRules.check(create.definition(), anySegment);
            PrerequisiteRules.checkShape(create.flag().key(), create.definition().getPrerequisites());
        } else if (command instanceof Command.ReplaceDefinition replace) {
            DefinitionRules.check(replace.definition(), anySegment);
            PrerequisiteRules.checkShape(replace.flag().key(), replace.definition().getPrerequisites());
        } else if (command instanceof Command.ReplaceRules rules) {
            for (int i = 0; i < rules.rules().size(); i++) {
                DefinitionRules.checkConditions(rules.rules().get(i).getConditions(), anySegment, "rules[" + i + "].conditions");
            }
        } else if (command instanceof Command.OnExperiment experiment) {
            ExperimentRules.precheck(experiment);
        }
    }

    /** Decides a command on one flag, or a kill by tag. */
    public static List<Decision> decide(ReadModel model, Command command) {
        // a kill is never refused for the environment's sake: an archived environment still takes it
        boolean isKill = command instanceof Command.Kill || command instanceof Command.KillByTag;
        EnvironmentDecider.requireDeclared(model, command.environment(), !isKill);
        if (command instanceof Command.KillByTag kill) {
            return PlanDecider.pausedByKills(model, killByTag(model, kill));   // a kill pauses the plans it stops
        }
        if (command instanceof Command.OnExperiment experiment) {
            return ExperimentRules.decide(model, experiment);
        }
        Command.OnFlag onFlag = (Command.OnFlag) command;
        Object payload = decideFlag(model, onFlag);
        // a running (or paused) experiment's arms and weights are fixed, and its flag stays live; a kill is never refused
        ExperimentRules.guardRunning(model.flag(onFlag.flag().environment(), onFlag.flag().key()), payload);
        List<Decision> decisions = List.of(new Decision(onFlag.flag(), payload));
        return isKill ? PlanDecider.pausedByKills(model, decisions) : decisions;
    }

    private static Object decideFlag(ReadModel model, Command.OnFlag command) {
        FlagRef target = command.flag();
        FlagState current = model.flag(target.environment(), target.key());
        Predicate<String> segmentUsable = key -> {
            SegmentState segment = model.segment(target.environment(), key);
            return segment != null && !segment.getArchived();
        };
        if (command instanceof Command.CreateFlag create) {
            if (current != null) {
                throw new CommandException(ErrorCode.FLAG_ALREADY_EXISTS, "key", target.describe() + " already exists",
                        current.getVersion());
            }
            DefinitionRules.check(create.definition(), segmentUsable);
            PrerequisiteRules.check(model, target, create.definition(), null);
            return new FlagCreated(create.definition(), create.enabled());
        }
        if (current == null) {
            throw new CommandException(ErrorCode.FLAG_NOT_FOUND, null, target.describe() + " does not exist");
        }
        command.requireVersion(current.getVersion(), target);
        if (current.getArchived()) {
            if (command instanceof Command.Restore) {
                return new FlagRestored();
            }
            if (command instanceof Command.Kill || command instanceof Command.Archive) {
                return null;
            }
            throw new CommandException(ErrorCode.INVALID_STATE, null, target.describe()
                    + " is archived; restore it before changing it", current.getVersion());
        }
        FlagDefinition definition = current.getDefinition();
        if (command instanceof Command.ReplaceDefinition replace) {
            FlagDefinition next = FlagDefinition.newBuilder(replace.definition()).setSalt(definition.getSalt()).build();
            DefinitionRules.check(next, segmentUsable);
            PrerequisiteRules.check(model, target, next, definition);
            if (!next.getVariants().equals(definition.getVariants())) {
                PrerequisiteRules.checkVariantsKept(model, target, next, current.getVersion());
            }
            return next.equals(definition) ? null : new DefinitionReplaced(next);
        }
        if (command instanceof Command.Enable) {
            return current.getEnabled() ? null : new FlagEnabled();
        }
        if (command instanceof Command.Disable) {
            return current.getEnabled() ? new FlagDisabled() : null;
        }
        if (command instanceof Command.Kill) {
            return current.getKilled() ? null : new FlagKilled();
        }
        if (command instanceof Command.Revive) {
            return current.getKilled() ? new FlagRevived() : null;
        }
        if (command instanceof Command.Archive) {
            PrerequisiteRules.checkArchive(model, target, current.getVersion());
            return new FlagArchived();
        }
        if (command instanceof Command.Restore) {
            return null;
        }
        if (command instanceof Command.SetRollout rollout) {
            return rollout(definition, rollout);
        }
        if (command instanceof Command.ChangeTargets targets) {
            return targets(definition, targets);
        }
        if (command instanceof Command.ReplaceRules rules) {
            DefinitionRules.checkRules(rules.rules(), variantKeys(definition), segmentUsable, "rules");
            FlagDefinition next = FlagDefinition.newBuilder(definition).setRules(rules.rules()).build();
            DefinitionRules.check(next, segmentUsable);
            return rules.rules().equals(definition.getRules()) ? null : new RulesChanged(rules.rules());
        }
        if (command instanceof Command.SetMetadata metadata) {
            // a field left out (null) keeps its value; an empty owner removes the owner
            String description = metadata.description() != null ? metadata.description() : definition.getDescription();
            List<String> tags = metadata.tags() != null ? metadata.tags() : definition.getTags();
            String owner = metadata.owner() == null ? definition.getOwner() : metadata.owner().isEmpty() ? null : metadata.owner();
            DefinitionRules.checkMetadata(description, tags, owner);
            boolean same = Objects.equals(description, definition.getDescription())
                    && tags.equals(definition.getTags()) && Objects.equals(owner, definition.getOwner());
            return same ? null : new MetadataChanged(description, tags, owner);
        }
        throw new IllegalArgumentException("unknown command " + command);
    }

    private static Object rollout(FlagDefinition definition, Command.SetRollout rollout) {
        String variant = rollout.variant() != null ? rollout.variant() : trueVariant(definition, "variant");
        Set<String> keys = variantKeys(definition);
        if (!keys.contains(variant)) {
            throw CommandException.invalid("variant", "variant '" + variant + "' does not exist (the flag has " + keys + ")");
        }
        if (definition.getOffVariant() == null) {   // the rest of a rollout is the off variant; this flag has none
            throw CommandException.invalid("variant", "the flag has no off variant to roll '" + variant
                    + "' out against; replace the definition with the split you want, or give the flag an offVariant");
        }
        if (variant.equals(definition.getOffVariant())) {
            throw CommandException.invalid("variant", "the rollout variant '" + variant
                    + "' is the off variant; roll out another variant");
        }
        Serve current = definition.getFallthrough();
        if (rollout.ruleId() != null) {
            current = definition.getRules().stream().filter(r -> r.getId().equals(rollout.ruleId())).map(Rule::getServe)
                    .findFirst().orElseThrow(() -> CommandException.invalid("ruleId", "the flag has no rule '" + rollout.ruleId()
                            + "' (it has " + definition.getRules().stream().map(Rule::getId).toList() + ")"));
        }
        String bucketBy = current.getSplit() == null ? null : current.getSplit().getBucketBy();
        Split split = new Split(List.of(new WeightedVariant(variant, rollout.basisPoints()),
                new WeightedVariant(definition.getOffVariant(), DefinitionRules.TOTAL_WEIGHT - rollout.basisPoints())), bucketBy);
        if (split.equals(current.getSplit())) {
            return null;
        }
        return new RolloutChanged(rollout.ruleId(), split);
    }

    private static Object targets(FlagDefinition definition, Command.ChangeTargets change) {
        DefinitionRules.checkKeys(change.added(), "add");
        DefinitionRules.checkKeys(change.removed(), "remove");
        Set<String> both = new HashSet<>(change.added());
        both.retainAll(change.removed());
        if (!both.isEmpty()) {
            throw CommandException.invalid("remove", "keys " + both + " are both added and removed");
        }
        String variant = null;
        Set<String> list = new LinkedHashSet<>();
        if (change.list() == TargetList.DENY) {
            list.addAll(definition.getDenyList());
        } else {
            variant = change.variant() != null ? change.variant() : trueVariant(definition, "variant");
            if (!variantKeys(definition).contains(variant)) {
                throw CommandException.invalid("variant", "variant '" + variant + "' does not exist");
            }
            String v = variant;
            definition.getAllowList().stream().filter(t -> t.getVariant().equals(v)).forEach(t -> list.addAll(t.getKeys()));
        }
        List<String> added = change.added().stream().filter(k -> !list.contains(k)).toList();
        List<String> removed = change.removed().stream().filter(list::contains).toList();
        if (added.isEmpty() && removed.isEmpty()) {
            return null;
        }
        TargetsChanged event = new TargetsChanged(change.list(), variant, added, removed);
        // check the resulting definition as a whole (list sizes, a key both allowed and denied)
        FlagDefinition next = FlagDefinition.newBuilder(definition).build();
        io.flagplane.contract.FlagStateFold.applyTargets(next, event);
        String field = change.list() == TargetList.DENY ? "denyList" : "allowList";
        try {
            DefinitionRules.check(next, key -> true);
        } catch (CommandException e) {
            throw CommandException.invalid("add", e.getMessage() + " (in the resulting " + field + ")");
        }
        return event;
    }

    /** The variant of a boolean flag whose value is {@code true}: what "on" means for rollouts and allow lists. */
    private static String trueVariant(FlagDefinition definition, String field) {
        if (definition.getType() != FlagType.BOOLEAN) {
            throw CommandException.invalid(field, "name the variant: the flag is not boolean, so there is no obvious 'on'");
        }
        return definition.getVariants().stream().filter(v -> v.getValueJson().equals("true")).map(Variant::getKey)
                .findFirst().orElseThrow(() -> CommandException.invalid(field, "the flag has no true variant"));
    }

    private static Set<String> variantKeys(FlagDefinition definition) {
        Set<String> keys = new LinkedHashSet<>();
        definition.getVariants().forEach(v -> keys.add(v.getKey()));
        return keys;
    }

    private static List<Decision> killByTag(ReadModel model, Command.KillByTag kill) {
        List<Decision> decisions = new ArrayList<>();
        for (FlagState flag : model.flags(kill.environment())) {
            if (!flag.getArchived() && flag.getDefinition().getTags().contains(kill.tag())) {
                decisions.add(new Decision(new FlagRef(kill.environment(), flag.getFlagKey()),
                        flag.getKilled() ? null : new FlagKilled()));
            }
        }
        if (decisions.isEmpty()) {
            throw new CommandException(ErrorCode.NO_MATCHING_FLAGS, "tag", "no live flag in environment '"
                    + kill.environment() + "' has the tag '" + kill.tag() + "'");
        }
        return decisions;
    }
}
