package io.flagplane.contract;

import io.flagplane.avro.Approval;
import io.flagplane.avro.ChangeInfo;
import io.flagplane.avro.ChangeRequestApplied;
import io.flagplane.avro.ChangeRequestApproved;
import io.flagplane.avro.ChangeRequestCancelled;
import io.flagplane.avro.ChangeRequestComment;
import io.flagplane.avro.ChangeRequestCommented;
import io.flagplane.avro.ChangeRequestEdited;
import io.flagplane.avro.ChangeRequestOpened;
import io.flagplane.avro.ChangeRequestRejected;
import io.flagplane.avro.ChangeRequestScheduled;
import io.flagplane.avro.ChangeRequestState;
import io.flagplane.avro.ChangeRequestStatus;
import io.flagplane.avro.ChangeRequestSubmitted;
import io.flagplane.avro.FlagEvent;
import io.flagplane.contract.FlagStateFold.Outcome;
import java.util.ArrayList;
import java.util.List;

/**
 * What each change-request event means for a request: the fold from its events to
 * {@code ChangeRequestState}. It records what the decider decided (who may approve, and when the
 * approvals suffice, are the decider's business: the event says so); pure, deterministic and
 * version-gated, like {@link FlagStateFold}.
 */
public final class ChangeRequestStateFold {

    static {
        AvroContract.trustGeneratedClasses();
    }

    public record Result(Outcome outcome, ChangeRequestState state, String detail) {
    }

    private ChangeRequestStateFold() {
    }

    public static boolean isChangeRequestEvent(FlagEvent event) {
        return event.getPayload().getClass().getSimpleName().startsWith("ChangeRequest");
    }

    public static Result apply(ChangeRequestState current, FlagEvent event) {
        Object payload = event.getPayload();
        ChangeInfo change = FlagStateFold.changeInfoOf(event);
        if (current == null) {
            if (payload instanceof ChangeRequestOpened opened) {
                return new Result(Outcome.APPLIED, ChangeRequestState.newBuilder()
                        .setEnvironment(event.getEnvironment())
                        .setId(event.getFlagKey())
                        .setVersion(event.getVersion())
                        .setStatus(opened.getInReview() ? ChangeRequestStatus.IN_REVIEW : ChangeRequestStatus.DRAFT)
                        .setContent(opened.getContent())
                        .setAuthor(event.getActor())
                        .setApprovals(List.of())
                        .setComments(List.of())
                        .setCreatedAt(event.getOccurredAt())
                        .setLastChange(change)
                        .build(), null);
            }
            return new Result(Outcome.REJECTED, null, FlagStateFold.typeOf(event) + " for change request "
                    + event.getFlagKey() + " that was never opened");
        }
        if (event.getVersion() <= current.getVersion()) {
            return new Result(Outcome.STALE, current, "event version " + event.getVersion()
                    + " is not above the request's version " + current.getVersion());
        }
        ChangeRequestState.Builder next = ChangeRequestState.newBuilder(current).setVersion(event.getVersion()).setLastChange(change);
        if (payload instanceof ChangeRequestEdited edited) {
            next.setContent(edited.getContent()).setApprovals(List.of())
                    .setStatus(current.getStatus() == ChangeRequestStatus.DRAFT ? ChangeRequestStatus.DRAFT : ChangeRequestStatus.IN_REVIEW);
        } else if (payload instanceof ChangeRequestSubmitted) {
            next.setStatus(ChangeRequestStatus.IN_REVIEW);
        } else if (payload instanceof ChangeRequestApproved approved) {
            List<Approval> approvals = new ArrayList<>();
            for (Approval a : current.getApprovals()) {
                if (!a.getApprover().getId().equals(event.getActor().getId())) {
                    approvals.add(a);
                }
            }
            approvals.add(new Approval(event.getActor(), event.getOccurredAt(), approved.getComment()));
            next.setApprovals(approvals);
            if (approved.getComplete()) {
                next.setStatus(ChangeRequestStatus.APPROVED);
            }
        } else if (payload instanceof ChangeRequestRejected) {
            next.setStatus(ChangeRequestStatus.REJECTED);
        } else if (payload instanceof ChangeRequestCommented commented) {
            List<ChangeRequestComment> comments = new ArrayList<>(current.getComments());
            comments.add(new ChangeRequestComment(event.getActor(), event.getOccurredAt(), commented.getComment()));
            next.setComments(comments);
        } else if (payload instanceof ChangeRequestCancelled) {
            next.setStatus(ChangeRequestStatus.CANCELLED);
        } else if (payload instanceof ChangeRequestScheduled scheduled) {
            next.setStatus(ChangeRequestStatus.SCHEDULED).setApplyAt(scheduled.getApplyAt());
        } else if (payload instanceof ChangeRequestApplied applied) {
            // the decider cannot know the change set's id (the writer draws it): the envelope carries it
            next.setStatus(ChangeRequestStatus.APPLIED).setAppliedChangeSetId(applied.getChangeSetId() != null
                    ? applied.getChangeSetId() : event.getChangeSetId());
        } else {
            return new Result(Outcome.REJECTED, current, "unknown change-request event " + FlagStateFold.typeOf(event));
        }
        return new Result(Outcome.APPLIED, next.build(), null);
    }
}
