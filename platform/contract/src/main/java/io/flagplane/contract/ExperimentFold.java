package io.flagplane.contract;

import io.flagplane.avro.Experiment;
import io.flagplane.avro.ExperimentCreated;
import io.flagplane.avro.ExperimentLaunched;
import io.flagplane.avro.ExperimentPaused;
import io.flagplane.avro.ExperimentResumed;
import io.flagplane.avro.ExperimentStatus;
import io.flagplane.avro.ExperimentStopped;
import io.flagplane.avro.ExperimentUpdated;
import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.Rule;
import io.flagplane.avro.Serve;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the experiment events mean for the flag that carries them: the experiment part of
 * {@link FlagStateFold}. The deciders check the lifecycle (DRAFT -> RUNNING <-> PAUSED -> STOPPED);
 * this fold only records it, so an event that names no known experiment is rejected, not guessed.
 */
public final class ExperimentFold {

    private ExperimentFold() {
    }

    /** Whether the payload is one of the experiment events. */
    public static boolean handles(Object payload) {
        return payload instanceof ExperimentCreated || payload instanceof ExperimentUpdated
                || payload instanceof ExperimentLaunched || payload instanceof ExperimentPaused
                || payload instanceof ExperimentResumed || payload instanceof ExperimentStopped;
    }

    /**
     * The experiments after the event, and the definition after it (a stop with a winner replaces
     * the measured split with the winner). Empty when the event names an experiment the flag does
     * not carry, or creates one it already carries.
     */
    static Optional<Change> apply(List<Experiment> experiments, FlagDefinition definition, FlagEvent event) {
        Object payload = event.getPayload();
        List<Experiment> next = new ArrayList<>(experiments);
        if (payload instanceof ExperimentCreated created) {
            if (find(experiments, created.getExperimentKey()) >= 0) {
                return Optional.empty();
            }
            next.add(Experiment.newBuilder()
                    .setKey(created.getExperimentKey())
                    .setStatus(ExperimentStatus.DRAFT)
                    .setDefinition(created.getDefinition())
                    .setCreatedAt(event.getOccurredAt())
                    .build());
            return Optional.of(new Change(next, definition));
        }
        String key = keyOf(payload);
        int at = find(experiments, key);
        if (at < 0) {
            return Optional.empty();
        }
        Experiment.Builder experiment = Experiment.newBuilder(experiments.get(at));
        FlagDefinition nextDefinition = definition;
        if (payload instanceof ExperimentUpdated updated) {
            experiment.setDefinition(updated.getDefinition());
        } else if (payload instanceof ExperimentLaunched launched) {
            experiment.setStatus(ExperimentStatus.RUNNING)
                    .setLaunchedAt(event.getOccurredAt())
                    .setLaunchedAtVersion(event.getVersion())
                    .setArms(new ArrayList<>(launched.getArms()));
        } else if (payload instanceof ExperimentPaused) {
            experiment.setStatus(ExperimentStatus.PAUSED);
        } else if (payload instanceof ExperimentResumed) {
            experiment.setStatus(ExperimentStatus.RUNNING);
        } else if (payload instanceof ExperimentStopped stopped) {
            experiment.setStatus(ExperimentStatus.STOPPED)
                    .setStoppedAt(event.getOccurredAt())
                    .setWinner(stopped.getWinner());
            if (stopped.getWinner() != null) {
                nextDefinition = serveWinner(definition, experiment.getDefinition().getRuleId(), stopped.getWinner());
            }
        }
        next.set(at, experiment.build());
        return Optional.of(new Change(next, nextDefinition));
    }

    /** The experiment of a flag that is RUNNING or PAUSED, if any (at most one is). */
    public static Optional<Experiment> active(List<Experiment> experiments) {
        for (Experiment experiment : experiments) {
            if (experiment.getStatus() == ExperimentStatus.RUNNING || experiment.getStatus() == ExperimentStatus.PAUSED) {
                return Optional.of(experiment);
            }
        }
        return Optional.empty();
    }

    /** The flag's experiment with that key, if it carries one. */
    public static Optional<Experiment> named(List<Experiment> experiments, String key) {
        int at = find(experiments, key);
        return at < 0 ? Optional.empty() : Optional.of(experiments.get(at));
    }

    private static int find(List<Experiment> experiments, String key) {
        for (int i = 0; i < experiments.size(); i++) {
            if (experiments.get(i).getKey().equals(key)) {
                return i;
            }
        }
        return -1;
    }

    private static String keyOf(Object payload) {
        if (payload instanceof ExperimentUpdated p) {
            return p.getExperimentKey();
        }
        if (payload instanceof ExperimentLaunched p) {
            return p.getExperimentKey();
        }
        if (payload instanceof ExperimentPaused p) {
            return p.getExperimentKey();
        }
        if (payload instanceof ExperimentResumed p) {
            return p.getExperimentKey();
        }
        if (payload instanceof ExperimentStopped p) {
            return p.getExperimentKey();
        }
        throw new IllegalArgumentException("not an experiment event: " + payload.getClass().getSimpleName());
    }

    /** The definition with the measured split (a rule's, or the fallthrough) serving one variant. */
    private static FlagDefinition serveWinner(FlagDefinition definition, String ruleId, String winner) {
        Serve serve = Serve.newBuilder().setVariant(winner).setSplit(null).build();
        FlagDefinition copy = FlagDefinition.newBuilder(definition).build();
        if (ruleId == null) {
            copy.setFallthrough(serve);
            return copy;
        }
        List<Rule> rules = new ArrayList<>(definition.getRules());
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i).getId().equals(ruleId)) {
                rules.set(i, Rule.newBuilder(rules.get(i)).setServe(serve).build());
            }
        }
        copy.setRules(rules);
        return copy;
    }

    /** The experiments and definition after an experiment event. */
    record Change(List<Experiment> experiments, FlagDefinition definition) {
    }
}
