package io.flagplane.command.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagplane.command.domain.Aggregates;
import io.flagplane.command.domain.Command;
import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ReadModel;
import io.flagplane.command.log.WriteModel;
import io.flagplane.fixtures.Events;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad commands, table-driven: each gets a stable code, the JSON path of the field, and a sentence
 * that names what is wrong. Parsed and decided exactly as the service does, without Kafka.
 */
class CommandValidationTest {

    /** A declared production environment holding one boolean flag {@code existing.flag}, and nothing else. */
    private static final ReadModel MODEL = WriteModel.of(
            Events.on("production", "production").version(1).environmentCreated(),
            Events.on("production", "existing.flag").version(1).createdBoolean(true),
            Events.on("production", "no.off").version(1).with(io.flagplane.avro.FlagCreated.newBuilder()
                    .setDefinition(io.flagplane.avro.FlagDefinition.newBuilder(Events.booleanFlag("no.off")).setOffVariant(null).build())
                    .setEnabled(true).build()));

    /** An archived environment: its one flag was archived first, then the environment. */
    private static final ReadModel RETIRED = WriteModel.of(
            Events.on("retired", "retired").version(1).environmentCreated(),
            Events.on("retired", "old.flag").version(1).createdBoolean(true),
            Events.on("retired", "old.flag").version(2).archived(),
            Events.on("retired", "retired").version(2).with(new io.flagplane.avro.EnvironmentArchived()));

    @Test
    void a_kill_is_never_refused_for_its_environments_sake_while_other_changes_there_are() throws Exception {
        ObjectNode kill = (ObjectNode) Json.MAPPER.readTree("{\"action\":\"kill\",\"environment\":\"retired\",\"flag\":\"old.flag\"}");
        assertThat(Aggregates.decide(RETIRED, CommandJson.parse(kill))).as("a kill decides, here nothing to write")
                .allSatisfy(decision -> assertThat(decision.payload()).isNull());

        ObjectNode restore = (ObjectNode) Json.MAPPER.readTree("{\"action\":\"restore\",\"environment\":\"retired\","
                + "\"flag\":\"old.flag\"}");
        CommandException refused = catchThrowableOfType(CommandException.class,
                () -> Aggregates.decide(RETIRED, CommandJson.parse(restore)));
        assertThat(refused.code().name()).isEqualTo("ENVIRONMENT_NOT_FOUND");
        assertThat(refused.getMessage()).contains("archived");
    }

