package io.flagplane.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.ExperimentCreated;
import io.flagplane.avro.ExperimentDefinition;
import io.flagplane.avro.ExperimentLaunched;
import io.flagplane.avro.ExperimentMetric;
import io.flagplane.avro.ExperimentPaused;
import io.flagplane.avro.ExperimentResumed;
import io.flagplane.avro.ExperimentStatus;
import io.flagplane.avro.ExperimentStopped;
import io.flagplane.avro.ExperimentUpdated;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.MetricKind;
import io.flagplane.avro.WeightedVariant;
import io.flagplane.fixtures.Events;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Seed 003's lifecycle as the fold records it: DRAFT -> RUNNING <-> PAUSED -> STOPPED, with a winner served after. */
class ExperimentFoldTest {

    private static final String ENV = "production";
    private static final String FLAG = "pricing.display";
    private static final String KEY = "pricing-display-test";
    private static final List<WeightedVariant> ARMS = List.of(new WeightedVariant("on", 5_000), new WeightedVariant("off", 5_000));

    private static ExperimentDefinition definition(String description) {
        return ExperimentDefinition.newBuilder()
                .setDescription(description)
                .setPrimaryMetric(ExperimentMetric.newBuilder().setEventKey("booking_confirmed").setKind(MetricKind.CONVERSION).build())
                .build();
    }

    private static FlagState fold(FlagState state, Object payload, long version) {
        FlagStateFold.Result result = FlagStateFold.apply(state, Events.on(ENV, FLAG).version(version).with(payload));
        assertThat(result.outcome()).as(result.detail()).isEqualTo(FlagStateFold.Outcome.APPLIED);
        return result.state();
    }

    @Test
    void an_experiment_goes_through_its_lifecycle_and_a_winner_replaces_the_split() {
        FlagState state = FlagStateFold.apply(null, Events.on(ENV, FLAG).version(1).createdBoolean(true)).state();
        state = fold(state, Events.on(ENV, FLAG).rollout("on", 5_000, "off").getPayload(), 2);
        state = fold(state, new ExperimentCreated(KEY, definition("first")), 3);
        assertThat(state.getExperiments()).singleElement().satisfies(e -> assertThat(e.getStatus()).isEqualTo(ExperimentStatus.DRAFT));
        state = fold(state, new ExperimentUpdated(KEY, definition("second")), 4);
        state = fold(state, new ExperimentLaunched(KEY, ARMS), 5);
        assertThat(ExperimentFold.active(state.getExperiments())).hasValueSatisfying(e -> {
            assertThat(e.getStatus()).isEqualTo(ExperimentStatus.RUNNING);
            assertThat(e.getDefinition().getDescription()).isEqualTo("second");
            assertThat(e.getLaunchedAtVersion()).isEqualTo(5);
            assertThat(e.getArms()).isEqualTo(ARMS);
        });
        state = fold(state, new ExperimentPaused(KEY), 6);
        assertThat(state.getExperiments().get(0).getStatus()).isEqualTo(ExperimentStatus.PAUSED);
        state = fold(state, new ExperimentResumed(KEY), 7);
        state = fold(state, new ExperimentStopped(KEY, "on"), 8);

        assertThat(state.getExperiments().get(0).getStatus()).isEqualTo(ExperimentStatus.STOPPED);
        assertThat(state.getExperiments().get(0).getWinner()).isEqualTo("on");
        assertThat(ExperimentFold.active(state.getExperiments())).isEmpty();
        assertThat(state.getDefinition().getFallthrough().getSplit()).isNull();
        assertThat(state.getDefinition().getFallthrough().getVariant()).isEqualTo("on");
    }

    @Test
    void an_event_for_an_experiment_the_flag_does_not_carry_is_rejected() {
        FlagState state = FlagStateFold.apply(null, Events.on(ENV, FLAG).version(1).createdBoolean(true)).state();
        FlagStateFold.Result result = FlagStateFold.apply(state, Events.on(ENV, FLAG).version(2).with(new ExperimentLaunched("nope", ARMS)));
        assertThat(result.outcome()).isEqualTo(FlagStateFold.Outcome.REJECTED);
        assertThat(result.state()).isSameAs(state);

        FlagState drafted = fold(state, new ExperimentCreated(KEY, definition("d")), 2);
        assertThat(FlagStateFold.apply(drafted, Events.on(ENV, FLAG).version(3).with(new ExperimentCreated(KEY, definition("again")))).outcome())
                .isEqualTo(FlagStateFold.Outcome.REJECTED);
    }
}
