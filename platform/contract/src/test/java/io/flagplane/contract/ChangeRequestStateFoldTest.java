package io.flagplane.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.ChangeRequestApplied;
import io.flagplane.avro.ChangeRequestApproved;
import io.flagplane.avro.ChangeRequestContent;
import io.flagplane.avro.ChangeRequestOpened;
import io.flagplane.avro.ChangeRequestState;
import io.flagplane.avro.ChangeRequestStatus;
import io.flagplane.contract.FlagStateFold.Outcome;
import io.flagplane.fixtures.Events;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An applied change request names the change set it was applied in, as a scheduled change does. */
class ChangeRequestStateFoldTest {

    private static final ChangeRequestContent CONTENT = new ChangeRequestContent("Enable the new flow", "load test passed",
            "[{\"action\":\"enable\",\"environment\":\"production\",\"flag\":\"payments.new_flow\"}]",
            Map.of("payments.new_flow", 1L));

    private final Events.Builder request = Events.on("production", "cr-1");

    private ChangeRequestState approved() {
        ChangeRequestState opened = ChangeRequestStateFold.apply(null,
                request.version(1).with(new ChangeRequestOpened(CONTENT, true))).state();
        ChangeRequestState approved = ChangeRequestStateFold.apply(opened,
                request.version(2).with(new ChangeRequestApproved(null, true))).state();
        assertThat(approved.getStatus()).isEqualTo(ChangeRequestStatus.APPROVED);
        return approved;
    }

    @Test
    void applied_keeps_the_change_set_it_was_applied_in_from_the_envelope_when_the_payload_has_none() {
        ChangeRequestStateFold.Result result = ChangeRequestStateFold.apply(approved(),
                request.version(3).changeSet("cs-7").with(new ChangeRequestApplied(null)));

        assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(result.state().getStatus()).isEqualTo(ChangeRequestStatus.APPLIED);
        assertThat(result.state().getAppliedChangeSetId()).isEqualTo("cs-7");
        assertThat(ChangeRequestStateFold.apply(approved(), request.version(3).changeSet("cs-7")
                .with(new ChangeRequestApplied("cs-named"))).state().getAppliedChangeSetId()).isEqualTo("cs-named");
    }
}
