package io.flagplane.command.release;

import io.flagplane.avro.EnvironmentState;
import io.flagplane.avro.Experiment;
import io.flagplane.avro.ExperimentDefinition;
import io.flagplane.avro.ExperimentStatus;
import io.flagplane.avro.FlagState;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.log.CommandProcessor;
import io.flagplane.command.log.CommandRequest;
import io.flagplane.command.log.CommandResult;
import io.flagplane.command.log.WriteModel;
import io.flagplane.contract.AvroContract;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Launches experiments at their {@code launchAt} and stops them at their {@code stopAt} (without a
 * winner), as the actor {@code SYSTEM} with a reason naming the schedule. Runs beside the
 * change-request scheduler and acts only on the ready writer.
 *
 * <p>Exactly once: the step is decided against the experiment's state (only a draft is launched,
 * only a running or paused experiment stopped; a repeat writes nothing) and carries the flag version
 * it was planned against, so an edit in between makes it a version conflict, tried again on the next
 * tick against the new state. A step in flight is not submitted again meanwhile.
 *
 * <p>A due step the decider refuses for good (the split is gone, another experiment runs, the control
 * lost its traffic; or the stop time passed before the launch could happen) is logged, counted, and
 * left: it is not tried again for that instant. A refused launch also clears the draft's
 * {@code launchAt} (an update as {@code SYSTEM} whose reason says why), so the experiment shows it is
 * no longer scheduled and history says what happened; a new {@code launchAt} schedules it again.
 * Experiments of archived flags are never due.
 */
public final class ExperimentScheduler extends DueWorkScheduler {

    static {
        AvroContract.trustGeneratedClasses();   // Avro builders resolve defaults through the generated classes
    }

    private static final Logger LOG = LoggerFactory.getLogger(ExperimentScheduler.class);
    /** Failures that say nothing about the step itself: it is tried again on the next tick. */
    private static final Set<ErrorCode> TRANSIENT = EnumSet.of(ErrorCode.VERSION_CONFLICT, ErrorCode.UNAVAILABLE,
            ErrorCode.NOT_READY, ErrorCode.WRITER_STANDBY, ErrorCode.WRITER_FENCED, ErrorCode.INTERNAL);

    /** Told of each due step the writer refused for good (it is left, not retried): action is launch or stop. */
    public interface Listener {
        Listener NONE = (action, code) -> { };

        void refused(String action, ErrorCode code);
    }

    /** One due step: an experiment, what is due, and the instant it was due at. */
    private record Due(String environment, String experimentKey, Command.Kind kind, Instant at) {
        String action() {
            return kind == Command.Kind.LAUNCH_EXPERIMENT ? "launch" : "stop";
        }
    }

    private final Function<CommandRequest, CompletableFuture<CommandResult>> writer;
    private final WriteModel model;
    private final Listener listener;
    private final Set<Due> inFlight = ConcurrentHashMap.newKeySet();
    private final Set<Due> givenUp = ConcurrentHashMap.newKeySet();

    public ExperimentScheduler(CommandProcessor processor, WriteModel model, Clock clock, Listener listener) {
        this(processor::isReady, processor::submit, model, clock, listener);
    }

    /** @param writer submits a request to the single writer (tests: a writer without Kafka) */
    ExperimentScheduler(BooleanSupplier ready, Function<CommandRequest, CompletableFuture<CommandResult>> writer, WriteModel model,
                        Clock clock, Listener listener) {
        super("experiment-scheduler", LOG, "scheduled experiment launches and stops", ready, clock);
        this.writer = writer;
        this.model = model;
        this.listener = listener;
    }

    /** Submits every launch and stop that is due; returns how many it submitted. */
    @Override
    int submitDue(Instant now) {
        int submitted = 0;
        for (EnvironmentState environment : model.environments()) {
            if (environment.getArchived()) {
                continue;
            }
            for (FlagState flag : model.flags(environment.getName())) {
                if (flag.getArchived()) {
                    continue;
                }
                for (Experiment experiment : flag.getExperiments()) {
                    Due due = due(flag, experiment, now);
                    if (due == null || givenUp.contains(due) || !inFlight.add(due)) {
                        continue;
                    }
                    if (windowPassed(experiment, due, now)) {
                        // the writer was away for the whole window: a run that stops as it starts would measure nothing
                        refused(flag, experiment, due, new CommandException(ErrorCode.INVALID_STATE, "stopAt", "its stopAt ("
                                + experiment.getDefinition().getStopAt() + ") passed before it could be launched"));
                        inFlight.remove(due);
                        continue;
                    }
                    submitted++;
                    submit(flag, experiment, due);
                }
            }
        }
        return submitted;
    }

