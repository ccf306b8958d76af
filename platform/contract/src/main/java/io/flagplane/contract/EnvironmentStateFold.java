package io.flagplane.contract;

import io.flagplane.avro.ApprovalPolicySet;
import io.flagplane.avro.ChangeInfo;
import io.flagplane.avro.EnvironmentArchived;
import io.flagplane.avro.EnvironmentCreated;
import io.flagplane.avro.EnvironmentState;
import io.flagplane.avro.FlagEvent;
import io.flagplane.contract.FlagStateFold.Outcome;

/**
 * What each environment event means for an environment: the fold from environment events to
 * {@code EnvironmentState}. Pure, deterministic and version-gated, like {@link FlagStateFold}.
 */
public final class EnvironmentStateFold {

    static {
        AvroContract.trustGeneratedClasses();
    }

    /** The outcome and the state after it (the unchanged input unless APPLIED). */
    public record Result(Outcome outcome, EnvironmentState state, String detail) {
    }

    private EnvironmentStateFold() {
    }

    /** True for the payloads that belong to environments rather than flags or segments. */
    public static boolean isEnvironmentEvent(FlagEvent event) {
        Object payload = event.getPayload();
        return payload instanceof EnvironmentCreated || payload instanceof EnvironmentArchived
                || payload instanceof ApprovalPolicySet;
    }

    public static Result apply(EnvironmentState current, FlagEvent event) {
        Object payload = event.getPayload();
        ChangeInfo change = new ChangeInfo(event.getEventId(), FlagStateFold.typeOf(event), event.getOccurredAt(),
                event.getActor(), event.getReason(), event.getChangeSetId());
        if (current == null) {
            if (payload instanceof EnvironmentCreated created) {
                return new Result(Outcome.APPLIED, EnvironmentState.newBuilder()
                        .setName(event.getEnvironment())
                        .setVersion(event.getVersion())
                        .setDescription(created.getDescription())
                        .setArchived(false)
                        .setCreatedAt(event.getOccurredAt())
                        .setLastChange(change)
                        .build(), null);
            }
            return new Result(Outcome.REJECTED, null, FlagStateFold.typeOf(event) + " for environment "
                    + event.getEnvironment() + " that was never declared");
        }
        if (event.getVersion() <= current.getVersion()) {
            return new Result(Outcome.STALE, current, "event version " + event.getVersion()
                    + " is not above the environment's version " + current.getVersion());
        }
        if (payload instanceof EnvironmentArchived) {
            return new Result(Outcome.APPLIED, EnvironmentState.newBuilder(current).setVersion(event.getVersion())
                    .setArchived(true).setLastChange(change).build(), null);
        }
        if (payload instanceof ApprovalPolicySet set) {
            return new Result(Outcome.APPLIED, EnvironmentState.newBuilder(current).setVersion(event.getVersion())
                    .setApprovalPolicy(set.getPolicy()).setLastChange(change).build(), null);
        }
        return new Result(Outcome.REJECTED, current, "unknown environment event " + FlagStateFold.typeOf(event));
    }
}
