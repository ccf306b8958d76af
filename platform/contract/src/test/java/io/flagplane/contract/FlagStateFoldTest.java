package io.flagplane.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.Condition;
import io.flagplane.avro.FlagEvent;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.MetadataChanged;
import io.flagplane.avro.Rule;
import io.flagplane.avro.RulesChanged;
import io.flagplane.avro.Serve;
import io.flagplane.avro.Split;
import io.flagplane.avro.TargetList;
import io.flagplane.avro.TargetsChanged;
import io.flagplane.avro.WeightedVariant;
import io.flagplane.contract.FlagStateFold.Outcome;
import io.flagplane.fixtures.Events;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlagStateFoldTest {

    private final Events.Builder flag = Events.on("production", "checkout.new_ui");

    private static FlagState fold(FlagEvent... events) {
        FlagState state = null;
        for (FlagEvent event : events) {
            FlagStateFold.Result result = FlagStateFold.apply(state, event);
            assertThat(result.outcome()).as("%s", event).isEqualTo(Outcome.APPLIED);
            state = result.state();
        }
        return state;
    }

    @Test
    void creation_gives_version_1_with_the_definition_and_the_creation_time() {
        FlagState state = fold(flag.version(1).reason("seed 002").createdBoolean(false));

        assertThat(state.getVersion()).isEqualTo(1);
        assertThat(state.getEnabled()).isFalse();
        assertThat(state.getKilled()).isFalse();
        assertThat(state.getCreatedAt()).isEqualTo(Events.T0.plusSeconds(1));
        assertThat(state.getLastChange().getEventType()).isEqualTo("FlagCreated");
        assertThat(state.getLastChange().getReason()).isEqualTo("seed 002");
    }

    @Test
    void lifecycle_switches_follow_their_events() {
        FlagState state = fold(flag.version(1).createdBoolean(false), flag.version(2).enabled(), flag.version(3).killed());
        assertThat(state.getEnabled()).isTrue();
        assertThat(state.getKilled()).isTrue();

        state = FlagStateFold.apply(state, flag.version(4).revived()).state();
        state = FlagStateFold.apply(state, flag.version(5).disabled()).state();
        state = FlagStateFold.apply(state, flag.version(6).archived()).state();
        assertThat(state.getKilled()).isFalse();
        assertThat(state.getEnabled()).isFalse();
        assertThat(state.getArchived()).isTrue();
        assertThat(FlagStateFold.apply(state, flag.version(7).restored()).state().getArchived()).isFalse();
    }

    @Test
    void a_duplicate_or_older_event_changes_nothing() {
        FlagState state = fold(flag.version(1).createdBoolean(true), flag.version(2).killed());

        FlagStateFold.Result replayed = FlagStateFold.apply(state, flag.version(2).revived());

        assertThat(replayed.outcome()).isEqualTo(Outcome.STALE);
        assertThat(replayed.state()).isSameAs(state);
        assertThat(replayed.state().getKilled()).isTrue();
    }

    @Test
    void events_for_a_flag_never_created_and_second_creations_are_rejected() {
        assertThat(FlagStateFold.apply(null, flag.version(2).killed()).outcome()).isEqualTo(Outcome.REJECTED);
        FlagState state = fold(flag.version(1).createdBoolean(true));
        assertThat(FlagStateFold.apply(state, flag.version(2).createdBoolean(true)).outcome()).isEqualTo(Outcome.REJECTED);
    }

    @Test
    void a_version_gap_still_moves_forward_and_says_so() {
        FlagState state = fold(flag.version(1).createdBoolean(true));

        FlagStateFold.Result result = FlagStateFold.apply(state, flag.version(5).killed());

        assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(result.detail()).contains("gap");
        assertThat(result.state().getVersion()).isEqualTo(5);
    }

    @Test
    void seed_001_rollout_ramp_sets_the_fallthrough_split() {
        FlagState state = fold(flag.version(1).createdBoolean(true), flag.version(2).rollout("on", 1_000, "off"),
                flag.version(3).rollout("on", 5_000, "off"));

        assertThat(state.getDefinition().getFallthrough().getVariant()).isNull();
        assertThat(state.getDefinition().getFallthrough().getSplit().getVariants())
                .extracting(WeightedVariant::getWeight).containsExactly(5_000, 5_000);
    }

    @Test
    void a_rollout_can_target_one_rule_by_id() {
        Rule tiers = new Rule("tiers", null, List.of(new Condition("tier", "in", List.of("pro", "enterprise"))),
                Serve.newBuilder().setVariant("on").build());
        FlagState state = fold(flag.version(1).createdBoolean(true), flag.version(2).with(new RulesChanged(List.of(tiers))));
        Split split = new Split(List.of(new WeightedVariant("on", 1_000), new WeightedVariant("off", 9_000)), null);

        state = FlagStateFold.apply(state, flag.version(3).with(new io.flagplane.avro.RolloutChanged("tiers", split))).state();

        assertThat(state.getDefinition().getRules().get(0).getServe().getSplit()).isEqualTo(split);
        assertThat(state.getDefinition().getFallthrough().getVariant()).isEqualTo("on");
    }

    @Test
    void target_changes_add_and_remove_keys_and_a_key_is_allowed_for_one_variant_only() {
        FlagState state = fold(flag.version(1).createdBoolean(true),
                flag.version(2).allow("on", "user-1", "user-2", "user-3"),
                flag.version(3).deny("user-9"),
                flag.version(4).allow("off", "user-2"),
                flag.version(5).with(new TargetsChanged(TargetList.ALLOW, "on", List.of(), List.of("user-3"))),
                flag.version(6).with(new TargetsChanged(TargetList.DENY, null, List.of("user-8"), List.of("user-9"))));

        assertThat(state.getDefinition().getAllowList()).satisfiesExactlyInAnyOrder(
                t -> {
                    assertThat(t.getVariant()).isEqualTo("on");
                    assertThat(t.getKeys()).containsExactly("user-1");
                },
                t -> {
                    assertThat(t.getVariant()).isEqualTo("off");
                    assertThat(t.getKeys()).containsExactly("user-2");
                });
        assertThat(state.getDefinition().getDenyList()).containsExactly("user-8");
    }

    @Test
    void metadata_changes_set_description_tags_and_owner() {
        FlagState state = fold(flag.version(1).createdBoolean(true),
                flag.version(2).with(new MetadataChanged("Charges pages", List.of("charges", "pilot"), "orchestrator-pm")));

        assertThat(state.getDefinition().getDescription()).isEqualTo("Charges pages");
        assertThat(state.getDefinition().getTags()).containsExactly("charges", "pilot");
        assertThat(state.getDefinition().getOwner()).isEqualTo("orchestrator-pm");
    }

    @Test
    void folding_never_mutates_its_input() {
        FlagState before = fold(flag.version(1).createdBoolean(true), flag.version(2).allow("on", "user-1"));
        FlagState copy = FlagState.newBuilder(before).build();

        FlagState rolledOut = FlagStateFold.apply(before, flag.version(3).rollout("on", 100, "off")).state();
        FlagStateFold.apply(before, flag.version(3).allow("on", "user-2"));
        FlagStateFold.apply(before, flag.version(3).deny("user-1"));
        FlagStateFold.apply(before, flag.version(3).killed());
        FlagStateFold.apply(before, flag.version(3).disabled());
        FlagStateFold.apply(before, flag.version(3).archived());
        FlagStateFold.apply(before, flag.version(3).with(new MetadataChanged("d", List.of("t"), "o")));
        FlagStateFold.apply(before, flag.version(3).with(new RulesChanged(List.of(new Rule("r", null, List.of(),
                Serve.newBuilder().setVariant("on").build())))));
        FlagState rolledOutCopy = FlagState.newBuilder(rolledOut).build();
        FlagStateFold.apply(rolledOut, flag.version(4).allow("on", "user-9"));
        FlagStateFold.apply(rolledOut, flag.version(4).rollout("on", 9_000, "off"));

        assertThat(before).isEqualTo(copy);
        assertThat(rolledOut).as("states share unchanged parts; a later fold must not edit them").isEqualTo(rolledOutCopy);
    }

    @Test
    void the_same_events_fold_to_byte_identical_states() throws java.io.IOException {
        FlagEvent[] events = {flag.version(1).createdBoolean(false), flag.version(2).enabled(),
                flag.version(3).allow("on", "a", "b"), flag.version(4).rollout("on", 2_500, "off"), flag.version(5).killed()};

        assertThat(fold(events).toByteBuffer()).isEqualTo(fold(events).toByteBuffer());
    }
}