    private static Due due(FlagState flag, Experiment experiment, Instant now) {
        ExperimentDefinition definition = experiment.getDefinition();
        if (experiment.getStatus() == ExperimentStatus.DRAFT && definition.getLaunchAt() != null
                && !definition.getLaunchAt().isAfter(now)) {
            return new Due(flag.getEnvironment(), experiment.getKey(), Command.Kind.LAUNCH_EXPERIMENT, definition.getLaunchAt());
        }
        boolean live = experiment.getStatus() == ExperimentStatus.RUNNING || experiment.getStatus() == ExperimentStatus.PAUSED;
        if (live && definition.getStopAt() != null && !definition.getStopAt().isAfter(now)) {
            return new Due(flag.getEnvironment(), experiment.getKey(), Command.Kind.STOP_EXPERIMENT, definition.getStopAt());
        }
        return null;
    }

    private static boolean windowPassed(Experiment experiment, Due due, Instant now) {
        Instant stopAt = experiment.getDefinition().getStopAt();
        return due.kind() == Command.Kind.LAUNCH_EXPERIMENT && stopAt != null && !stopAt.isAfter(now);
    }

    private void submit(FlagState flag, Experiment experiment, Due due) {
        String reason = "scheduled " + due.action() + " of experiment " + experiment.getKey() + " at " + due.at();
        CommandRequest request = new CommandRequest(List.of(new Command.ExperimentStep(due.kind(), due.environment(),
                experiment.getKey(), null, flag.getVersion())), ChangeRequestScheduler.SCHEDULER, reason, null);
        try {
            writer.apply(request).whenComplete((result, failure) -> {
                try {
                    if (failure == null) {
                        LOG.info("{} in {}", reason, due.environment());
                        return;
                    }
                    Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                    if (cause instanceof CommandException refusal && !TRANSIENT.contains(refusal.code())) {
                        refused(flag, experiment, due, refusal);
                    } else {
                        LOG.debug("{} not applied yet, tried again on the next tick: {}", reason, cause.toString());
                    }
                } finally {
                    inFlight.remove(due);
                }
            });
        } catch (RuntimeException e) {
            inFlight.remove(due);
            LOG.warn("{} was not submitted: {}", reason, e.toString());
        }
    }

    /** A due step refused for good: logged, counted, never tried again for this instant; a launch's launchAt is cleared. */
    private void refused(FlagState flag, Experiment experiment, Due due, CommandException refusal) {
        givenUp.add(due);
        listener.refused(due.action(), refusal.code());
        String why = "scheduled " + due.action() + " of experiment " + experiment.getKey() + " at " + due.at() + " refused: "
                + refusal.code() + ": " + refusal.getMessage();
        LOG.warn("{} (in {}); it is left as it is and not tried again", why, due.environment());
        if (due.kind() != Command.Kind.LAUNCH_EXPERIMENT) {
            return;
        }
        ExperimentDefinition unscheduled = ExperimentDefinition.newBuilder(experiment.getDefinition()).setLaunchAt(null).build();
        CommandRequest clear = new CommandRequest(List.of(new Command.UpdateExperiment(due.environment(), experiment.getKey(),
                unscheduled, flag.getVersion())), ChangeRequestScheduler.SCHEDULER, why + "; launchAt cleared", null);
        try {
            writer.apply(clear).whenComplete((result, failure) -> {
                if (failure != null) {
                    LOG.warn("the launchAt of experiment {} in {} could not be cleared (it stays refused until it changes): {}",
                            experiment.getKey(), due.environment(), failure.toString());
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("the launchAt of experiment {} in {} could not be cleared: {}", experiment.getKey(), due.environment(),
                    e.toString());
        }
    }
}
