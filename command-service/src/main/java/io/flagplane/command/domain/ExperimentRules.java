package io.flagplane.command.domain;

import io.flagplane.avro.DefinitionReplaced;
import io.flagplane.avro.Experiment;
import io.flagplane.avro.ExperimentCreated;
import io.flagplane.avro.ExperimentDefinition;
import io.flagplane.avro.ExperimentLaunched;
import io.flagplane.avro.ExperimentMetric;
import io.flagplane.avro.ExperimentPaused;
import io.flagplane.avro.ExperimentResumed;
import io.flagplane.avro.ExperimentStatus;
import io.flagplane.avro.ExperimentStopped;
import io.flagplane.avro.ExperimentUpdated;
import io.flagplane.avro.FlagArchived;
import io.flagplane.avro.FlagCreated;
import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.FlagEnabled;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.MetricKind;
import io.flagplane.avro.RolloutChanged;
import io.flagplane.avro.Rule;
import io.flagplane.avro.RulesChanged;
import io.flagplane.avro.SegmentState;
import io.flagplane.avro.Serve;
import io.flagplane.avro.ValueAggregation;
import io.flagplane.avro.Variant;
import io.flagplane.avro.WeightedVariant;
import io.flagplane.contract.AvroContract;
import io.flagplane.contract.ExperimentFold;
import io.flagplane.contract.FlagRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The experiment rules of the flag aggregate (seed 003), kept apart from {@link FlagDecider} so
 * that it stays about flags: what an experiment command becomes against the flag as it is, and what
 * a running experiment forbids its flag. Pure, like the decider that delegates here.
 *
 * <p>An experiment measures one split of its flag (a rule's, or the fallthrough); the split's
 * variants are its arms. Lifecycle: DRAFT → RUNNING ⇄ PAUSED → STOPPED (final). Only a draft's
 * definition changes; a launch needs the split to exist with two or more variants that get traffic
 * (and the control among them) and no other experiment of the flag running or paused; a stop may
 * name a winning arm, which the fold then serves in place of the split. A repeat (launching a
 * running experiment, pausing a paused one, stopping a stopped one the same way) writes nothing,
 * as flag lifecycle repeats do.
 *
 * <p>While an experiment runs or is paused, its flag refuses any change to the measured split's
 * arms or weights (a rollout on it, rules or a definition that change its serve, a changed or
 * removed arm variant) and refuses to be archived, with {@code EXPERIMENT_RUNNING}. A kill, a
 * disable, targeting lists, conditions and metadata still apply: evaluators log an exposure only
 * when the result came from the split, so a killed or disabled flag simply measures nothing.
 */
public final class ExperimentRules {

    static {
        AvroContract.trustGeneratedClasses();   // Avro builders resolve defaults through the generated classes
    }

    public static final int MAX_SECONDARY_METRICS = 10;
    public static final int MIN_WINDOW_HOURS = 1;
    public static final int MAX_WINDOW_HOURS = 2_160;
    public static final long MAX_MINIMUM_SAMPLE = 1_000_000_000L;
    /** A flag keeps every experiment it ever carried (in its state on flag-state); this many at most. */
    public static final int MAX_EXPERIMENTS_PER_FLAG = 100;

    private ExperimentRules() {
    }

    // ------------------------------------------------------------------ state-independent checks

    /** Everything about an experiment command that does not depend on state. */
    static void precheck(Command.OnExperiment command) {
        if (command instanceof Command.CreateExperiment create) {
            Names.checkExperimentKey(create.experimentKey(), "key");
            Names.checkFlagKey(create.flagKey(), "flagKey");
            checkDefinition(create.definition());
            if (create.newFlag() != null) {
                DefinitionRules.check(create.newFlag(), key -> true);
            }
        } else if (command instanceof Command.UpdateExperiment update) {
            Names.checkExperimentKey(update.experimentKey(), "experiment");
            checkDefinition(update.definition());
        } else if (command instanceof Command.ExperimentStep step) {
            Names.checkExperimentKey(step.experimentKey(), "experiment");
            if (step.winner() != null) {
                Names.checkVariantKey(step.winner(), "winner");
            }
        }
    }

    /** A definition's own consistency: sizes, names, metrics, and a stop after the launch. */
    public static void checkDefinition(ExperimentDefinition definition) {
        if (definition.getDescription().length() > DefinitionRules.MAX_DESCRIPTION) {
            throw CommandException.invalid("description", "description is longer than " + DefinitionRules.MAX_DESCRIPTION
                    + " characters");
        }
        if (definition.getRuleId() != null && !DefinitionRules.RULE_ID.matcher(definition.getRuleId()).matches()) {
            throw CommandException.invalid("ruleId", "ruleId '" + Names.abbreviate(definition.getRuleId())
                    + "' is not a rule id: letters, digits, '_', '.' and '-' (at most 64 characters); leave it out to measure"
                    + " the fallthrough");
        }
        if (definition.getControlVariant() != null) {
            Names.checkVariantKey(definition.getControlVariant(), "controlVariant");
        }
        if (definition.getPrimaryMetric() == null) {
            throw CommandException.invalid("primaryMetric", "primaryMetric is required: {\"eventKey\": \"...\", \"kind\":"
                    + " \"conversion\"}");
        }
        checkMetric(definition.getPrimaryMetric(), "primaryMetric");
        List<ExperimentMetric> secondary = definition.getSecondaryMetrics();
        if (secondary.size() > MAX_SECONDARY_METRICS) {
            throw CommandException.invalid("secondaryMetrics", "an experiment has at most " + MAX_SECONDARY_METRICS
                    + " secondary metrics, not " + secondary.size());
        }
        List<ExperimentMetric> seen = new ArrayList<>();
        seen.add(sameness(definition.getPrimaryMetric()));
        for (int i = 0; i < secondary.size(); i++) {
            String path = "secondaryMetrics[" + i + "]";
            checkMetric(secondary.get(i), path);
            if (seen.contains(sameness(secondary.get(i)))) {
                throw CommandException.invalid(path, path + " measures what another metric of the experiment already measures ("
                        + secondary.get(i).getEventKey() + ", " + secondary.get(i).getKind().name().toLowerCase(Locale.ROOT) + ")");
            }
            seen.add(sameness(secondary.get(i)));
        }
        if (definition.getLaunchAt() != null && definition.getStopAt() != null
                && !definition.getStopAt().isAfter(definition.getLaunchAt())) {
            throw CommandException.invalid("stopAt", "stopAt (" + definition.getStopAt() + ") must be after launchAt ("
                    + definition.getLaunchAt() + ")");
        }
    }

    private static void checkMetric(ExperimentMetric metric, String path) {
        Names.checkTrackedEventKey(metric.getEventKey(), path + ".eventKey");
        if (metric.getWindowHours() < MIN_WINDOW_HOURS || metric.getWindowHours() > MAX_WINDOW_HOURS) {
            throw CommandException.invalid(path + ".windowHours", path + ".windowHours is the attribution window in whole hours, from "
                    + MIN_WINDOW_HOURS + " to " + MAX_WINDOW_HOURS + " (90 days), not " + metric.getWindowHours());
        }
        Long minimum = metric.getMinimumSample();
        if (minimum != null && (minimum < 1 || minimum > MAX_MINIMUM_SAMPLE)) {
            throw CommandException.invalid(path + ".minimumSample", path + ".minimumSample is a number of users per variant from 1 to "
                    + MAX_MINIMUM_SAMPLE + ", not " + minimum + " (leave it out for no minimum)");
        }
        if (metric.getKind() == MetricKind.CONVERSION && metric.getAggregation() != ValueAggregation.SUM) {
            throw CommandException.invalid(path + ".aggregation", "aggregation applies to value metrics; a conversion metric"
                    + " counts users who sent the event");
        }
    }

    /** What makes two metrics the same measurement: everything but the minimum sample. */
    private static ExperimentMetric sameness(ExperimentMetric metric) {
        return ExperimentMetric.newBuilder(metric).setMinimumSample(null).build();
    }

    // ------------------------------------------------------------------ deciding

    /** Decides an experiment command against the flags as they are: the decisions are on the experiment's flag. */
    static List<Decision> decide(ReadModel model, Command.OnExperiment command) {
        if (command instanceof Command.CreateExperiment create) {
            return create(model, create);
        }
        FlagRef ref = locate(model, command.environment(), command.experimentKey());
        FlagState flag = model.flag(ref.environment(), ref.key());
        command.requireVersion(flag.getVersion(), ref);
        Experiment experiment = ExperimentFold.named(flag.getExperiments(), command.experimentKey()).orElseThrow();
        if (flag.getArchived()) {
            throw new CommandException(ErrorCode.INVALID_STATE, null, ref.describe() + " is archived; restore it before changing"
                    + " its experiment '" + experiment.getKey() + "'", flag.getVersion());
        }
        if (command instanceof Command.UpdateExperiment update) {
            requireDraft(flag, experiment, "changed");
            checkAgainstFlag(flag.getDefinition(), update.definition());
            Object payload = update.definition().equals(experiment.getDefinition()) ? null
                    : new ExperimentUpdated(experiment.getKey(), update.definition());
            return List.of(new Decision(ref, payload));
        }
        Command.ExperimentStep step = (Command.ExperimentStep) command;
        return switch (step.kind()) {
            case LAUNCH_EXPERIMENT -> launch(ref, flag, experiment);
            case PAUSE_EXPERIMENT -> List.of(new Decision(ref, pause(flag, experiment)));
            case RESUME_EXPERIMENT -> List.of(new Decision(ref, resume(flag, experiment)));
            case STOP_EXPERIMENT -> List.of(new Decision(ref, stop(flag, experiment, step.winner())));
            default -> throw new IllegalArgumentException("not an experiment step: " + step.kind());
        };
    }

    /** The flag carrying an experiment; {@code EXPERIMENT_NOT_FOUND} when none does. */
    public static FlagRef locate(ReadModel model, String environment, String experimentKey) {
        String flagKey = model.experimentFlag(environment, experimentKey);
        if (flagKey == null) {
            throw new CommandException(ErrorCode.EXPERIMENT_NOT_FOUND, null, "experiment '" + experimentKey
                    + "' does not exist in environment '" + environment + "'");
        }
        return new FlagRef(environment, flagKey);
    }

    /**
     * The flag an experiment command touches, for the checks made at the door (approval policy,
     * versions a change request is drafted against); null when it is not known yet (an experiment
     * that an earlier command of the same request creates).
     */
    public static FlagRef flagOf(ReadModel model, Command.OnExperiment command) {
        if (command instanceof Command.CreateExperiment create) {
            return new FlagRef(create.environment(), create.flagKey());
        }
        String flagKey = model.experimentFlag(command.environment(), command.experimentKey());
        return flagKey == null ? null : new FlagRef(command.environment(), flagKey);
    }

    private static List<Decision> create(ReadModel model, Command.CreateExperiment create) {
        String environment = create.environment();
        FlagRef ref = new FlagRef(environment, create.flagKey());
        String taken = model.experimentFlag(environment, create.experimentKey());
        if (taken != null) {
            throw new CommandException(ErrorCode.EXPERIMENT_ALREADY_EXISTS, "key", "experiment '" + create.experimentKey()
                    + "' already exists in environment '" + environment + "' (on flag '" + taken + "'); experiment keys are"
                    + " unique per environment, stopped experiments included");
        }
        FlagState flag = model.flag(environment, create.flagKey());
        ExperimentCreated created = new ExperimentCreated(create.experimentKey(), create.definition());
        if (create.newFlag() != null) {
            if (flag != null) {
                throw new CommandException(ErrorCode.FLAG_ALREADY_EXISTS, "flagKey", ref.describe() + " already exists; name it"
                        + " as flagKey without variants to run the experiment on its split", flag.getVersion());
            }
            Predicate<String> segmentUsable = key -> {
                SegmentState segment = model.segment(environment, key);
                return segment != null && !segment.getArchived();
            };
            DefinitionRules.check(create.newFlag(), segmentUsable);
            checkAgainstFlag(create.newFlag(), create.definition());
            return List.of(new Decision(ref, new FlagCreated(create.newFlag(), false)), new Decision(ref, created));
        }
        if (flag == null) {
            throw new CommandException(ErrorCode.FLAG_NOT_FOUND, "flagKey", ref.describe() + " does not exist (create it"
                    + " first, or give variants with weights to create it with the experiment)");
        }
        if (flag.getArchived()) {
            throw new CommandException(ErrorCode.INVALID_STATE, "flagKey", ref.describe() + " is archived; restore it before"
                    + " running an experiment on it", flag.getVersion());
        }
        if (flag.getExperiments().size() >= MAX_EXPERIMENTS_PER_FLAG) {
            throw new CommandException(ErrorCode.INVALID_STATE, "flagKey", ref.describe() + " has carried "
                    + MAX_EXPERIMENTS_PER_FLAG + " experiments, the most a flag keeps; run the next one on a new flag",
                    flag.getVersion());
        }
        checkAgainstFlag(flag.getDefinition(), create.definition());
        return List.of(new Decision(ref, created));
    }

    /** What a draft may name of its flag: the control must be one of the flag's variants (the split is checked at launch). */
    private static void checkAgainstFlag(FlagDefinition flag, ExperimentDefinition definition) {
        String control = definition.getControlVariant();
        if (control != null && flag.getVariants().stream().noneMatch(v -> v.getKey().equals(control))) {
            throw CommandException.invalid("controlVariant", "controlVariant '" + control + "' is not a variant of the flag (it has "
                    + flag.getVariants().stream().map(Variant::getKey).toList() + ")");
        }
    }

    private static List<Decision> launch(FlagRef ref, FlagState flag, Experiment experiment) {
        switch (experiment.getStatus()) {
            case RUNNING:
                return List.of(new Decision(ref, null));
            case PAUSED:
                throw conflict(ErrorCode.EXPERIMENT_NOT_DRAFT, flag, experiment, "is paused; resume it instead");
            case STOPPED:
                throw stopped(flag, experiment, "launched again");
            default:
                break;
        }
        Optional<Experiment> other = ExperimentFold.active(flag.getExperiments());
        if (other.isPresent()) {
            throw new CommandException(ErrorCode.EXPERIMENT_ALREADY_RUNNING, null, "flag '" + flag.getFlagKey() + "' already runs"
                    + " experiment '" + other.get().getKey() + "' (" + status(other.get()) + "); a flag runs one experiment at a"
                    + " time: stop it first", flag.getVersion(), List.of(other.get().getKey()));
        }
        List<WeightedVariant> arms = measuredSplit(flag.getDefinition(), experiment);
        List<Decision> decisions = new ArrayList<>();
        decisions.add(new Decision(ref, new ExperimentLaunched(experiment.getKey(), arms)));
        if (!flag.getEnabled()) {
            // a disabled flag serves its off variant to everyone and the experiment would measure nothing;
            // enabled after the launch, so every result served from the split carries a version it is measured at
            decisions.add(new Decision(ref, new FlagEnabled()));
        }
        return decisions;
    }

    /** The arms a launch fixes: the measured split, which must exist, with two or more arms getting traffic, the control among them. */
    private static List<WeightedVariant> measuredSplit(FlagDefinition definition, Experiment experiment) {
        String ruleId = experiment.getDefinition().getRuleId();
        String where = where(ruleId);
        Optional<Serve> serve = measuredServe(definition, ruleId);
        if (serve.isEmpty()) {
            throw new CommandException(ErrorCode.EXPERIMENT_SPLIT_INVALID, "ruleId", "experiment '" + experiment.getKey()
                    + "' measures rule '" + ruleId + "', which the flag does not have (it has "
                    + definition.getRules().stream().map(Rule::getId).toList() + "); update the draft's ruleId");
        }
        if (serve.get().getSplit() == null) {
            throw new CommandException(ErrorCode.EXPERIMENT_SPLIT_INVALID, null, "experiment '" + experiment.getKey() + "' measures "
                    + where + ", which serves the one variant '" + serve.get().getVariant() + "', not a split; give it a split"
                    + " of two or more variants first (PUT the definition, or PATCH …/rollout)");
        }
        List<WeightedVariant> arms = serve.get().getSplit().getVariants();
        List<String> withTraffic = arms.stream().filter(a -> a.getWeight() > 0).map(WeightedVariant::getVariant).toList();
        if (withTraffic.size() < 2) {
            throw new CommandException(ErrorCode.EXPERIMENT_SPLIT_INVALID, null, "experiment '" + experiment.getKey() + "' measures "
                    + where + ", whose split gives traffic to " + withTraffic + "; an experiment needs two or more arms");
        }
        String control = experiment.getDefinition().getControlVariant();
        if (control != null && !withTraffic.contains(control)) {
            throw new CommandException(ErrorCode.EXPERIMENT_SPLIT_INVALID, "controlVariant", "the control variant '" + control
                    + "' gets no traffic from " + where + " (its arms are " + withTraffic + ")");
        }
        return new ArrayList<>(arms);
    }

    private static Object pause(FlagState flag, Experiment experiment) {
        return switch (experiment.getStatus()) {
            case RUNNING -> new ExperimentPaused(experiment.getKey());
            case PAUSED -> null;
            case DRAFT -> throw conflict(ErrorCode.EXPERIMENT_NOT_RUNNING, flag, experiment, "is a draft; launch it before pausing it");
            case STOPPED -> throw stopped(flag, experiment, "paused");
        };
    }

    private static Object resume(FlagState flag, Experiment experiment) {
        return switch (experiment.getStatus()) {
            case PAUSED -> new ExperimentResumed(experiment.getKey());
            case RUNNING -> null;
            case DRAFT -> throw conflict(ErrorCode.EXPERIMENT_NOT_RUNNING, flag, experiment, "is a draft; launch it");
            case STOPPED -> throw stopped(flag, experiment, "resumed");
        };
    }

    private static Object stop(FlagState flag, Experiment experiment, String winner) {
        switch (experiment.getStatus()) {
            case DRAFT:
                throw conflict(ErrorCode.EXPERIMENT_NOT_RUNNING, flag, experiment, "is a draft and never ran; there is nothing to"
                        + " stop (update it, or leave it)");
            case STOPPED:
                if (winner == null || winner.equals(experiment.getWinner())) {
                    return null;
                }
                throw stopped(flag, experiment, "stopped again with another winner");
            default:
                break;
        }
        if (winner != null && experiment.getArms().stream().noneMatch(a -> a.getVariant().equals(winner))) {
            throw CommandException.invalid("winner", "winner '" + winner + "' is not an arm of experiment '" + experiment.getKey()
                    + "' (its arms are " + experiment.getArms().stream().map(WeightedVariant::getVariant).toList() + ")");
        }
        return new ExperimentStopped(experiment.getKey(), winner);
    }

    private static void requireDraft(FlagState flag, Experiment experiment, String what) {
        if (experiment.getStatus() == ExperimentStatus.STOPPED) {
            throw stopped(flag, experiment, what);
        }
        if (experiment.getStatus() != ExperimentStatus.DRAFT) {
            throw conflict(ErrorCode.EXPERIMENT_NOT_DRAFT, flag, experiment, "was launched (" + status(experiment)
                    + "); only a draft can be " + what + ": stop it and draft a new experiment");
        }
    }

    // ------------------------------------------------------------------ what a running experiment forbids its flag

    /**
     * Refuses a flag change ({@code payload}, already decided) that would change the arms or weights
     * of the split a running or paused experiment measures, or archive its flag.
     */
    static void guardRunning(FlagState current, Object payload) {
        if (current == null || payload == null) {
            return;
        }
        Optional<Experiment> active = ExperimentFold.active(current.getExperiments());
        if (active.isEmpty()) {
            return;
        }
        Experiment experiment = active.get();
        String ruleId = experiment.getDefinition().getRuleId();
        FlagDefinition definition = current.getDefinition();
        if (payload instanceof FlagArchived) {
            throw running(current, experiment, null, "the flag cannot be archived");
        }
        if (payload instanceof RolloutChanged rollout && Objects.equals(rollout.getRuleId(), ruleId)) {
            throw running(current, experiment, "percentage", "the split of " + where(ruleId) + " cannot be changed");
        }
        if (payload instanceof RulesChanged rules && ruleId != null) {
            FlagDefinition next = FlagDefinition.newBuilder(definition).setRules(rules.getRules()).build();
            if (!measuredServe(next, ruleId).equals(measuredServe(definition, ruleId))) {
                throw running(current, experiment, "rules", "rule '" + ruleId + "' must stay, serving the same split");
            }
        }
        if (payload instanceof DefinitionReplaced replaced) {
            FlagDefinition next = replaced.getDefinition();
            if (!measuredServe(next, ruleId).equals(measuredServe(definition, ruleId))) {
                throw running(current, experiment, ruleId == null ? "fallthrough" : "rules",
                        where(ruleId) + " must keep serving the same split");
            }
            for (WeightedVariant arm : experiment.getArms()) {
                if (!valueOf(next, arm.getVariant()).equals(valueOf(definition, arm.getVariant()))) {
                    throw running(current, experiment, "variants", "the arm '" + arm.getVariant() + "' must keep its value");
                }
            }
        }
    }

    private static Optional<String> valueOf(FlagDefinition definition, String variant) {
        return definition.getVariants().stream().filter(v -> v.getKey().equals(variant)).map(Variant::getValueJson).findFirst();
    }

    /** What a rule (or, for a null id, the fallthrough) serves; empty when the flag has no such rule. */
    static Optional<Serve> measuredServe(FlagDefinition definition, String ruleId) {
        if (ruleId == null) {
            return Optional.of(definition.getFallthrough());
        }
        return definition.getRules().stream().filter(r -> r.getId().equals(ruleId)).map(Rule::getServe).findFirst();
    }

    private static CommandException running(FlagState flag, Experiment experiment, String field, String what) {
        return new CommandException(ErrorCode.EXPERIMENT_RUNNING, field, "experiment '" + experiment.getKey() + "' is "
                + status(experiment) + " on " + where(experiment.getDefinition().getRuleId()) + " of flag '" + flag.getFlagKey()
                + "': " + what + " while it runs or is paused (a kill still works); stop it first: POST /api/v1/environments/"
                + flag.getEnvironment() + "/experiments/" + experiment.getKey() + "/stop", flag.getVersion(),
                List.of(experiment.getKey()));
    }

    private static CommandException conflict(ErrorCode code, FlagState flag, Experiment experiment, String what) {
        return new CommandException(code, null, "experiment '" + experiment.getKey() + "' " + what, flag.getVersion());
    }

    private static CommandException stopped(FlagState flag, Experiment experiment, String what) {
        return new CommandException(ErrorCode.EXPERIMENT_STOPPED, null, "experiment '" + experiment.getKey() + "' is stopped,"
                + " which is final: it cannot be " + what + "; draft a new experiment to measure again", flag.getVersion());
    }

    private static String where(String ruleId) {
        return ruleId == null ? "the fallthrough" : "rule '" + ruleId + "'";
    }

    private static String status(Experiment experiment) {
        return experiment.getStatus().name().toLowerCase(Locale.ROOT);
    }
}
