package io.flagplane.command.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flagplane.auth.Role;
import io.flagplane.avro.Actor;
import io.flagplane.avro.ActorKind;
import io.flagplane.avro.ApprovalPolicy;
import io.flagplane.avro.ApprovalPolicySet;
import io.flagplane.avro.ChangeRequestApplied;
import io.flagplane.avro.ChangeRequestApproved;
import io.flagplane.avro.ChangeRequestContent;
import io.flagplane.avro.ChangeRequestEdited;
import io.flagplane.avro.ChangeRequestOpened;
import io.flagplane.avro.ChangeRequestState;
import io.flagplane.avro.ChangeRequestStatus;
import io.flagplane.avro.FlagEvent;
import io.flagplane.command.log.WriteModel;
import io.flagplane.contract.ChangeRequestRef;
import io.flagplane.contract.ChangeRequestStateFold;
import io.flagplane.contract.FlagRef;
import io.flagplane.fixtures.Events;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The four-eyes rules, decided without a broker. */
class ChangeRequestDeciderTest {

    private static final Actor ALICE = new Actor("alice@example.com", ActorKind.USER);
    private static final Actor ERIN = new Actor("erin@example.com", ActorKind.USER);
    private static final Actor FRANK = new Actor("frank@example.com", ActorKind.USER);
    private static final Actor CI = new Actor("ci-pipeline", ActorKind.SERVICE_TOKEN);
    private static final ChangeRequestRef REF = new ChangeRequestRef("production", "cr-1");
    private static final ChangeRequestContent CONTENT = new ChangeRequestContent("Enable", "seed 000",
            "[{\"action\":\"enable\",\"environment\":\"production\",\"flag\":\"checkout.new_ui\"}]", Map.of("checkout.new_ui", 1L));

    private final List<FlagEvent> log = new ArrayList<>();

    private WriteModel model(int requiredApprovals) {
        log.add(Events.on("production", "production").version(1).environmentCreated());
        log.add(Events.on("production", "production").version(2).with(new ApprovalPolicySet(
                ApprovalPolicy.newBuilder().setRequiredApprovals(requiredApprovals).build())));
        log.add(Events.on("production", "checkout.new_ui").version(1).createdBoolean(false));
        log.add(Events.on("production", "cr-1").version(1).by(ALICE).with(new ChangeRequestOpened(CONTENT, true)));
        return WriteModel.of(log.toArray(FlagEvent[]::new));
    }

    private static Command.ReviewChangeRequest step(Command.Kind kind, Actor by, Role role) {
        return new Command.ReviewChangeRequest(kind, REF, by, role, null, null, null);
    }

    private static Object decide(ReadModel model, Command command) {
        return Aggregates.decide(model, command).get(0).payload();
    }

    @Test
    void its_author_a_service_token_and_a_role_below_the_policys_never_approve() {
        WriteModel model = model(1);

        for (Command.ReviewChangeRequest refused : List.of(step(Command.Kind.APPROVE_CHANGE_REQUEST, ALICE, Role.ADMIN),
                step(Command.Kind.APPROVE_CHANGE_REQUEST, CI, Role.ADMIN), step(Command.Kind.APPROVE_CHANGE_REQUEST, ERIN, Role.EDITOR),
                step(Command.Kind.APPROVE_CHANGE_REQUEST, ERIN, null))) {
            assertThatThrownBy(() -> decide(model, refused)).isInstanceOf(CommandException.class)
                    .extracting(e -> ((CommandException) e).code()).isEqualTo(ErrorCode.APPROVAL_NOT_ALLOWED);
        }
        assertThat(decide(model, step(Command.Kind.APPROVE_CHANGE_REQUEST, ERIN, Role.ADMIN)))
                .isEqualTo(new ChangeRequestApproved(null, true));
    }

    @Test
    void two_distinct_people_are_needed_for_two_approvals_and_the_same_one_twice_counts_once() {
        WriteModel model = model(2);
        assertThat(decide(model, step(Command.Kind.APPROVE_CHANGE_REQUEST, ERIN, Role.ADMIN))).isEqualTo(new ChangeRequestApproved(null, false));
        model.fold(Events.on("production", "cr-1").version(2).by(ERIN).with(new ChangeRequestApproved(null, false)));

        assertThat(decide(model, step(Command.Kind.APPROVE_CHANGE_REQUEST, ERIN, Role.ADMIN))).as("erin again").isNull();
        assertThat(decide(model, step(Command.Kind.APPROVE_CHANGE_REQUEST, FRANK, Role.ADMIN))).isEqualTo(new ChangeRequestApproved(null, true));
    }

    @Test
    void an_edit_revokes_every_approval_and_sends_an_approved_request_back_to_review() {
        WriteModel model = model(1);
        model.fold(Events.on("production", "cr-1").version(2).by(ERIN).with(new ChangeRequestApproved(null, true)));
        assertThat(((ChangeRequestState) model.state(REF)).getStatus()).isEqualTo(ChangeRequestStatus.APPROVED);

        model.fold(Events.on("production", "cr-1").version(3).by(ALICE).with(new ChangeRequestEdited(CONTENT)));

        ChangeRequestState edited = (ChangeRequestState) model.state(REF);
        assertThat(edited.getStatus()).isEqualTo(ChangeRequestStatus.IN_REVIEW);
        assertThat(edited.getApprovals()).isEmpty();
    }

    @Test
    void applying_needs_approval_and_refuses_when_a_touched_flag_moved() {
        WriteModel model = model(1);
        assertThatThrownBy(() -> decide(model, step(Command.Kind.APPLY_CHANGE_REQUEST, ERIN, Role.ADMIN)))
                .extracting(e -> ((CommandException) e).code()).isEqualTo(ErrorCode.INVALID_STATE);
        model.fold(Events.on("production", "cr-1").version(2).by(ERIN).with(new ChangeRequestApproved(null, true)));
        assertThat(decide(model, step(Command.Kind.APPLY_CHANGE_REQUEST, ERIN, Role.ADMIN))).isInstanceOf(ChangeRequestApplied.class);

        model.fold(Events.on("production", "checkout.new_ui").version(2).killed());

        assertThatThrownBy(() -> decide(model, step(Command.Kind.APPLY_CHANGE_REQUEST, ERIN, Role.ADMIN)))
                .isInstanceOfSatisfying(CommandException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.REBASE_REQUIRED);
                    assertThat(e.details()).containsExactly("checkout.new_ui: drafted at version 1, now at 2");
                });
    }

    @Test
    void opening_records_the_version_of_every_flag_the_commands_touch() {
        WriteModel model = model(1);
        Command.OpenChangeRequest open = new Command.OpenChangeRequest(new ChangeRequestRef("production", "cr-2"), ALICE, "t", "r", "[]",
                List.of(new Command.Enable(new FlagRef("production", "checkout.new_ui"), null),
                        new Command.Enable(new FlagRef("production", "not.yet"), null)), false);

        ChangeRequestOpened opened = (ChangeRequestOpened) decide(model, open);

        assertThat(opened.getContent().getDraftedAgainst()).isEqualTo(Map.of("checkout.new_ui", 1L, "not.yet", 0L));
        assertThat(opened.getInReview()).isFalse();
        assertThat(ChangeRequestStateFold.isChangeRequestEvent(Events.on("production", "cr-2").with(opened))).isTrue();
    }
}
