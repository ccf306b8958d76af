package io.flagplane.command.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.avro.ExperimentCreated;
import io.flagplane.avro.ExperimentMetric;
import io.flagplane.avro.FlagCreated;
import io.flagplane.avro.MetricKind;
import io.flagplane.avro.ValueAggregation;
import io.flagplane.avro.WeightedVariant;
import io.flagplane.command.domain.Aggregates;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.Decision;
import io.flagplane.command.domain.ErrorCode;
import io.flagplane.command.domain.ReadModel;
import io.flagplane.command.log.WriteModel;
import io.flagplane.fixtures.Events;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Experiment commands as the API reads them (both creation shapes, definitions, metrics, steps),
 * table-driven: bad input gets a stable code, the JSON path of the field and a sentence, parsed,
 * prechecked and decided exactly as the service does, without Kafka; good input becomes the events
 * it should.
 */
class ExperimentValidationTest {

    /** production, declared, holding {@code existing.flag} (boolean, enabled). */
    private static final ReadModel MODEL = WriteModel.of(
            Events.on("production", "production").version(1).environmentCreated(),
            Events.on("production", "existing.flag").version(1).createdBoolean(true));

    private static Command parse(String json) throws Exception {
        ObjectNode node = (ObjectNode) Json.MAPPER.readTree(json);
        node.put("environment", "production");
        return CommandJson.parse(node);
    }

    private static List<Decision> decide(String json) throws Exception {
        Command command = parse(json);
        Aggregates.precheck(command);
        return Aggregates.decide(MODEL, command);
    }

