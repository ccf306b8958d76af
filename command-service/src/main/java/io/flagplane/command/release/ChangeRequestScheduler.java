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
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies scheduled change requests when their time comes, as the actor {@code SYSTEM} with a
 * reason naming the request. Exactly once: the apply is decided against the request's state, and
 * a request already applied is refused by its decider, so a tick that overlaps another (or a
 * standby that takes over mid-apply) cannot apply it twice; a request in flight is not submitted
 * again meanwhile. Only a writer that is ready writes; on any other instance the tick does nothing.
 */
public final class ChangeRequestScheduler extends DueWorkScheduler {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeRequestScheduler.class);
    static final Actor SCHEDULER = new Actor("flagplane-scheduler", ActorKind.SYSTEM);

    private final CommandProcessor processor;
    private final WriteModel model;
    private final Set<ChangeRequestRef> inFlight = ConcurrentHashMap.newKeySet();

    public ChangeRequestScheduler(CommandProcessor processor, WriteModel model, Clock clock) {
        super("change-request-scheduler", LOG, "scheduled change requests", processor::isReady, clock);
        this.processor = processor;
        this.model = model;
    }

    /** Submits every scheduled request that is due; returns how many it submitted. */
    @Override
    int submitDue(Instant now) {
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
            processor.submit(ChangeRequestApply.request(model, request, SCHEDULER, "scheduled change request " + request.getId()
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
}
