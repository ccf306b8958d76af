package io.flagplane.contract;

import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.ScheduledChangeApplied;
import io.flagplane.avro.ScheduledChangeCancelled;
import io.flagplane.avro.ScheduledChangeCreated;
import io.flagplane.avro.ScheduledChangeFailed;
import io.flagplane.avro.ScheduledChangeState;
import io.flagplane.avro.ScheduledChangeStatus;
import io.flagplane.contract.FlagStateFold.Outcome;

/**
 * What each scheduled-change event means: the fold from its events to {@code ScheduledChangeState}
 * (PENDING -> APPLIED | FAILED | CANCELLED). Pure and version-gated, like {@link FlagStateFold}.
 */
public final class ScheduledChangeFold {

    static {
        AvroContract.trustGeneratedClasses();
    }

    public record Result(Outcome outcome, ScheduledChangeState state, String detail) {
    }

    private ScheduledChangeFold() {
    }

    public static boolean isScheduledChangeEvent(FlagEvent event) {
        return event.getPayload().getClass().getSimpleName().startsWith("ScheduledChange");
    }

    public static Result apply(ScheduledChangeState current, FlagEvent event) {
        Object payload = event.getPayload();
        if (current == null) {
            if (payload instanceof ScheduledChangeCreated created) {
                return new Result(Outcome.APPLIED, ScheduledChangeState.newBuilder()
                        .setEnvironment(event.getEnvironment())
                        .setId(event.getFlagKey())
                        .setVersion(event.getVersion())
                        .setStatus(ScheduledChangeStatus.PENDING)
                        .setContent(created.getContent())
                        .setApplyAt(created.getApplyAt())
                        .setApplyIfMoved(created.getApplyIfMoved())
                        .setAuthor(event.getActor())
                        .setCreatedAt(event.getOccurredAt())
                        .setLastChange(FlagStateFold.changeInfoOf(event))
                        .build(), null);
            }
            return new Result(Outcome.REJECTED, null, FlagStateFold.typeOf(event) + " for scheduled change "
                    + event.getFlagKey() + " that was never created");
        }
        if (event.getVersion() <= current.getVersion()) {
            return new Result(Outcome.STALE, current, "event version " + event.getVersion()
                    + " is not above the scheduled change's version " + current.getVersion());
        }
        ScheduledChangeState.Builder next = ScheduledChangeState.newBuilder(current).setVersion(event.getVersion())
                .setLastChange(FlagStateFold.changeInfoOf(event));
        if (payload instanceof ScheduledChangeApplied applied) {
            // the decider cannot know the change set's id (the writer draws it): the envelope carries it
            next.setStatus(ScheduledChangeStatus.APPLIED).setAppliedChangeSetId(applied.getChangeSetId() != null
                    ? applied.getChangeSetId() : event.getChangeSetId());
        } else if (payload instanceof ScheduledChangeFailed failed) {
            next.setStatus(ScheduledChangeStatus.FAILED).setFailure(failed.getCode() + ": " + failed.getWhy());
        } else if (payload instanceof ScheduledChangeCancelled) {
            next.setStatus(ScheduledChangeStatus.CANCELLED);
        } else {
            return new Result(Outcome.REJECTED, current, "unknown scheduled-change event " + FlagStateFold.typeOf(event));
        }
        return new Result(Outcome.APPLIED, next.build(), null);
    }
}
