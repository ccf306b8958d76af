package io.flagplane.command.release;

import io.flagplane.avro.Actor;
import io.flagplane.avro.ActorKind;
import io.flagplane.avro.ChangeRequestState;
import io.flagplane.avro.ChangeRequestStatus;
import io.flagplane.avro.EnvironmentState;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.http.ChangeRequestApply;
import io.flagplane.command.log.CommandProcessor;
import io.flagplane.command.log.WriteModel;
import io.flagplane.contract.ChangeRequestRef;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies scheduled change requests when their time comes, as the actor {@code SYSTEM} with a
 * reason naming the request. Exactly once: the apply is decided against the request's state, and
 * a request already applied is refused by its decider, so a tick that overlaps another (or a
 * standby that takes over mid-apply) cannot apply it twice; a request in flight is not submitted
 * again meanwhile. Only a writer that is ready writes; on any other instance the tick does nothing.
 */
public final class ChangeRequestScheduler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeRequestScheduler.class);
    static final Actor SCHEDULER = new Actor("flagplane-scheduler", ActorKind.SYSTEM);

    private final CommandProcessor processor;
    private final WriteModel model;
    private final Clock clock;
    private final Set<ChangeRequestRef> inFlight = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService ticker;

    public ChangeRequestScheduler(CommandProcessor processor, WriteModel model, Clock clock) {
        this.processor = processor;
        this.model = model;
        this.clock = clock;
    }

    public ChangeRequestScheduler start(Duration every) {
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "change-request-scheduler");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleWithFixedDelay(this::tickSafely, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            LOG.warn("scheduled change requests could not be checked: {}", e.toString());
        }
    }

    /** Submits every scheduled request that is due; returns how many it submitted. */
    public int tick() {
        if (!processor.isReady()) {
            return 0;
        }
        Instant now = clock.instant();
        int submitted = 0;
        for (EnvironmentState environment : model.environments()) {
            for (Object state : model.all(ChangeRequestRef.class, environment.getName())) {
                ChangeRequestState request = (ChangeRequestState) state;
                ChangeRequestRef ref = new ChangeRequestRef(request.getEnvironment(), request.getId());
                if (request.getStatus() == ChangeRequestStatus.SCHEDULED && !request.getApplyAt().isAfter(now) && inFlight.add(ref)) {
                    submitted++;
                    apply(ref, request);
                }
            }
        }
        return submitted;
    }

    private void apply(ChangeRequestRef ref, ChangeRequestState request) {
        try {
            processor.submit(ChangeRequestApply.request(request, SCHEDULER, "scheduled change request " + request.getId()
                    + " (" + request.getContent().getTitle() + ") applied at " + request.getApplyAt()))
                    .whenComplete((result, failure) -> {
                        inFlight.remove(ref);
                        if (failure == null) {
                            LOG.info("applied scheduled change request {} in {}", request.getId(), request.getEnvironment());
                        } else {
                            Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                            LOG.warn("scheduled change request {} in {} was not applied: {}", request.getId(),
                                    request.getEnvironment(), cause instanceof CommandException c ? c.code() + ": " + c.getMessage() : cause);
                        }
                    });
        } catch (RuntimeException e) {
            inFlight.remove(ref);
            LOG.warn("scheduled change request {} in {} was not applied: {}", request.getId(), request.getEnvironment(), e.toString());
        }
    }

    @Override
    public void close() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
    }
}
