package io.flagplane.command.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.ExperimentCreated;
import io.flagplane.avro.ExperimentDefinition;
import io.flagplane.avro.ExperimentMetric;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.MetricKind;
import io.flagplane.contract.AvroContract;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.FlagStateFold;
import io.flagplane.fixtures.Events;
import org.junit.jupiter.api.Test;

/** The experiment key → flag index: rebuilt from the log like every state, and seen through a batch's overlay. */
class ExperimentIndexTest {

    static {
        AvroContract.trustGeneratedClasses();   // Avro builders resolve defaults through the generated classes
    }

    private static final ExperimentDefinition DEFINITION = ExperimentDefinition.newBuilder()
            .setPrimaryMetric(ExperimentMetric.newBuilder().setEventKey("booking_confirmed").setKind(MetricKind.CONVERSION).build())
            .build();

    @Test
    void a_model_read_from_the_log_knows_which_flag_carries_each_experiment_per_environment() {
        WriteModel model = WriteModel.of(
                Events.on("production", "checkout.new_ui").version(1).createdBoolean(true),
                Events.on("production", "checkout.new_ui").version(2).with(new ExperimentCreated("first-test", DEFINITION)),
                Events.on("staging", "search.ranking").version(1).createdBoolean(true),
                Events.on("staging", "search.ranking").version(2).with(new ExperimentCreated("first-test", DEFINITION)),
                Events.on("production", "checkout.new_ui").version(3).archived());

        assertThat(model.experimentFlag("production", "first-test")).as("archived flags keep theirs").isEqualTo("checkout.new_ui");
        assertThat(model.experimentFlag("staging", "first-test")).isEqualTo("search.ranking");
        assertThat(model.experimentFlag("production", "other-test")).isNull();
        assertThat(model.experimentCount()).isEqualTo(2);
    }

    @Test
    void an_experiment_created_in_the_batch_is_found_through_the_overlay_before_it_commits() {
        WriteModel model = WriteModel.of(Events.on("production", "checkout.new_ui").version(1).createdBoolean(true));
        FlagState created = FlagStateFold.apply(model.flag("production", "checkout.new_ui"),
                Events.on("production", "checkout.new_ui").version(2).with(new ExperimentCreated("new-test", DEFINITION))).state();
        Overlay batch = new Overlay(model);
        batch.put(new FlagRef("production", "checkout.new_ui"), created);

        assertThat(batch.experimentFlag("production", "new-test")).isEqualTo("checkout.new_ui");
        assertThat(model.experimentFlag("production", "new-test")).as("not committed yet").isNull();
        assertThat(new Overlay(batch).experimentFlag("production", "new-test")).as("a request over the batch").isEqualTo("checkout.new_ui");
    }
}
