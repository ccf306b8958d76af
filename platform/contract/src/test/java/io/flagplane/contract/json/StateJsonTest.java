package io.flagplane.contract.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.avro.Experiment;
import io.flagplane.avro.ExperimentDefinition;
import io.flagplane.avro.ExperimentMetric;
import io.flagplane.avro.ExperimentStatus;
import io.flagplane.avro.FlagState;
import io.flagplane.avro.MetricKind;
import io.flagplane.avro.ValueAggregation;
import io.flagplane.avro.WeightedVariant;
import io.flagplane.fixtures.States;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StateJsonTest {

    @Test
    void metadata_is_an_object_of_its_typed_values_sorted_by_key_and_a_missing_off_variant_is_null() {
        FlagState state = States.booleanState("production", "a.flag", 2);
        state.getDefinition().setMetadata(Map.of("ticket", "JIRA-1", "count", 2L, "ratio", 0.5, "beta", true));
        state.getDefinition().setOffVariant(null);

        ObjectNode json = StateJson.flag(state);

        assertThat(json.get("metadata").toString()).isEqualTo("{\"beta\":true,\"count\":2,\"ratio\":0.5,\"ticket\":\"JIRA-1\"}");
        assertThat(json.get("offVariant").isNull()).isTrue();
        assertThat(StateJson.flag(States.booleanState("production", "b.flag", 1)).get("metadata").isEmpty()).isTrue();
    }

    @Test
    void prerequisites_are_a_list_of_flag_keys_and_variants_and_an_empty_list_when_there_are_none() {
        FlagState state = States.booleanState("production", "charges.ui", 2);
        state.getDefinition().setPrerequisites(List.of(new io.flagplane.avro.Prerequisite("charges.engine", List.of("on")),
                new io.flagplane.avro.Prerequisite("pricing.tier", List.of("pro", "enterprise"))));

        assertThat(StateJson.flag(state).get("prerequisites").toString()).isEqualTo("[{\"flagKey\":\"charges.engine\","
                + "\"variants\":[\"on\"]},{\"flagKey\":\"pricing.tier\",\"variants\":[\"pro\",\"enterprise\"]}]");
        assertThat(StateJson.flag(States.booleanState("production", "b.flag", 1)).get("prerequisites").isEmpty()).isTrue();
    }

    @Test
    void a_flag_shows_its_experiments_only_once_it_has_carried_one_and_each_says_whether_it_is_measuring() {
        FlagState plain = States.booleanState("production", "pricing.display", 3);
        assertThat(StateJson.flag(plain).has("experiments")).as("the JSON of a flag without experiments is as before").isFalse();

        FlagState state = FlagState.newBuilder(plain).setVersion(5).setExperiments(List.of(Experiment.newBuilder()
                .setKey("pricing-display-test").setStatus(ExperimentStatus.RUNNING)
                .setDefinition(ExperimentDefinition.newBuilder().setDescription("fees").setRuleId("beta")
                        .setPrimaryMetric(ExperimentMetric.newBuilder().setEventKey("booking_confirmed").setKind(MetricKind.CONVERSION).build())
                        .setSecondaryMetrics(List.of(ExperimentMetric.newBuilder().setEventKey("revenue").setKind(MetricKind.VALUE)
                                .setAggregation(ValueAggregation.MEAN).setWindowHours(24).setMinimumSample(100L).build()))
                        .setStopAt(Instant.parse("2026-12-15T09:00:00Z")).build())
                .setCreatedAt(Instant.parse("2026-11-01T09:00:00Z")).setLaunchedAt(Instant.parse("2026-11-02T09:00:00Z"))
                .setLaunchedAtVersion(4).setArms(List.of(new WeightedVariant("on", 2_550), new WeightedVariant("off", 7_450))).build()))
                .build();

        ObjectNode json = StateJson.flag(state);

        assertThat(json.get("experiments")).hasSize(1);
        ObjectNode experiment = (ObjectNode) json.get("experiments").get(0);
        assertThat(experiment.toString()).isEqualTo("{\"environment\":\"production\",\"key\":\"pricing-display-test\","
                + "\"flagKey\":\"pricing.display\",\"flagVersion\":5,\"status\":\"RUNNING\",\"measuring\":true,"
                + "\"definition\":{\"description\":\"fees\",\"ruleId\":\"beta\",\"primaryMetric\":{\"eventKey\":\"booking_confirmed\","
                + "\"kind\":\"conversion\",\"windowHours\":168},\"secondaryMetrics\":[{\"eventKey\":\"revenue\",\"kind\":\"value\","
                + "\"aggregation\":\"mean\",\"windowHours\":24,\"minimumSample\":100}],\"stopAt\":\"2026-12-15T09:00:00Z\"},"
                + "\"arms\":[{\"variant\":\"on\",\"weight\":25.50},{\"variant\":\"off\",\"weight\":74.50}],"
                + "\"createdAt\":\"2026-11-01T09:00:00Z\",\"launchedAt\":\"2026-11-02T09:00:00Z\",\"launchedAtVersion\":4,"
                + "\"stoppedAt\":null,\"winner\":null}");
        FlagState killed = FlagState.newBuilder(state).setKilled(true).build();
        assertThat(StateJson.flag(killed).get("experiments").get(0).get("measuring").asBoolean()).as("a kill stops the measuring").isFalse();
        FlagState disabled = FlagState.newBuilder(state).setEnabled(false).build();
        assertThat(StateJson.experiment(disabled, disabled.getExperiments().get(0)).get("measuring").asBoolean()).isFalse();
    }

    @Test
    void a_scheduled_change_shows_its_commands_as_json_and_a_failure_as_its_code_and_sentence() {
        io.flagplane.avro.FlagEvent created = io.flagplane.fixtures.Events.on("production", "sc-1").version(1)
                .with(new io.flagplane.avro.ScheduledChangeCreated(new io.flagplane.avro.ChangeRequestContent("Kill", "seed 002",
                        "[{\"action\":\"kill\",\"flag\":\"a.flag\"}]", Map.of("a.flag", 3L)),
                        Instant.parse("2026-12-01T09:00:00Z"), false));
        var state = io.flagplane.contract.ScheduledChangeFold.apply(null, created).state();

        ObjectNode pending = StateJson.scheduledChange(state);
        assertThat(pending.get("status").asText()).isEqualTo("PENDING");
        assertThat(pending.get("applyAt").asText()).isEqualTo("2026-12-01T09:00:00Z");
        assertThat(pending.get("commands").get(0).get("action").asText()).isEqualTo("kill");
        assertThat(pending.get("draftedAgainst").get("a.flag").asLong()).isEqualTo(3);
        assertThat(pending.get("failure").isNull()).isTrue();

        var failed = io.flagplane.contract.ScheduledChangeFold.apply(state, io.flagplane.fixtures.Events.on("production", "sc-1")
                .version(2).with(new io.flagplane.avro.ScheduledChangeFailed("MOVED_SINCE_SCHEDULED", "a.flag: 3 -> 4"))).state();
        ObjectNode failure = (ObjectNode) StateJson.scheduledChange(failed).get("failure");
        assertThat(failure.get("code").asText()).isEqualTo("MOVED_SINCE_SCHEDULED");
        assertThat(failure.get("message").asText()).isEqualTo("a.flag: 3 -> 4");
    }
}
