package io.flagplane.contract;

import io.flagplane.avro.ChangeInfo;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.SegmentArchived;
import io.flagplane.avro.SegmentCreated;
import io.flagplane.avro.SegmentDefinition;
import io.flagplane.avro.SegmentReplaced;
import io.flagplane.avro.SegmentState;
import io.flagplane.contract.FlagStateFold.Outcome;

/**
 * What each segment event means for a segment: the fold from segment events to
 * {@code SegmentState}, shared by the command-service and the projection. Pure, deterministic and
 * version-gated, like {@link FlagStateFold}.
 */
public final class SegmentStateFold {

    static {
        AvroContract.trustGeneratedClasses();
    }

    /** The outcome and the state after it (the unchanged input unless APPLIED). */
    public record Result(Outcome outcome, SegmentState state, String detail) {
    }

    private SegmentStateFold() {
    }

    /** True for the payloads that belong to segments rather than flags. */
    public static boolean isSegmentEvent(FlagEvent event) {
        Object payload = event.getPayload();
        return payload instanceof SegmentCreated || payload instanceof SegmentReplaced || payload instanceof SegmentArchived;
    }

    public static Result apply(SegmentState current, FlagEvent event) {
        Object payload = event.getPayload();
        ChangeInfo change = new ChangeInfo(event.getEventId(), FlagStateFold.typeOf(event), event.getOccurredAt(),
                event.getActor(), event.getReason(), event.getChangeSetId());
        if (current == null) {
            if (payload instanceof SegmentCreated created) {
                return new Result(Outcome.APPLIED, SegmentState.newBuilder()
                        .setEnvironment(event.getEnvironment())
                        .setSegmentKey(event.getFlagKey())
                        .setVersion(event.getVersion())
                        .setDefinition(SegmentDefinition.newBuilder(created.getDefinition()).build())
                        .setArchived(false)
                        .setCreatedAt(event.getOccurredAt())
                        .setLastChange(change)
                        .build(), null);
            }
            return new Result(Outcome.REJECTED, null, FlagStateFold.typeOf(event) + " for segment " + event.getFlagKey()
                    + " that was never created");
        }
        if (event.getVersion() <= current.getVersion()) {
            return new Result(Outcome.STALE, current, "event version " + event.getVersion()
                    + " is not above the segment's version " + current.getVersion());
        }
        SegmentState.Builder next = SegmentState.newBuilder(current).setVersion(event.getVersion()).setLastChange(change);
        if (payload instanceof SegmentReplaced replaced) {
            next.setDefinition(SegmentDefinition.newBuilder(replaced.getDefinition()).build());
        } else if (payload instanceof SegmentArchived) {
            next.setArchived(true);
        } else {
            return new Result(Outcome.REJECTED, current, FlagStateFold.typeOf(event) + " does not apply to a segment");
        }
        return new Result(Outcome.APPLIED, next.build(), null);
    }
}
