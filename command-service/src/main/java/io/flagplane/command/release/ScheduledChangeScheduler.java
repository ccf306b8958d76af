package io.flagplane.command.release;

import io.flagplane.avro.Actor;
import io.flagplane.avro.EnvironmentState;
import io.flagplane.avro.ScheduledChangeState;
import io.flagplane.avro.ScheduledChangeStatus;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.http.ScheduledChangeApply;
import io.flagplane.command.log.CommandProcessor;
import io.flagplane.command.log.CommandRequest;
import io.flagplane.command.log.CommandResult;
import io.flagplane.command.log.WriteModel;
import io.flagplane.contract.ScheduleRef;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The release controller's part that applies scheduled changes when they are due: the change's
 * commands and its {@code ScheduledChangeApplied}, in one change set, as the actor {@code SYSTEM}
 * ({@code release-controller}) with a reason naming the change. Runs on every instance and acts
 * only on the ready writer.
 *
 * <p>Exactly once: the apply is decided against the version this controller read, and a change
 * already applied (or failed, or cancelled) is refused by its decider, so a retry, an overlapping
 * tick or a standby that takes over mid-apply cannot apply it twice: a write the old writer had
 * not committed when it was fenced is not in the log, so the new writer finds the change pending
 * and applies it; one it had committed is in the log the new writer reads before it acts. A change
 * in flight is not submitted again meanwhile.
 *
 * <p>Never silently over something that moved: when its decider refuses the apply (something it
 * touches moved and it did not say {@code applyIfMoved}; or one of its commands is refused; or
 * its scope became protected by an approval policy), the controller writes
 * {@code ScheduledChangeFailed} with the refusal's code and sentence instead, decided against the
 * same version, so it shows in the change's state, in history and in a metric. A failure that says
 * nothing about the change (Kafka, fencing, a standby) is tried again on the next tick.
 */
public final class ScheduledChangeScheduler extends DueWorkScheduler {

    private static final Logger LOG = LoggerFactory.getLogger(ScheduledChangeScheduler.class);
    /** Who applies due scheduled changes and records their failures. */
    public static final Actor RELEASE_CONTROLLER = ReleaseController.CONTROLLER;
    /** Failures that say nothing about the change itself: it is tried again on the next tick. */
    private static final Set<ErrorCode> TRANSIENT = EnumSet.of(ErrorCode.UNAVAILABLE, ErrorCode.NOT_READY,
            ErrorCode.WRITER_STANDBY, ErrorCode.WRITER_FENCED);

    /** Told of each scheduled change applied or failed by this instance, for metrics. */
    public interface Listener {
        Listener NONE = new Listener() {
        };

        default void scheduledChangeApplied() {
        }

        default void scheduledChangeFailed(ErrorCode code) {
        }
    }

    private final Function<CommandRequest, CompletableFuture<CommandResult>> writer;
    private final WriteModel model;
    private final Listener listener;
    private final Set<ScheduleRef> inFlight = ConcurrentHashMap.newKeySet();

    public ScheduledChangeScheduler(CommandProcessor processor, WriteModel model, Clock clock, Listener listener) {
        this(processor::isReady, processor::submit, model, clock, listener);
    }

    /** @param writer submits a request to the single writer (tests: a writer without Kafka) */
    ScheduledChangeScheduler(BooleanSupplier ready, Function<CommandRequest, CompletableFuture<CommandResult>> writer,
                             WriteModel model, Clock clock, Listener listener) {
        super("scheduled-change-scheduler", LOG, "scheduled changes", ready, clock);
        this.writer = writer;
        this.model = model;
        this.listener = listener;
    }

    /** Submits every pending change that is due; returns how many it submitted. */
    @Override
    int submitDue(Instant now) {
        int submitted = 0;
        for (EnvironmentState environment : model.environments()) {
            for (Object state : model.all(ScheduleRef.class, environment.getName())) {
                ScheduledChangeState change = (ScheduledChangeState) state;
                ScheduleRef ref = new ScheduleRef(change.getEnvironment(), change.getId());
                if (change.getStatus() == ScheduledChangeStatus.PENDING && !change.getApplyAt().isAfter(now) && inFlight.add(ref)) {
                    submitted++;
                    apply(ref, change);
                }
            }
        }
        return submitted;
    }

    private void apply(ScheduleRef ref, ScheduledChangeState change) {
        CommandRequest request;
        try {
            request = ScheduledChangeApply.request(model, change, RELEASE_CONTROLLER);
        } catch (CommandException refused) {
            fail(ref, change, refused);
            return;
        }
        try {
            writer.apply(request).whenComplete((result, failure) -> {
                if (failure == null) {
                    inFlight.remove(ref);
                    listener.scheduledChangeApplied();
                    LOG.info("applied scheduled change {} in {} (due at {})", change.getId(), change.getEnvironment(),
                            change.getApplyAt());
                    return;
                }
                Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                if (cause instanceof CommandException refused && TRANSIENT.contains(refused.code())) {
                    inFlight.remove(ref);
                    LOG.debug("scheduled change {} in {} not applied yet, tried again on the next tick: {}", change.getId(),
                            change.getEnvironment(), refused.getMessage());
                } else {
                    fail(ref, change, cause instanceof CommandException refused ? refused
                            : new CommandException(ErrorCode.INTERNAL, null, "applying it failed unexpectedly: " + cause));
                }
            });
        } catch (RuntimeException e) {
            inFlight.remove(ref);
            LOG.warn("scheduled change {} in {} was not submitted: {}", change.getId(), change.getEnvironment(), e.toString());
        }
    }

    /**
     * Records why the change did not apply, decided against the version it was read at: when the
     * apply was refused because the change itself moved (cancelled meanwhile), this is refused too
     * and nothing is written.
     */
    private void fail(ScheduleRef ref, ScheduledChangeState change, CommandException refusal) {
        String why = ScheduledChangeApply.why(refusal);
        CommandRequest request = CommandRequest.of(new Command.FailSchedule(ref, RELEASE_CONTROLLER, refusal.code(), why,
                change.getVersion()), RELEASE_CONTROLLER, "scheduled change " + change.getId() + " (" + change.getContent().getTitle()
                + ") due at " + change.getApplyAt() + " was not applied: " + refusal.code());
        try {
            writer.apply(request).whenComplete((result, failure) -> {
                inFlight.remove(ref);
                if (failure == null) {
                    listener.scheduledChangeFailed(refusal.code());
                    LOG.warn("scheduled change {} in {} failed and was not applied: {}: {}", change.getId(), change.getEnvironment(),
                            refusal.code(), why);
                    return;
                }
                Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                LOG.info("scheduled change {} in {}: its failure ({}) was not recorded ({}); looked at again on the next tick",
                        change.getId(), change.getEnvironment(), refusal.code(), cause instanceof CommandException c
                                ? c.code() + ": " + c.getMessage() : cause.toString());
            });
        } catch (RuntimeException e) {
            inFlight.remove(ref);
            LOG.warn("the failure of scheduled change {} in {} was not submitted: {}", change.getId(), change.getEnvironment(),
                    e.toString());
        }
    }
}