    private static CommandException refusal(String json) throws Exception {
        ObjectNode node = (ObjectNode) Json.MAPPER.readTree(json);
        node.put("environment", node.has("environment") ? node.get("environment").asText() : "production");
        return catchThrowableOfType(CommandException.class, () -> {
            Command command = CommandJson.parse(node);
            Aggregates.decide(MODEL, command);
        });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            flag key not dot notation     | {"action":"createFlag","key":"NoDots","type":"boolean"}                                     | INVALID_FLAG_KEY    | key                         | dot notation
            environment not allowed       | {"action":"kill","environment":"Prod!","flag":"a.b"}                                        | INVALID_ENVIRONMENT | environment                 | not allowed
            unknown action                | {"action":"explode","flag":"a.b"}                                                           | INVALID_FIELD       | action                      | is not one of
            unknown type                  | {"action":"createFlag","key":"a.b","type":"colour"}                                         | INVALID_FIELD       | type                        | not one of boolean
            value of the wrong type       | {"action":"createFlag","key":"a.b","type":"number","variants":[{"key":"x","value":"3"}],"offVariant":"x","fallthrough":{"variant":"x"}} | INVALID_FIELD | variants[0].value | not a number
            duplicate variant             | {"action":"createFlag","key":"a.b","type":"string","variants":[{"key":"x","value":"a"},{"key":"x","value":"b"}],"offVariant":"x","fallthrough":{"variant":"x"}} | INVALID_FIELD | variants[1].key | used twice
            off variant missing           | {"action":"createFlag","key":"a.b","type":"boolean","offVariant":"maybe"}                  | INVALID_FIELD       | offVariant                  | does not have
            fallthrough missing variant   | {"action":"createFlag","key":"a.b","type":"boolean","fallthrough":{"variant":"maybe"}}     | INVALID_FIELD       | fallthrough.variant         | does not have
            split not 100 percent         | {"action":"createFlag","key":"a.b","type":"boolean","fallthrough":{"split":[{"variant":"on","weight":60},{"variant":"off","weight":30}]}} | INVALID_FIELD | fallthrough.split | add up to 90.0
            three decimals                | {"action":"createFlag","key":"a.b","type":"boolean","fallthrough":{"split":[{"variant":"on","weight":10.005},{"variant":"off","weight":89.995}]}} | INVALID_FIELD | fallthrough.split[0].weight | two decimals
            percentage above 100          | {"action":"setRollout","flag":"existing.flag","percentage":101}                           | INVALID_FIELD       | percentage                  | between 0 and 100
            unknown operator              | {"action":"replaceRules","flag":"existing.flag","rules":[{"id":"r","conditions":[{"attribute":"a","operator":"similar_to","values":["x"]}],"serve":{"variant":"on"}}]} | INVALID_FIELD | rules[0].conditions[0].operator | is not one of
            regex that does not compile   | {"action":"replaceRules","flag":"existing.flag","rules":[{"id":"r","conditions":[{"attribute":"a","operator":"matches","values":["(unclosed"]}],"serve":{"variant":"on"}}]} | INVALID_FIELD | rules[0].conditions[0].values | matches
            number that does not parse    | {"action":"replaceRules","flag":"existing.flag","rules":[{"id":"r","conditions":[{"attribute":"age","operator":"gt","values":["old"]}],"serve":{"variant":"on"}}]} | INVALID_FIELD | rules[0].conditions[0].values | gt
            rule without conditions       | {"action":"replaceRules","flag":"existing.flag","rules":[{"id":"r","conditions":[],"serve":{"variant":"on"}}]} | INVALID_FIELD | rules[0].conditions | at least one condition
            duplicate rule id             | {"action":"replaceRules","flag":"existing.flag","rules":[{"id":"r","conditions":[{"attribute":"a","operator":"in","values":["x"]}],"serve":{"variant":"on"}},{"id":"r","conditions":[{"attribute":"a","operator":"in","values":["y"]}],"serve":{"variant":"on"}}]} | INVALID_FIELD | rules[1].id | used twice
            unknown segment               | {"action":"replaceRules","flag":"existing.flag","rules":[{"id":"r","conditions":[{"attribute":"targetingKey","operator":"in_segment","values":["ghosts"]}],"serve":{"variant":"on"}}]} | SEGMENT_NOT_FOUND | rules[0].conditions[0].values[0] | ghosts
            rollout on a missing rule     | {"action":"setRollout","flag":"existing.flag","ruleId":"nope","percentage":10}           | INVALID_FIELD       | ruleId                      | no rule 'nope'
            rollout of the off variant    | {"action":"setRollout","flag":"existing.flag","variant":"off","percentage":10}           | INVALID_FIELD       | variant                     | off variant
            deny list with a variant      | {"action":"denyList","flag":"existing.flag","variant":"on","add":["u"]}                  | INVALID_FIELD       | variant                     | no variant
            nothing to add or remove      | {"action":"allowList","flag":"existing.flag"}                                             | INVALID_FIELD       | add                         | add
            same key added and removed    | {"action":"allowList","flag":"existing.flag","add":["u"],"remove":["u"]}                 | INVALID_FIELD       | remove                      | both added and removed
            tag not allowed               | {"action":"setMetadata","flag":"existing.flag","tags":["Has Space"]}                     | INVALID_FIELD       | tags[0]                     | not allowed
            stale expected version        | {"action":"kill","flag":"existing.flag","expectedVersion":7}                              | VERSION_CONFLICT    | expectedVersion             | at version 1, not 7
            unknown flag                  | {"action":"enable","flag":"no.such"}                                                      | FLAG_NOT_FOUND      |                             | does not exist
            flag already exists           | {"action":"createFlag","key":"existing.flag","type":"boolean"}                           | FLAG_ALREADY_EXISTS | key                         | already exists
            segment with nobody in it     | {"action":"createSegment","key":"empty-segment"}                                          | INVALID_FIELD       | included                    | nobody is ever in it
            kill by an unused tag         | {"action":"killByTag","tag":"unused"}                                                     | NO_MATCHING_FLAGS   | tag                         | has the tag 'unused'
            environment nobody declared   | {"action":"createFlag","environment":"prodution","key":"a.b","type":"boolean"}           | ENVIRONMENT_NOT_FOUND | environment               | 'prodution' is not declared
            kill in an undeclared one     | {"action":"kill","environment":"prodution","flag":"a.b"}                                  | ENVIRONMENT_NOT_FOUND | environment               | is not declared
            misspelled field              | {"action":"enable","flag":"existing.flag","enabeld":true}                                 | INVALID_FIELD       | enabeld                     | unknown field 'enabeld'
            misspelled nested field       | {"action":"replaceRules","flag":"existing.flag","rules":[{"id":"r","conditions":[{"attribute":"a","operator":"in","value":["x"]}],"serve":{"variant":"on"}}]} | INVALID_FIELD | rules[0].conditions[0].value | unknown field 'value'
            null rules                    | {"action":"replaceRules","flag":"existing.flag","rules":null}                            | INVALID_FIELD       | rules                       | must not be null
            null in a definition          | {"action":"createFlag","key":"a.b","type":"boolean","tags":null}                         | INVALID_FIELD       | tags                        | must not be null
            metadata with nothing in it   | {"action":"setMetadata","flag":"existing.flag"}                                          | INVALID_FIELD       | description                 | at least one of
            percentage 1e400              | {"action":"setRollout","flag":"existing.flag","percentage":1e400}                        | INVALID_FIELD       | percentage                  | between 0 and 100
            weight 1e400                  | {"action":"createFlag","key":"a.b","type":"boolean","fallthrough":{"split":[{"variant":"on","weight":1e400}]}} | INVALID_FIELD | fallthrough.split[0].weight | between 0 and 100
            number variant 1e400          | {"action":"createFlag","key":"a.b","type":"number","variants":[{"key":"x","value":1e400}],"offVariant":"x","fallthrough":{"variant":"x"}} | INVALID_FIELD | variants[0].value | too large
            unknown kind                  | {"action":"createFlag","key":"a.b","type":"boolean","kind":"temporary"}                   | INVALID_FIELD       | kind                        | not one of release, experiment
            kind in capitals              | {"action":"createFlag","key":"a.b","type":"boolean","kind":"RELEASE"}                     | INVALID_FIELD       | kind                        | not one of release
            kind not a string             | {"action":"createFlag","key":"a.b","type":"boolean","kind":3}                             | INVALID_FIELD       | kind                        | not one of
            null kind                     | {"action":"createFlag","key":"a.b","type":"boolean","kind":null}                          | INVALID_FIELD       | kind                        | must not be null
            lifetime of zero days         | {"action":"createFlag","key":"a.b","type":"boolean","lifetimeDays":0}                     | INVALID_FIELD       | lifetimeDays                | from 1 to 3650
            lifetime over ten years       | {"action":"replaceFlag","flag":"existing.flag","type":"boolean","lifetimeDays":3651}      | INVALID_FIELD       | lifetimeDays                | from 1 to 3650
            lifetime not whole            | {"action":"createFlag","key":"a.b","type":"boolean","lifetimeDays":1.5}                   | INVALID_FIELD       | lifetimeDays                | whole number
            lifetime as text              | {"action":"createFlag","key":"a.b","type":"boolean","lifetimeDays":"40"}                  | INVALID_FIELD       | lifetimeDays                | whole number
            lifetime past an int          | {"action":"createFlag","key":"a.b","type":"boolean","lifetimeDays":99999999999}           | INVALID_FIELD       | lifetimeDays                | whole number
            json variant holding 1e400    | {"action":"createFlag","key":"a.b","type":"json","variants":[{"key":"x","value":{"n":[1e400]}}],"offVariant":"x","fallthrough":{"variant":"x"}} | INVALID_FIELD | variants[0].value.n[0] | too large
            metadata not an object        | {"action":"createFlag","key":"a.b","type":"boolean","metadata":["x"]}                     | INVALID_FIELD       | metadata                    | must be an object
            metadata value a list         | {"action":"createFlag","key":"a.b","type":"boolean","metadata":{"team":["a"]}}           | INVALID_FIELD       | metadata.team               | not an array
            metadata value null           | {"action":"createFlag","key":"a.b","type":"boolean","metadata":{"team":null}}            | INVALID_FIELD       | metadata.team               | must be a string
            metadata key with a space     | {"action":"createFlag","key":"a.b","type":"boolean","metadata":{"my team":"a"}}          | INVALID_FIELD       | metadata                    | letters, digits
            metadata flagVersion reserved | {"action":"createFlag","key":"a.b","type":"boolean","metadata":{"flagVersion":3}}        | INVALID_FIELD       | metadata.flagVersion        | reserved
            metadata float 1e400          | {"action":"createFlag","key":"a.b","type":"boolean","metadata":{"ratio":1.5e400}}        | INVALID_FIELD       | metadata.ratio              | too large
            rollout without off variant   | {"action":"setRollout","flag":"no.off","percentage":10}                                  | INVALID_FIELD       | variant                     | no off variant
            prerequisites not a list      | {"action":"createFlag","key":"a.b","type":"boolean","prerequisites":{"flagKey":"existing.flag"}} | INVALID_FIELD | prerequisites        | must be an array
            prerequisite not an object    | {"action":"createFlag","key":"a.b","type":"boolean","prerequisites":["existing.flag"]}   | INVALID_FIELD       | prerequisites[0]            | must be an object
            prerequisite misspelled field | {"action":"createFlag","key":"a.b","type":"boolean","prerequisites":[{"flag":"existing.flag","variants":["on"]}]} | INVALID_FIELD | prerequisites[0].flag | unknown field 'flag'
            prerequisite without variants | {"action":"createFlag","key":"a.b","type":"boolean","prerequisites":[{"flagKey":"existing.flag"}]} | INVALID_FIELD | prerequisites[0].variants | is required
            prerequisite variant a number | {"action":"createFlag","key":"a.b","type":"boolean","prerequisites":[{"flagKey":"existing.flag","variants":[1]}]} | INVALID_FIELD | prerequisites[0].variants[0] | must be a string
            prerequisite null             | {"action":"createFlag","key":"a.b","type":"boolean","prerequisites":null}                | INVALID_FIELD       | prerequisites               | must not be null
            prerequisite unknown flag     | {"action":"createFlag","key":"a.b","type":"boolean","prerequisites":[{"flagKey":"no.such","variants":["on"]}]} | PREREQUISITE_NOT_FOUND | prerequisites[0].flagKey | 'no.such' does not exist
            prerequisite unknown variant  | {"action":"replaceFlag","flag":"no.off","type":"boolean","prerequisites":[{"flagKey":"existing.flag","variants":["yes"]}]} | INVALID_FIELD | prerequisites[0].variants[0] | has no variant 'yes'
            prerequisite on itself        | {"action":"replaceFlag","flag":"existing.flag","type":"boolean","prerequisites":[{"flagKey":"existing.flag","variants":["on"]}]} | INVALID_FIELD | prerequisites[0].flagKey | its own prerequisite
            metadata reasonDetail reserved | {"action":"createFlag","key":"a.b","type":"boolean","metadata":{"reasonDetail":"x"}}    | INVALID_FIELD       | metadata.reasonDetail       | reserved
            """)
    void a_bad_command_is_refused_with_its_code_field_and_a_sentence(String why, String json, String code, String field,
                                                                      String message) throws Exception {
        CommandException refused = refusal(json);

        assertThat(refused).as(why).isNotNull();
        assertThat(refused.code().name()).as(why).isEqualTo(code);
        assertThat(refused.field()).as(why).isEqualTo(field == null || field.isBlank() ? null : field);
        assertThat(refused.getMessage()).as(why).contains(message);
    }

    @ParameterizedTest(name = "kind {0}, lifetime {1}")
    @CsvSource(nullValues = "-", value = {"-, -, RELEASE", "experiment, -, EXPERIMENT", "operational, 3, OPERATIONAL",
            "kill_switch, -, KILL_SWITCH", "permission, 3650, PERMISSION", "release, 1, RELEASE"})
    void a_flag_takes_its_kind_and_lifetime_release_by_default(String kind, Integer lifetimeDays, String expected)
            throws Exception {
        ObjectNode node = (ObjectNode) Json.MAPPER.readTree("{\"action\":\"createFlag\",\"environment\":\"production\","
                + "\"key\":\"a.b\",\"type\":\"boolean\"}");
        if (kind != null) {
            node.put("kind", kind);
        }
        if (lifetimeDays != null) {
            node.put("lifetimeDays", lifetimeDays);
        }
        Command.CreateFlag create = (Command.CreateFlag) CommandJson.parse(node);
        Aggregates.decide(MODEL, create);

        assertThat(create.definition().getKind().name()).isEqualTo(expected);
        assertThat(create.definition().getLifetimeDays()).isEqualTo(lifetimeDays);
    }

    @ParameterizedTest(name = "{0} percent is {1} basis points")
    @CsvSource({"0, 0", "0.01, 1", "12.5, 1250", "50, 5000", "99.99, 9999", "100, 10000"})
    void percentages_are_basis_points(String percent, int basisPoints) throws Exception {
        assertThat(Json.basisPoints(Json.MAPPER.readTree(percent), "percentage")).isEqualTo(basisPoints);
    }

    @ParameterizedTest
    @CsvSource({"enable", "kill", "archive"})
    void enabling_an_enabled_flag_writes_nothing_while_kill_and_archive_of_a_live_flag_write(String action) throws Exception {
        ObjectNode node = (ObjectNode) Json.MAPPER.readTree("{\"action\":\"" + action + "\",\"environment\":\"production\","
                + "\"flag\":\"existing.flag\"}");
        Object payload = Aggregates.decide(MODEL, CommandJson.parse(node)).get(0).payload();

        assertThat(payload == null).isEqualTo(!action.equals("kill") && !action.equals("archive"));
    }

    @Test
    void metadata_and_a_missing_off_variant_are_accepted_and_written_as_given() throws Exception {
        ObjectNode node = (ObjectNode) Json.MAPPER.readTree("{\"action\":\"createFlag\",\"environment\":\"production\","
                + "\"key\":\"ui.banner\",\"type\":\"string\",\"variants\":[{\"key\":\"a\",\"value\":\"x\"}],"
                + "\"fallthrough\":{\"variant\":\"a\"},\"denyList\":[\"u-1\"],"
                + "\"metadata\":{\"ticket\":\"JIRA-1\",\"count\":2,\"ratio\":0.1,\"beta\":true}}");

        Object payload = Aggregates.decide(MODEL, CommandJson.parse(node)).get(0).payload();

        io.flagplane.avro.FlagDefinition definition = ((io.flagplane.avro.FlagCreated) payload).getDefinition();
        assertThat(definition.getOffVariant()).isNull();
        assertThat(definition.getMetadata()).isEqualTo(java.util.Map.of("ticket", "JIRA-1", "count", 2L, "ratio", 0.1, "beta", true));
    }

    @Test
    void metadata_is_bounded_in_entries_and_string_length() throws Exception {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i <= io.flagplane.command.domain.DefinitionRules.MAX_METADATA_ENTRIES; i++) {
            many.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":1");
        }
        CommandException tooMany = refusal("{\"action\":\"createFlag\",\"key\":\"a.b\",\"type\":\"boolean\",\"metadata\":{" + many + "}}");
        assertThat(tooMany.field()).isEqualTo("metadata");
        assertThat(tooMany.getMessage()).contains("at most 32 entries");

        CommandException tooLong = refusal("{\"action\":\"createFlag\",\"key\":\"a.b\",\"type\":\"boolean\",\"metadata\":{\"t\":\""
                + "x".repeat(1_025) + "\"}}");
        assertThat(tooLong.field()).isEqualTo("metadata.t");
    }
}