    private static CommandException refusal(String json) {
        return catchThrowableOfType(CommandException.class, () -> decide(json));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            key not allowed                | {"action":"createExperiment","key":"Pricing Test","flagKey":"existing.flag","primaryMetric":{"eventKey":"e","kind":"conversion"}} | INVALID_FIELD | key | not allowed
            key too long                   | {"action":"createExperiment","key":"a12345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901","flagKey":"existing.flag","primaryMetric":{"eventKey":"e","kind":"conversion"}} | INVALID_FIELD | key | at most 100
            neither flag nor variants      | {"action":"createExperiment","key":"t","primaryMetric":{"eventKey":"e","kind":"conversion"}} | INVALID_FIELD | flagKey | name the flag
            flag key not dot notation      | {"action":"createExperiment","key":"t","flagKey":"nodots","primaryMetric":{"eventKey":"e","kind":"conversion"}} | INVALID_FLAG_KEY | flagKey | dot notation
            no primary metric              | {"action":"createExperiment","key":"t","flagKey":"existing.flag"} | INVALID_FIELD | primaryMetric | primaryMetric is required
            primary metric null            | {"action":"createExperiment","key":"t","flagKey":"existing.flag","primaryMetric":null} | INVALID_FIELD | primaryMetric | must not be null
            metric not an object           | {"action":"createExperiment","key":"t","flagKey":"existing.flag","primaryMetric":"conversion"} | INVALID_FIELD | primaryMetric | must be an object
            metric without a kind          | {"action":"createExperiment","key":"t","flagKey":"existing.flag","primaryMetric":{"eventKey":"e"}} | INVALID_FIELD | primaryMetric.kind | conversion or value
            metric kind unknown            | {"action":"createExperiment","key":"t","flagKey":"existing.flag","primaryMetric":{"eventKey":"e","kind":"ratio"}} | INVALID_FIELD | primaryMetric.kind | not one of conversion, value
            metric kind in capitals        | {"action":"createExperiment","key":"t","flagKey":"existing.flag","primaryMetric":{"eventKey":"e","kind":"CONVERSION"}} | INVALID_FIELD | primaryMetric.kind | not one of
            event key with a space         | {"action":"createExperiment","key":"t","flagKey":"existing.flag","primaryMetric":{"eventKey":"booking confirmed","kind":"conversion"}} | INVALID_FIELD | primaryMetric.eventKey | not allowed
            event key starting with a dot  | {"action":"createExperiment","key":"t","flagKey":"existing.flag","primaryMetric":{"eventKey":".x","kind":"conversion"}} | INVALID_FIELD | primaryMetric.eventKey | starting with a letter
            event key of 129 characters    | {"action":"createExperiment","key":"t","flagKey":"existing.flag","primaryMetric":{"eventKey":"e12345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678","kind":"conversion"}} | INVALID_FIELD | primaryMetric.eventKey | 1 to 128
            aggregation on a conversion    | {"action":"createExperiment","key":"t","flagKey":"existing.flag","primaryMetric":{"eventKey":"e","kind":"conversion","aggregation":"sum"}} | INVALID_FIELD | primaryMetric.aggregation | value metrics
            aggregation unknown            | {"action":"createExperiment","key":"t","flagKey":"existing.flag","primaryMetric":{"eventKey":"e","kind":"value","aggregation":"median"}} | INVALID_FIELD | primaryMetric.aggregation | not one of sum, mean
            window of zero hours           | {"action":"createExperiment","key":"t","flagKey":"existing.flag","primaryMetric":{"eventKey":"e","kind":"conversion","windowHours":0}} | INVALID_FIELD | primaryMetric.windowHours | from 1 to 2160
            window past 90 days            | {"action":"createExperiment","key":"t","flagKey":"existing.flag","primaryMetric":{"eventKey":"e","kind":"conversion","windowHours":2161}} | INVALID_FIELD | primaryMetric.windowHours | from 1 to 2160
            window not whole               | {"action":"createExperiment","key":"t","flagKey":"existing.flag","primaryMetric":{"eventKey":"e","kind":"conversion","windowHours":1.5}} | INVALID_FIELD | primaryMetric.windowHours | whole number
            window past an int             | {"action":"createExperiment","key":"t","flagKey":"existing.flag","primaryMetric":{"eventKey":"e","kind":"conversion","windowHours":1e400}} | INVALID_FIELD | primaryMetric.windowHours | whole number
            minimum sample of zero         | {"action":"createExperiment","key":"t","flagKey":"existing.flag","primaryMetric":{"eventKey":"e","kind":"conversion","minimumSample":0}} | INVALID_FIELD | primaryMetric.minimumSample | from 1
            minimum sample as text         | {"action":"createExperiment","key":"t","flagKey":"existing.flag","primaryMetric":{"eventKey":"e","kind":"conversion","minimumSample":"100"}} | INVALID_FIELD | primaryMetric.minimumSample | whole number
            misspelled metric field        | {"action":"createExperiment","key":"t","flagKey":"existing.flag","primaryMetric":{"eventKey":"e","kind":"conversion","window":24}} | INVALID_FIELD | primaryMetric.window | unknown field
            secondary not an array         | {"action":"createExperiment","key":"t","flagKey":"existing.flag","primaryMetric":{"eventKey":"e","kind":"conversion"},"secondaryMetrics":{}} | INVALID_FIELD | secondaryMetrics | array
            bad secondary metric           | {"action":"createExperiment","key":"t","flagKey":"existing.flag","primaryMetric":{"eventKey":"e","kind":"conversion"},"secondaryMetrics":[{"eventKey":"f","kind":"value","windowHours":-1}]} | INVALID_FIELD | secondaryMetrics[0].windowHours | from 1
            the same metric twice          | {"action":"createExperiment","key":"t","flagKey":"existing.flag","primaryMetric":{"eventKey":"e","kind":"conversion"},"secondaryMetrics":[{"eventKey":"e","kind":"conversion","minimumSample":5}]} | INVALID_FIELD | secondaryMetrics[0] | already measures
            rule id not allowed            | {"action":"createExperiment","key":"t","flagKey":"existing.flag","ruleId":"has space","primaryMetric":{"eventKey":"e","kind":"conversion"}} | INVALID_FIELD | ruleId | not a rule id
            launchAt not an instant        | {"action":"createExperiment","key":"t","flagKey":"existing.flag","launchAt":"tomorrow","primaryMetric":{"eventKey":"e","kind":"conversion"}} | INVALID_FIELD | launchAt | ISO-8601
            launchAt in year 10000         | {"action":"createExperiment","key":"t","flagKey":"existing.flag","launchAt":"+10000-01-01T00:00:00Z","primaryMetric":{"eventKey":"e","kind":"conversion"}} | INVALID_FIELD | launchAt | between years
            stopAt before launchAt         | {"action":"createExperiment","key":"t","flagKey":"existing.flag","launchAt":"2026-12-02T00:00:00Z","stopAt":"2026-12-01T00:00:00Z","primaryMetric":{"eventKey":"e","kind":"conversion"}} | INVALID_FIELD | stopAt | must be after launchAt
            unknown field                  | {"action":"createExperiment","key":"t","flagKey":"existing.flag","primaryMetric":{"eventKey":"e","kind":"conversion"},"arms":[]} | INVALID_FIELD | arms | unknown field
            standalone with a rule         | {"action":"createExperiment","key":"t","ruleId":"r","variants":[{"key":"a","weight":1},{"key":"b","weight":1}]} | INVALID_FIELD | ruleId | leave ruleId out
            standalone with one variant    | {"action":"createExperiment","key":"t","variants":[{"key":"a","weight":1}]} | INVALID_FIELD | variants | 2 to 50 variants
            standalone variants not array  | {"action":"createExperiment","key":"t","variants":{"a":1}} | INVALID_FIELD | variants | must be an array
            standalone key and name        | {"action":"createExperiment","key":"t","variants":[{"key":"a","name":"a","weight":1},{"key":"b","weight":1}]} | INVALID_FIELD | variants[0].key | not both
            standalone without a key       | {"action":"createExperiment","key":"t","variants":[{"weight":1},{"key":"b","weight":1}]} | INVALID_FIELD | variants[0].key | needs its key
            standalone variant twice       | {"action":"createExperiment","key":"t","variants":[{"key":"a","weight":1},{"name":"a","weight":1}]} | INVALID_FIELD | variants[1].key | listed twice
            standalone bad variant key     | {"action":"createExperiment","key":"t","variants":[{"key":"a b","weight":1},{"key":"b","weight":1}]} | INVALID_FIELD | variants[0].key | not allowed
            standalone weight of zero      | {"action":"createExperiment","key":"t","variants":[{"key":"a","weight":0},{"key":"b","weight":1}]} | INVALID_FIELD | variants[0].weight | above 0
            standalone negative weight     | {"action":"createExperiment","key":"t","variants":[{"key":"a","weight":1},{"key":"b","weight":-5}]} | INVALID_FIELD | variants[1].weight | above 0
            standalone weight 1e400        | {"action":"createExperiment","key":"t","variants":[{"key":"a","weight":1e400},{"key":"b","weight":1}]} | INVALID_FIELD | variants[0].weight | at most 1000000
            standalone weight as text      | {"action":"createExperiment","key":"t","variants":[{"key":"a","weight":"50"},{"key":"b","weight":1}]} | INVALID_FIELD | variants[0].weight | relative weight
            standalone weight too precise  | {"action":"createExperiment","key":"t","variants":[{"key":"a","weight":0.0000001},{"key":"b","weight":1}]} | INVALID_FIELD | variants[0].weight | at most 6 decimals
            standalone weight too small    | {"action":"createExperiment","key":"t","variants":[{"key":"a","weight":0.000001},{"key":"b","weight":1000000}]} | INVALID_FIELD | variants[0].weight | too small
            standalone control unknown     | {"action":"createExperiment","key":"t","controlVariant":"c","variants":[{"key":"a","weight":1},{"key":"b","weight":1}]} | INVALID_FIELD | controlVariant | not one of the variants
            standalone flag that exists    | {"action":"createExperiment","key":"t","flagKey":"existing.flag","variants":[{"key":"a","weight":1},{"key":"b","weight":1}]} | FLAG_ALREADY_EXISTS | flagKey | already exists
            update without an experiment   | {"action":"updateExperiment","primaryMetric":{"eventKey":"e","kind":"conversion"}} | INVALID_FIELD | experiment | required
            update naming a flag           | {"action":"updateExperiment","experiment":"t","flagKey":"existing.flag","primaryMetric":{"eventKey":"e","kind":"conversion"}} | INVALID_FIELD | flagKey | unknown field
            launch of a bad key            | {"action":"launchExperiment","experiment":"NOPE"} | INVALID_FIELD | experiment | not allowed
            launch of an unknown one       | {"action":"launchExperiment","experiment":"ghost"} | EXPERIMENT_NOT_FOUND | | does not exist
            a winner on a launch           | {"action":"launchExperiment","experiment":"ghost","winner":"a"} | INVALID_FIELD | winner | unknown field
            a winner that is no variant key| {"action":"stopExperiment","experiment":"ghost","winner":"a b"} | INVALID_FIELD | winner | not allowed
            """)
    void a_bad_experiment_command_is_refused_with_its_code_field_and_a_sentence(String why, String json, String code, String field,
                                                                               String message) {
        CommandException refused = refusal(json);

        assertThat(refused).as(why).isNotNull();
        assertThat(refused.code().name()).as(why).isEqualTo(code);
        assertThat(refused.field()).as(why).isEqualTo(field == null || field.isBlank() ? null : field);
        assertThat(refused.getMessage()).as(why).contains(message);
    }

    @Test
    void seed_003s_shape_with_seed_003s_own_name_field_creates_the_flag_and_a_draft_measuring_conversions() throws Exception {
        List<Decision> decisions = decide("""
                {"action":"createExperiment","key":"pricing-display-test","description":"Test showing fees upfront vs at checkout",
                 "variants":[{"name":"control","weight":50},{"name":"upfront-fees","weight":50}]}""");

        assertThat(decisions).extracting(d -> d.target().key()).containsOnly("experiment.pricing-display-test");
        FlagCreated flag = (FlagCreated) decisions.get(0).payload();
        assertThat(flag.getDefinition().getFallthrough().getSplit().getVariants())
                .containsExactly(new WeightedVariant("control", 5_000), new WeightedVariant("upfront-fees", 5_000));
        assertThat(flag.getDefinition().getDescription()).isEqualTo("Test showing fees upfront vs at checkout");
        ExperimentCreated draft = (ExperimentCreated) decisions.get(1).payload();
        assertThat(draft.getDefinition().getPrimaryMetric()).as("seed 003's conversions within 7 days")
                .isEqualTo(ExperimentMetric.newBuilder().setEventKey("conversion").setKind(MetricKind.CONVERSION).setWindowHours(168).build());
    }

    @Test
    void the_usual_shape_reads_every_part_of_a_definition() throws Exception {
        List<Decision> decisions = decide("""
                {"action":"createExperiment","key":"checkout.redesign-2026","flagKey":"existing.flag","description":"d",
                 "controlVariant":"off","launchAt":"2026-12-01T09:00:00.123456Z","stopAt":"2026-12-15T09:00:00+01:00",
                 "primaryMetric":{"eventKey":"booking_confirmed","kind":"conversion","windowHours":72,"minimumSample":1000},
                 "secondaryMetrics":[{"eventKey":"checkout:revenue","kind":"value","aggregation":"mean"},
                                     {"eventKey":"checkout:revenue","kind":"value"}]}""");

        ExperimentCreated draft = (ExperimentCreated) decisions.get(0).payload();
        assertThat(decisions.get(0).target().key()).isEqualTo("existing.flag");
        assertThat(draft.getDefinition().getControlVariant()).isEqualTo("off");
        assertThat(draft.getDefinition().getRuleId()).as("the fallthrough").isNull();
        assertThat(draft.getDefinition().getLaunchAt()).as("kept to the millisecond, as the event keeps it")
                .isEqualTo(Instant.parse("2026-12-01T09:00:00.123Z"));
        assertThat(draft.getDefinition().getStopAt()).isEqualTo(Instant.parse("2026-12-15T08:00:00Z"));
        assertThat(draft.getDefinition().getPrimaryMetric().getMinimumSample()).isEqualTo(1000L);
        assertThat(draft.getDefinition().getSecondaryMetrics()).extracting(ExperimentMetric::getAggregation)
                .containsExactly(ValueAggregation.MEAN, ValueAggregation.SUM);
    }

    @Test
    void eleven_secondary_metrics_are_one_too_many() {
        StringBuilder metrics = new StringBuilder();
        for (int i = 0; i < 11; i++) {
            metrics.append(i == 0 ? "" : ",").append("{\"eventKey\":\"e").append(i).append("\",\"kind\":\"conversion\"}");
        }
        CommandException refused = refusal("{\"action\":\"createExperiment\",\"key\":\"t\",\"flagKey\":\"existing.flag\","
                + "\"primaryMetric\":{\"eventKey\":\"p\",\"kind\":\"conversion\"},\"secondaryMetrics\":[" + metrics + "]}");

        assertThat(refused.field()).isEqualTo("secondaryMetrics");
        assertThat(refused.getMessage()).contains("at most 10");
    }

    @ParameterizedTest
    @EnumSource(value = ErrorCode.class, names = "EXPERIMENT_.*", mode = EnumSource.Mode.MATCH_ALL)
    void experiment_refusals_are_404_or_409(ErrorCode code) {
        assertThat(CommandErrors.statusOf(code)).isEqualTo(code == ErrorCode.EXPERIMENT_NOT_FOUND ? 404 : 409);
    }
}
